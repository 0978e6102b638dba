import type { Area } from '../index.js'

/** serve (o refletor que o compare mede): eventos, resumo do Ctrl-C e ajuda. */
export const serve: Area<'serve'> = (f) => {
  const datagrams = (n: number) => f.plural(n, { one: '# datagrama', other: '# datagramas' })
  const bytesWord = (n: number) => f.plural(n, { one: '# byte', other: '# bytes' })
  const count = (n: number, one: string, other: string) => f.plural(n, { one: `# ${one}`, other: `# ${other}` })
  /** Por que uma conexão TCP terminou, com as palavras do tcp-server ("" num fechamento comum). */
  const closedBecause = {
    'normal': (_code?: string) => '',
    'reset': (code?: string) => ` (redefinida pelo cliente, ${code ?? 'ECONNRESET'})`,
    'error': (code?: string) => ` (fechada por erro${code ? ` ${code}` : ''})`,
    'idle-timeout': (_code?: string) => ' (tempo limite de inatividade)',
    'server-stopped': (_code?: string) => ' (servidor parando)',
  }
  return {
    listening: (p) => `${p.em('escutando')} em ${p.here}, TCP e UDP — a outra ponta do sockkit compare`,
    fromElsewhere: (p) => `de outra máquina: sockkit compare ${p.host} --port ${p.port}`,
    everyAddress: (p) =>
      `(todos os endereços desta máquina: ${p.addresses.join(', ')}; o firewall precisa liberar TCP e UDP na porta ${p.port})`,
    fromHere: (p) => `desta máquina: sockkit compare ${p.host} --port ${p.port}`,
    onlyHere: (p) =>
      `${p.address} só aceita esta máquina; para medir de outra, rode \`sockkit serve ${p.port} --host ${p.wildcard}\``,
    filter: (p) => `${p.filter}; pares filtrados são fechados na hora (TCP) ou não recebem resposta (UDP)`,
    warning: (p) => `aviso: ${p.text}`,
    tcpAccepted: (p) =>
      `${p.tag} ${p.em('conexão tcp')} de ${p.from} (${f.plural(p.active, { one: '# aberta', other: '# abertas' })})`,
    tcpClosed: (p) =>
      `${p.tag} fechada depois de ${f.duration(p.durationMs)}: ${f.bytes(p.bytes)} de eco${closedBecause[p.reason](p.code)}`,
    tcpRefused: (p) =>
      `${p.em('recusada')} ${p.from}: ${f.plural(p.active, { one: '# conexão aberta', other: '# conexões abertas' })}, limite ${f.num(p.limit)}`,
    tcpDenied: (p) => `${p.em('negada')} tcp ${p.from} (${p.because}); fechada na hora`,
    tcpError: (p) => `${p.em('erro tcp')} ${p.code}: ${p.message} (continua escutando)`,
    udpPeer: (p) => `${p.em('sondas udp')} de ${p.from}`,
    ignoredBecause: {
      'not-a-probe': 'não é uma sonda do compare',
      'bad-flags': 'um cabeçalho de sonda do compare com flags reservadas ligadas',
      'too-large': 'maior que qualquer sonda do compare',
      'bad-padding': 'um cabeçalho de sonda do compare com preenchimento diferente de zero',
    },
    udpIgnored: (p) =>
      `${p.em(p.count === 1 ? 'ignorado' : 'ignorados')} ${datagrams(p.count)} (último: ${bytesWord(p.bytes)} de ${p.from}): ${p.because}, sem eco; ` +
      `${f.plural(p.total, { one: '# ignorado', other: '# ignorados' })} no total`,
    udpDenied: (p) =>
      `${p.em(p.count === 1 ? 'negado' : 'negados')} ${datagrams(p.count)} (último: ${bytesWord(p.bytes)} de ${p.from}, ${p.because}): sem resposta; ` +
      `${f.plural(p.total, { one: '# negado', other: '# negados' })} no total`,
    udpSendError: (p) => `${p.em('falha no eco udp')} para ${p.from}: ${p.code} (essa sonda se perdeu)`,
    udpError: (p) => `${p.em('erro udp')} ${p.code}: ${p.message} (continua escutando)`,
    stopped: (p) =>
      `parado depois de ${f.duration(p.durationMs)}: UDP ${f.plural(p.udp.probesEchoed, { zero: 'nenhuma sonda devolvida', one: '# sonda devolvida', other: '# sondas devolvidas' })}, de ` +
      `${f.plural(p.udp.peers, { zero: 'nenhum par', one: '# par', other: '# pares' })}` +
      (p.udp.ignored ? `, ${count(p.udp.ignored, 'ignorado', 'ignorados')}` : '') + (p.udp.denied ? `, ${count(p.udp.denied, 'negado', 'negados')}` : '') +
      (p.udp.sendErrors ? `, ${count(p.udp.sendErrors, 'eco falhou', 'ecos falharam')}` : '') +
      `; TCP ${f.plural(p.tcp.accepted, { zero: 'nenhuma conexão', one: '# conexão', other: '# conexões' })}, ${f.bytes(p.tcp.bytesIn)} de eco` +
      (p.tcp.denied ? `, ${count(p.tcp.denied, 'negada', 'negadas')}` : ''),
    help: {
      summary: 'a outra ponta do `sockkit compare`: eco TCP e UDP em uma porta',
      description: 'O refletor que `sockkit compare <host>` mede: um eco TCP e um eco UDP no mesmo número ' +
        'de porta. O UDP só devolve sondas do compare, cada uma exatamente como chegou (nunca maior, então ' +
        'não serve para amplificar tráfego); qualquer outro datagrama é contado e ignorado.',
      arguments: { port: 'porta TCP e UDP, 0 = qualquer livre' },
      options: {
        host: 'endereço do bind (0.0.0.0: todos)',
        maxConnections: 'clientes TCP ao mesmo tempo',
        idleTimeout: 'fecha TCP inativo este tempo; 0 = nunca',
        json: 'eventos NDJSON no stdout em vez de texto no stderr',
      },
      examples: `
Exemplos:
  $ sockkit serve                       em 127.0.0.1:9000 (só esta máquina)
  $ sockkit serve 9000 --host 0.0.0.0   alcançável de outras máquinas
  depois, em outra máquina:
  $ sockkit compare 192.168.1.20 --port 9000

Eventos (stderr), uma linha cada: escutando; uma conexão TCP aceita e
fechada, com os bytes de eco; a primeira sonda UDP de cada par; datagramas
ignorados (não são sondas do compare) e pares negados, no máximo uma linha
por segundo. Ctrl-C mostra um resumo e sai com 130.`,
    },
  }
}
