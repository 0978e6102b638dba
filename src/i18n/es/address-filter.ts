import type { Area } from '../index.js'

/** --allow / --deny en todos los servidores: la ayuda, por qué se rechazó a un equipo, la línea de escucha. */
export const addressFilter: Area<'addressFilter'> = (_f) => ({
  help: {
    allow: 'atiende solo a equipos dentro de estas direcciones o bloques CIDR (se puede repetir; listas separadas por comas)',
    deny: 'rechaza a los equipos dentro de estas direcciones o bloques CIDR; --deny prevalece sobre --allow (se puede repetir)',
  },
  denied: {
    filtered: 'filtrado',
    unreadable: 'no se pudo leer su dirección',
    inDeny: (p) => `en --deny ${p.rule}`,
    notInAllow: 'no está en --allow',
  },
  describe: (p) => [
    ...(p.allow.length ? [`permitiendo solo ${p.allow.join(', ')}`] : []),
    ...(p.deny.length ? [`denegando ${p.deny.join(', ')}`] : []),
  ].join('; '),
  unmatchableAllow: (p) =>
    `ninguna regla de --allow puede coincidir: todas son ${p.other}, y un servidor enlazado a ${p.bound} solo oye a equipos ${p.own}, ` +
    `así que todos serán denegados — agrega una regla ${p.own} (${p.loopback} para esta máquina) o enlaza ${p.own === 'IPv6' ? '0.0.0.0 o ::' : '::'}`,
})
