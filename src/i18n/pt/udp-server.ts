import type { Fmt } from '../fmt.js'
import type { Area } from '../index.js'
import type { DropSource, SummaryDrops } from '../en/udp-server.js'

const udpServerText = (f: Fmt) => {
  const datagrams = (n: number) => f.plural(n, { zero: 'nenhum datagrama', one: '# datagrama', other: '# datagramas' })
  const duplicates = (n: number) => f.plural(n, { zero: 'nenhum duplicado', one: '# duplicado', other: '# duplicados' })
  const missing = (n: number) => f.plural(n, { zero: 'nenhum perdido', one: '# perdido', other: '# perdidos' })
  const reordered = (n: number) => f.plural(n, { zero: 'nenhum reordenado', one: '# reordenado', other: '# reordenados' })
  const machine = (p: DropSource) => p.machineWide === null ? '' : `; todos os sockets desta máquina: ${p.counter} +${f.num(p.machineWide)}`
  /** As palavras de toda linha de descarte do kernel, para o leitor (ou o grep) achar todas. */
  const dropped = (p: DropSource & { dropped: number }) =>
    `o kernel descartou ${datagrams(p.dropped)} para este socket: buffer de recepção cheio (descartes em ${p.table}${machine(p)})`
  return { datagrams, duplicates, missing, reordered, machine, dropped }
}

