import type { Area } from '../index.js'

/** --allow / --deny em todos os servidores: a ajuda, por que um par foi recusado, a linha de escuta. */
export const addressFilter: Area<'addressFilter'> = (_f) => ({
  help: {
    allow: 'atende só pares dentro destes endereços ou blocos CIDR (repetível; listas separadas por vírgula)',
    deny: 'recusa pares dentro destes endereços ou blocos CIDR; --deny prevalece sobre --allow (repetível)',
  },
  denied: {
    filtered: 'filtrado',
    unreadable: 'não foi possível ler o endereço dele',
    inDeny: (p) => `em --deny ${p.rule}`,
    notInAllow: 'fora de --allow',
  },
  describe: (p) => [
    ...(p.allow.length ? [`permitindo só ${p.allow.join(', ')}`] : []),
    ...(p.deny.length ? [`negando ${p.deny.join(', ')}`] : []),
  ].join('; '),
  unmatchableAllow: (p) =>
    `nenhuma regra de --allow pode corresponder: todas são ${p.other}, e um servidor vinculado a ${p.bound} só ouve pares ${p.own}, ` +
    `então todos serão negados — adicione uma regra ${p.own} (${p.loopback} para esta máquina) ou vincule a ${p.own === 'IPv6' ? '0.0.0.0 ou ::' : '::'}`,
})
