import type { Area } from '../index.js'

/** --allow / --deny em todos os servidores: ajuda, por que um par foi recusado, a linha de escuta. */
export const addressFilter: Area<'addressFilter'> = () => ({
  help: {
    allow: 'atende só pares dentro destes endereços ou blocos CIDR (repetível; listas com vírgulas)',
    deny: 'recusa pares dentro destes endereços ou blocos CIDR; deny vence allow (repetível)',
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
    `nenhuma regra --allow pode corresponder: todas são ${p.other}, e um servidor em ${p.bound} só ouve pares ${p.own}, ` +
    `então todos serão negados — adicione uma regra ${p.own} (${p.loopback} para esta máquina), ou escute em ${p.own === 'IPv6' ? '0.0.0.0 ou ::' : '::'}`,
})