/** udp-server: eventos, resumo do Ctrl-C e ajuda. */
export const udpServer: Area<'udpServer'> = (f) => {
  const w = udpServerText(f)
  const summaryDrops = (p: SummaryDrops) => p.dropped === null ? ''
    : p.dropped > 0 ? `; o kernel descartou ${w.datagrams(p.dropped)}: buffer de recepção cheio`
      : p.machineWide ? `; nenhum descarte do kernel aqui (${p.counter} +${f.num(p.machineWide)} nesta máquina: descartes de outros sockets)`
        : '; nenhum descarte do kernel'
  return {
    listening: (p) =>
      `${p.em('escutando')} em ${p.here} (UDP${p.reachable !== p.here ? `; na rede: ${p.reachable}` : ''}), ` +
      `${p.echo ? 'com eco' : 'sem eco'}; buffer de recepção ${f.bytes(p.bufferBytes)}` +
      (p.dropsCounted ? '' : '; os descartes do kernel não podem ser contados aqui (só no Linux)'),
    filter: (p) => `${p.filter}; datagramas de pares filtrados não recebem resposta`,
    warning: (p) => `aviso: ${p.text}`,
    tryIt: (p) => `teste com: sockkit udp-send ${p.host} ${p.port} hola --seq`,
    datagram: (p) =>
      `${p.peer} ${f.plural(p.bytes, { one: '# byte', other: '# bytes' })}${p.shown}` + (p.newPeer ? p.dim(' (novo par)') : ''),
    seqGap: (p) =>
      `${p.peer} ${p.em('lacuna na seq')}: chegou ${f.num(p.seq)}, esperado ${f.num(p.expected)} — ${w.missing(p.missingSoFar)} até agora` +
      (p.missing !== p.missingSoFar ? ` (${f.plural(p.missing, { one: '# pulado', other: '# pulados' })} aqui)` : '') +
      (p.jump ? `; um salto maior que a janela de ${f.num(65536)} números` : ''),
    seqLate: (p) =>
      `${p.peer} ${p.em(`seq ${f.num(p.seq)} chegou atrasado`)} (reordenado: esperava-se ${f.num(p.expected)}; distância ${f.num(p.extent)})`,
    seqDuplicate: (p) => `${p.peer} ${p.em(`seq ${f.num(p.seq)} de novo`)} (duplicado)`,
    seqTooOld: (p) =>
      `${p.peer} ${p.em(`seq ${f.num(p.seq)} antigo demais`)} (mais de ${f.num(65536)} abaixo do maior, ${f.num(p.highest)}: atrasado ou uma cópia)`,
    datagramsHidden: (p) =>
      `${p.peer} … mais ${w.datagrams(p.datagrams)} (${f.bytes(p.bytes)}) não mostrados: ` +
      `no máximo ${f.num(p.limit)} linhas de datagrama por segundo por par (o resumo conta todos; --json mostra cada um)`,
    sequenceHidden: (p) => {
      const kinds = [
        p.gaps ? `${f.plural(p.gaps, { one: '# lacuna', other: '# lacunas' })} pulando ${f.plural(p.missing, { one: '# número', other: '# números' })}` : '',
        p.reordered ? f.plural(p.reordered, { one: '# atrasado', other: '# atrasados' }) : '',
        p.duplicates ? w.duplicates(p.duplicates) : '',
        p.tooOld ? `${f.plural(p.tooOld, { one: '# antigo demais para avaliar', other: '# antigos demais para avaliar' })}` : '',
      ].filter(Boolean).join(', ')
      const lines = p.gaps + p.reordered + p.duplicates + p.tooOld
      return `${p.peer} … ${p.em(f.plural(lines, { one: 'mais # linha de seq', other: 'mais # linhas de seq' }))} não mostradas (${kinds}) — ` +
        `${w.missing(p.missingSoFar)} até agora: no máximo ${f.num(p.limit)} linhas de seq por segundo por par (o resumo conta todas)`
    },
    seqRestart: (p) =>
      `${p.peer} ${p.em('seq recomeçou em 1')} (nova rodada; a anterior: seq ${f.num(p.lowest)}–${f.num(p.highest)}, ` +
      `${w.missing(p.missing)}, ${w.duplicates(p.duplicates)}, ${w.reordered(p.reordered)})`,
    peerEvicted: (p) =>
      `${p.em('pares demais')}: guardando estatísticas de no máximo ${f.num(p.maxPeers)}; esquecido ${p.peer} ` +
      `(o ouvido há mais tempo, ${w.datagrams(p.datagrams)}); os próximos são contados no resumo`,
    echoSkipped: (p) =>
      `${p.em('eco pulado')}: ${f.num(p.pendingEchoes)} ecos já esperando o kernel (uma inundação); os próximos pulos são contados no resumo`,
    denied: (p) =>
      `${p.em('negado')} ${w.datagrams(p.count)} (último: ${f.plural(p.bytes, { one: '# byte', other: '# bytes' })} de ` +
      `${p.from}, ${p.because}): sem resposta; ${f.plural(p.denied, { one: '# negado', other: '# negados' })} no total`,
    kernelDrops: (p) => `${p.em(w.dropped(p))}; ${f.num(p.total)} desde o início`,
    echoError: (p) => `${p.peer} ${p.em('falha no eco')} ${p.code}: ${p.message}`,
    serverError: (p) => `${p.em('erro do servidor')} ${p.code}: ${p.message} (continua escutando)`,
    stopped: (p) =>
      `parado depois de ${f.duration(p.durationMs)}: ${f.plural(p.peers, { zero: 'nenhum par', one: '# par', other: '# pares' })}, ${w.datagrams(p.datagrams)} (${f.bytes(p.bytes)})` +
      (p.echoed !== undefined ? `, ${f.plural(p.echoed, { zero: 'nenhum devolvido', one: '# devolvido', other: '# devolvidos' })}` : '') +
      (p.echoesSkipped ? `, ${f.plural(p.echoesSkipped, { one: '# eco pulado', other: '# ecos pulados' })} (inundação)` : '') +
      (p.peersEvicted ? `, ${f.plural(p.peersEvicted, { one: '# par esquecido', other: '# pares esquecidos' })} (acima de --max-peers)` : '') +
      (p.denied ? `, ${f.plural(p.denied, { one: '# negado', other: '# negados' })} (sem resposta)` : '') + summaryDrops(p),
    peer: (p) => {
      const base = `  ${p.peer}: ${w.datagrams(p.datagrams)}, ${f.bytes(p.bytes)}`
      const q = p.seq
      if (!q) return base
      return `${base}; seq ${f.num(q.lowest)}–${f.num(q.highest)}: ${w.missing(q.missing)}, ${w.duplicates(q.duplicates)}, ${w.reordered(q.reordered)}` +
        (q.reordered ? ` (maior distância ${f.num(q.maxReorderExtent)})` : '') +
        (q.tooOld ? `, ${f.plural(q.tooOld, { one: '# antigo demais para avaliar', other: '# antigos demais para avaliar' })}` : '') +
        (q.earlierRuns ? `; recomeçou ${f.plural(q.restarts, { one: '# vez', other: '# vezes' })}, rodadas anteriores: ` +
          `${f.plural(q.earlierRuns.received, { zero: 'nenhum recebido', one: '# recebido', other: '# recebidos' })}, ${w.missing(q.earlierRuns.missing)}` : '')
    },
    morePeers: (p) => `  … e mais ${f.plural(p.more, { one: '# par', other: '# pares' })} (--json lista todos)`,
    help: udpServerHelp,
  }
}

