import type { Area } from '../index.js'

/** tcp-server: eventos, avisos, resumo do Ctrl-C, linha de recusa e ajuda. */
export const tcpServer: Area<'tcpServer'> = (f) => {
  const connections = (n: number) => f.plural(n, { zero: 'nenhuma conexão', one: '# conexão', other: '# conexões' })
  const got = (n: number) => `${f.bytes(n)} ${n === 1 ? 'recebido' : 'recebidos'}`
  /** `1.234 bytes lidos, 56 escritos`: a unidade vem uma vez quando as duas contagens estão em bytes. */
  const inOut = (i: number, o: number) => {
    const read = `${f.bytes(i)} ${i === 1 ? 'lido' : 'lidos'}`
    const written = f.bytes(o)
    const unitOnce = / bytes$/.test(f.bytes(i)) && / bytes$/.test(written)
    return `${read}, ${unitOnce ? written.replace(/ bytes$/, '') : written} ${o === 1 ? 'escrito' : 'escritos'}`
  }
  const open = (n: number) => f.plural(n, { one: '# aberta', other: '# abertas' })
  const count = (n: number, one: string, other: string) => f.plural(n, { one: `# ${one}`, other: `# ${other}` })
  return {
    listening: (p) =>
      `${p.em('escutando')} em ${p.bound} (TCP)` + (p.reach !== p.bound ? ` — os clientes podem usar ${p.reach}` : ''),
    tryClient: (p) => `teste com: sockkit tcp-client ${p.host} ${p.port}`,
    greeting: (p) => `saudando cada cliente com "${p.preview}"`,
    silentHint: (p) =>
      `${p.tag} ${p.em('dica')}: este cliente não enviou nada em ${f.duration(p.silentMs)}; ` +
      `talvez esteja esperando o servidor falar primeiro — dê uma saudação com --greeting 'texto\\n'`,
    silentNoNewline: (p) =>
      `${p.tag} ${p.em('dica')}: este cliente não enviou nada em ${f.duration(p.silentMs)}; ` +
      `talvez ainda espere o fim da linha da saudação (ela não termina em \\n)`,
    greetingNoNewline: (p) =>
      p.em('aviso: a saudação não termina com quebra de linha (\\n): ') +
      'clientes que leem uma linha (readLine() do Java, readline() do Python) vão esperar por ela e nunca vê-la',
    queued: (p) =>
      `${p.em('na fila')} ${p.from}: as ${f.num(p.limit)} vagas estão ocupadas; ` +
      `${f.plural(p.waiting, { one: '# cliente', other: '# clientes' })} na fila, atendidos conforme vagarem`,
    filter: (p) => `${p.filter}; pares filtrados são fechados na hora`,
    warning: (p) => p.em(`aviso: ${p.text}`),
    goneClient: 'um cliente que já tinha saído',
    acceptedGone: (p) =>
      `${p.tag} ${p.em('aceita')} uma conexão cujo cliente já tinha saído (${open(p.active)})`,
    accepted: (p) =>
      `${p.tag} ${p.em('aceita')} ${p.from} → ${p.to} (${open(p.active)})`,
    refusedFull: (p) =>
      `${p.em('recusada')} ${p.from}: ${f.plural(p.active, { one: '# conexão aberta', other: '# conexões abertas' })}, limite ${f.num(p.limit)} (o cliente foi avisado)`,
    refusedClosing: (p) => `${p.em('recusada')} ${p.from}: o servidor está parando (o cliente foi avisado)`,
    read: (p) =>
      `${p.tag} leitura de ${f.plural(p.bytes, { one: '# byte', other: '# bytes' })}: ${p.preview}`,
    readsHidden: (p) =>
      `${p.tag} … mais ${f.plural(p.reads, { one: '# leitura', other: '# leituras' })} (${f.bytes(p.bytes)}) ${p.reads === 1 ? 'oculta' : 'ocultas'}: ` +
      `até ${f.num(p.limit)} linhas por segundo por conexão (--json mostra todas)`,
    denied: (p) => `${p.em('negada')} ${p.from} (${p.because}); fechada na hora`,
    halfCloseAnswer: (p) =>
      `${p.tag} o cliente fechou o lado dele em resposta ao nosso (${got(p.bytesIn)})`,
    halfClose: (p) =>
      `${p.tag} ${p.em('meio fechamento recebido')}: o cliente terminou de enviar (${got(p.bytesIn)}); terminando o eco e depois fechando`,
    notReading: (p) =>
      `${p.tag} ${p.em('o cliente não está lendo')} os ecos (há ${f.duration(p.forMs)}, ` +
      `${f.bytes(p.bufferedBytes)} na fila para ele): paramos de ler dele até ele se atualizar`,
    caughtUp: (p) => `${p.tag} o cliente se atualizou; lendo de novo`,
    idle: (p) => `${p.tag} ${p.em('inativa')} há ${f.duration(p.idleMs)}; fechando`,
    closedReset: (p) =>
      `${p.tag} ${p.em('redefinida pelo par')} (${p.code}) após ${f.duration(p.durationMs)}: ${inOut(p.bytesIn, p.bytesOut)}`,
    closedError: (p) =>
      `${p.tag} ${p.em('fechada por erro')} ${p.code}: ${p.message}; em ${f.duration(p.durationMs)}: ${inOut(p.bytesIn, p.bytesOut)}`,
    closedBecause: { 'normal': '', 'reset': '', 'error': '', 'idle-timeout': ' (tempo limite de inatividade)', 'server-stopped': ' (servidor parando)' },
    closed: (p) =>
      `${p.tag} ${p.em('fechada')} depois de ${f.duration(p.durationMs)}: ${inOut(p.bytesIn, p.bytesOut)}${p.because}`,
    serverError: (p) => `${p.em('erro do servidor')} ${p.code}: ${p.message} (continua escutando)`,
    stopped: (p) =>
      `parado depois de ${f.duration(p.durationMs)}: ${connections(p.accepted)} (pico de ${f.num(p.peak)} ao mesmo tempo), ` +
      inOut(p.bytesIn, p.bytesOut) +
      (p.refused ? `, ${count(p.refused, 'recusada', 'recusadas')}` : '') + (p.denied ? `, ${count(p.denied, 'negada', 'negadas')}` : '') +
      (p.resets ? `, ${count(p.resets, 'redefinida (RST)', 'redefinidas (RST)')}` : '') + (p.idleTimeouts ? `, ${count(p.idleTimeouts, 'fechada por inatividade', 'fechadas por inatividade')}` : ''),
    refusalFull: (p) => `servidor ocupado: ${f.plural(p.limit, { one: '# cliente conectado', other: '# clientes conectados' })}; tente de novo mais tarde`,
    refusalClosing: 'o servidor está sendo encerrado; tente de novo mais tarde',
    fdWarning: (p) =>
      `${p.em('sockkit:')} aviso: --max-connections ${p.maxConnections} é mais do que este processo aguenta: o limite de arquivos abertos é ${f.num(p.limit)} (ulimit -n), ` +
      `então, passando de umas ${f.num(p.usable)} conexões, novos clientes são fechados na hora, sem linha de recusa e sem nada registrado aqui; ` +
      `aumente o limite (ulimit -n ${p.needed}) ou diminua --max-connections`,
    help: {
      summary: 'servidor de eco TCP que narra cada evento de conexão',
      description: 'Um servidor de eco TCP. Devolve cada byte assim que ele chega, para qualquer número de clientes ao ' +
        'mesmo tempo, e mostra uma linha por evento no stderr: escutando, aceita, cada leitura, meio fechamento, ' +
        'fechada, redefinida. Um cliente que não lê os ecos é pausado, em vez de o servidor acumular dados para ele.',
      arguments: { port: 'porta em que escutar (0 = qualquer porta livre)' },
      options: {
        host: 'endereço para o bind; 0.0.0.0 ou :: para aceitar outras máquinas',
        greeting: (p) => `envia isto a cada cliente ao aceitar (escapes: ${p.escapes})`,
        maxConnections: 'clientes atendidos ao mesmo tempo; os demais são recusados com educação (ou esperam, com --queue)',
        queue: (p) => `clientes além de --max-connections esperam a vez em vez de serem recusados; no máximo n esperam (padrão ${f.num(p.limit)})`,
        idleTimeout: 'fecha uma conexão inativa por este tempo (0 = nunca)',
        noEcho: 'só recebe e relata; não devolve nada',
        quiet: 'sem eventos por leitura (as conexões continuam relatadas); vale também com --json',
        json: 'eventos NDJSON no stdout em vez de texto no stderr',
      },
      examples: `
Exemplos:
  $ sockkit tcp-server                   eco em 127.0.0.1:9000
  $ sockkit tcp-server 5000 --greeting 'Bem-vindo ao servidor!\\n'
  $ sockkit tcp-server 5000 --host 0.0.0.0 --allow 192.168.1.0/24
  $ sockkit tcp-server 0 --json --quiet > events.ndjson
                                         qualquer porta livre; eventos em NDJSON

Linhas de evento (stderr): "escutando", "[#3] aceita A → B",
"[#3] leitura de N bytes: prévia", "[#3] meio fechamento recebido",
"[#3] fechada depois de T: N bytes recebidos, N bytes enviados",
"[#3] redefinida pelo outro lado", "recusada A: …",
"negada A (fora de --allow)", "[#3] o cliente não está lendo",
"[#3] inativa há T; fechando". No máximo 20 linhas de leitura por segundo
por conexão; o resto é somado em uma linha "… mais K leituras".
Com --json, cada evento é um objeto no stdout: {"time","event","id",…};
o último é "summary". Ctrl-C para de aceitar, fecha todas as conexões,
mostra um resumo e sai com 130.`,
    },
  }
}
