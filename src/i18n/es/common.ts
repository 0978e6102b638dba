import type { Area } from '../index.js'

/** Palabras que comparten varios comandos. */
export const common: Area<'common'> = (f) => ({
  stopping: (p) => `${p.cause}: deteniendo — sin conexiones nuevas; ` + f.plural(p.open, {
    zero: 'no hay conexiones abiertas que cerrar',
    one: `cerrando la conexión abierta (tiene hasta ${f.duration(p.graceMs)} para terminar)`,
    many: `cerrando # de conexiones abiertas (hasta ${f.duration(p.graceMs)} cada una)`,
    other: `cerrando # conexiones abiertas (hasta ${f.duration(p.graceMs)} cada una)`,
  }),
  emptyDatagram: '(datagrama vacío)',
})
