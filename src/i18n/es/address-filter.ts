import type { Area } from '../index.js'

/** --allow / --deny en todos los servidores: ayuda, por qué se rechazó a un equipo, la línea de escucha. */
export const addressFilter: Area<'addressFilter'> = () => ({
  help: {
    allow: 'atiende solo a los equipos dentro de estas direcciones o bloques CIDR (repetible; listas con comas)',
    deny: 'rechaza a los equipos dentro de estas direcciones o bloques CIDR; deny gana a allow (repetible)',
  },
  denied: {
    filtered: 'filtrado',
    unreadable: 'no se pudo leer su dirección',
    inDeny: (p) => `en --deny ${p.rule}`,
    notInAllow: 'fuera de --allow',
  },
  describe: (p) => [
    ...(p.allow.length ? [`solo se permite ${p.allow.join(', ')}`] : []),
    ...(p.deny.length ? [`se deniega ${p.deny.join(', ')}`] : []),
  ].join('; '),
  unmatchableAllow: (p) =>
    `ninguna regla --allow puede coincidir: todas son ${p.other}, y un servidor en ${p.bound} solo oye equipos ${p.own}, ` +
    `así que se denegará a todos — añade una regla ${p.own} (${p.loopback} para esta máquina), o escucha en ${p.own === 'IPv6' ? '0.0.0.0 o ::' : '::'}`,
})