const udpServerHelp = {
  summary: 'eco UDP para todos os pares; lacunas, duplicados e reordenação de seq= por par',
  description: 'Um servidor de eco UDP. Mostra cada datagrama (endereço:porta de quem enviou, tamanho, prévia) no ' +
    'stderr e o devolve, byte a byte, a quem o enviou. Atende todos os pares ao mesmo tempo — nunca se prende ' +
    'ao primeiro — e um eco nunca é maior que o datagrama que o causou (sem amplificação).\n\n' +
    'Datagramas que começam com "seq=<n> " (como `sockkit udp-send --seq` os envia) são acompanhados por par: ' +
    'lacunas, duplicados e reordenação (RFC 4737) são relatados quando acontecem. Ctrl-C mostra um resumo por ' +
    'par e sai com 130.',
  arguments: { port: 'porta em que escutar (0 = qualquer porta livre)' },
  options: {
    host: 'endereço para o bind; 0.0.0.0 ou :: para aceitar outras máquinas',
    noEcho: 'só recebe e relata; não devolve nada',
    rcvbuf: 'pede ao kernel este buffer de recepção (SO_RCVBUF) e informa o que ele concedeu',
    maxPeers: 'pares cujas estatísticas são guardadas; além disso, o ouvido há mais tempo é esquecido',
    quiet: 'sem linhas nem eventos por datagrama (problemas de sequência continuam relatados)',
    json: 'eventos NDJSON no stdout em vez de texto no stderr',
  },
  examples: `
Exemplos:
  $ sockkit udp-server                   eco em 127.0.0.1:9000
  $ sockkit udp-server 5000 --host 0.0.0.0 --no-echo
  $ sockkit udp-server 5000 --host 0.0.0.0 --allow 192.168.1.0/24 --rcvbuf 4e6
  $ sockkit udp-server 0 --json > events.ndjson
                                         qualquer porta livre; eventos em NDJSON

Linhas de evento (stderr): "escutando", "[A:P] N bytes: prévia",
"[A:P] lacuna na seq: chegou 7, esperado 5",
"[A:P] seq 5 chegou atrasado (reordenado …)",
"[A:P] seq 5 de novo (duplicado)", "[A:P] seq recomeçou em 1 (…)",
"negado N datagramas (último: … de A:P, fora de --allow): sem resposta",
"o kernel descartou N datagramas para este socket: buffer de recepção
cheio (…)". No máximo 20 linhas de datagrama e 20 linhas de seq por segundo
por par; o resto é somado em uma linha "… mais N" (--json relata todos os
eventos). No Linux, a contagem de descartes deste socket (a coluna drops de
/proc/net/udp, /proc/net/udp6 para IPv6 e ::) é lida a cada 2 s enquanto
chegam datagramas e no Ctrl-C; o RcvbufErrors da máquina inteira
(/proc/net/snmp) aparece ao lado. A numeração começa em 1 (udp-send --seq).
Ctrl-C mostra datagramas, bytes e estatísticas de seq por par e sai com 130.`,
}
