import type { Area } from '../index.js'

/** Palavras compartilhadas por vários comandos. */
export const common: Area<'common'> = (f) => ({
  stopping: (p) => `${p.cause}: parando — nenhuma conexão nova; ` + f.plural(p.open, {
    zero: 'nenhuma conexão aberta para fechar',
    one: `fechando a conexão aberta (ela tem até ${f.duration(p.graceMs)} para terminar)`,
    other: `fechando # conexões abertas (até ${f.duration(p.graceMs)} cada uma)`,
  }),
  emptyDatagram: '(datagrama vazio)',
})
