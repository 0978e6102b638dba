import type { Area } from '../index.js'

/** Palavras compartilhadas por vários comandos. */
export const common: Area<'common'> = (f) => ({
  stopping: (p) => {
    const grace = `cada uma tem até ${f.duration(p.graceMs)} para terminar`
    return `${p.cause}: parando — nenhuma conexão nova; ` + f.plural(p.open, {
      zero: 'nenhuma conexão aberta para fechar',
      one: `fechando # conexão aberta (${grace})`,
      other: `fechando # conexões abertas (${grace})`,
    })
  },
  emptyDatagram: '(datagrama vazio)',
})
