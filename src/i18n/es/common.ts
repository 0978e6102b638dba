import type { Area } from '../index.js'

/** Palabras que comparten varios comandos. */
export const common: Area<'common'> = (f) => ({
  stopping: (p) =>
    `${p.cause}: deteniendo — no se aceptan conexiones nuevas; cerrando ${f.plural(p.open, { zero: 'ninguna conexión abierta', one: '# conexión abierta', many: '# de conexiones abiertas', other: '# conexiones abiertas' })} (cada una tiene hasta ${f.duration(p.graceMs)} para terminar)`,
  emptyDatagram: '(datagrama vacío)',
})
