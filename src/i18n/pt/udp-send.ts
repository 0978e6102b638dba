import type { Area } from '../index.js'

/** udp-send: ajuda, linhas de evento e resumo (stderr). */
export const udpSend: Area<'udpSend'> = (f) => {
  const datagrams = (n: number) => f.plural(n, { zero: 'nenhum datagrama', one: '# datagrama', other: '# datagramas' })
  const replies = (n: number) => f.plural(n, { zero: 'nenhuma resposta', one: '# resposta', other: '# respostas' })
  const bytes = (n: number) => f.plural(n, { one: '# byte', other: '# bytes' })
  /** Um atraso do emissor: centésimos de ms abaixo de 10 ms, onde o ritmo é avaliado. */
  const lag = (ms: number) => ms < 10 ? `${f.num(ms, 2)} ms` : f.duration(ms)
  const stopWords = (stop: 'stopped' | 'ended') => stop === 'stopped' ? 'ao parar' : 'quando a execução terminou'
  /** O Windows nunca repassa o ICMP "port unreachable" a um programa. */
  const windowsNoRefusal = 'o Windows não repassa o aviso \'porta inalcançável\', então "nada está escutando" e "nenhuma resposta" parecem iguais aqui'
  return {
    refusedGoingOn: (p: { target: string }) =>
      `ainda não há nada escutando em ${p.target} (o host disse 'porta inalcançável'); ` +
      'digite outra linha quando o servidor rodar',
    pace: (p: { asked: number | null; achieved: number; lagMaxMs?: number; lagP99Ms?: number }) =>
      p.asked === null
        ? `taxa: ${f.num(Math.round(p.achieved))} datagramas/s (tão rápido quanto o socket aceitou)`
        : `taxa: ${f.num(Math.round(p.achieved))}/s dos ${f.num(Math.round(p.asked))}/s pedidos` +
          (p.lagMaxMs === undefined ? '' : `; atraso do emissor: máx. ${lag(p.lagMaxMs)} (p99 ${lag(p.lagP99Ms ?? 0)})`),
    paceShort: (p: { asked: number; achieved: number }) =>
      `esta máquina não deu conta: chegou a ${f.num(Math.round(p.achieved))}/s, ` +
      `${f.num(Math.floor(p.achieved / p.asked * 100))}% dos ${f.num(Math.round(p.asked))}/s pedidos`,
    sendRefusals: (p: { refusals: number }) =>
      `o kernel recusou ${f.plural(p.refusals, { one: '# envio', other: '# envios' })} por falta de buffer (ENOBUFS); cada um foi repetido`,
    seqMerged: (p: { merged: number; runs: string; more: boolean }) =>
      `${f.plural(p.merged, { one: '# resposta trazia', other: '# respostas traziam' })} várias linhas seq= (o servidor juntou datagramas numa resposta); ` +
      `respondidos dentro delas, não perdidos: ${p.runs}${p.more ? ', …' : ''}`,
    windowsNoRefusal,
    help: {
      summary: 'envia datagramas e coleta cada resposta dentro de uma espera',
      description: (p) => 'Envia datagramas UDP para HOST:PORTA e mostra cada resposta que chega.\n\n' +
        'Cada mensagem é um datagrama. Sem mensagem, cada linha do stdin é um datagrama, sem o final de ' +
        'linha: \\n, ou \\r\\n como o Windows escreve, não é enviado (qualquer outro \\r é). Entrada binária é ' +
        'dividida do mesmo jeito. Para enviar os bytes exatos, finais de linha incluídos, passe a mensagem ' +
        'como argumento ("hola\\r\\n" envia os 6 bytes). Stdin vazio é erro de uso (saída 2): nada a enviar.\n\n' +
        'O UDP não tem fim de fluxo, então depois do último envio ele espera --wait ms e coleta cada resposta: ' +
        'um servidor pode responder a um datagrama com vários. As respostas vão para o stdout, um datagrama por ' +
        'linha: uma quebra de linha é acrescentada a uma resposta que não termina com uma, então dois datagramas ' +
        '"hola" e "mundo" nunca aparecem como "holamundo" (--raw escreve os bytes exatamente como chegaram). ' +
        'Eventos e resumo vão para o stderr.\n\n' +
        (p.windows
          ? `Só respostas do próprio HOST:PORTA são ouvidas (um socket conectado). ${windowsNoRefusal}. ` +
            'Um servidor que responde de outra porta — o new DatagramSocket() do Java, por exemplo — precisa de --any-source.\n\n'
          : 'Só respostas do próprio HOST:PORTA são ouvidas (um socket conectado, que é também como se detecta ' +
            '"nada está escutando"). Um servidor que responde de outra porta — o new DatagramSocket() do Java, ' +
            'por exemplo — precisa de --any-source.\n\n') +
        'Com --seq cada datagrama começa com "seq=<n> " (a partir de 1) e o resumo diz quais voltaram: ' +
        'respondidos, perdidos (sem resposta dentro da espera, RFC 7680; "sem resposta ao parar" se o Ctrl-C ' +
        'interrompeu a execução), duplicados, reordenados (RFC 4737). Respostas sem o prefixo não permitem ' +
        'saber a perda; o resumo diz isso em vez de adivinhar.',
      host: 'nome do host ou endereço de destino',
      port: 'porta de destino',
      message: (p) => `texto a enviar (escapes: ${p.escapes}); linhas do stdin quando omitido`,
      count: 'envia cada mensagem este número de vezes',
      interval: 'ms entre datagramas (padrão: o mais rápido possível)',
      intervalZero: 'um atrás do outro',
      rate: 'datagramas por segundo, em vez de --interval',
      size: (p) => `completa cada datagrama com '.' até exatamente este tamanho (no máximo ${f.num(p.ipv4)} em IPv4, ${f.num(p.ipv6)} em IPv6)`,
      seq: 'prefixa cada datagrama com "seq=<n> " e relata respostas perdidas, duplicadas e reordenadas',
      wait: 'depois do último envio, coleta respostas por este tempo',
      waitZero: 'sem espera',
      anySource: (p) => p.windows
        ? 'aceita respostas de qualquer endereço e porta, com um socket não conectado (padrão: só HOST:PORTA é ouvido)'
        : 'aceita respostas de qualquer endereço e porta (um socket não conectado); ' +
          'neste modo um \'port unreachable\' não pode ser detectado (padrão: só HOST:PORTA é ouvido)',
      rcvbuf: 'pede ao kernel este buffer de recepção (SO_RCVBUF) e informa o que ele concedeu (padrão: o do sistema)',
      raw: 'escreve os bytes das respostas no stdout exatamente como chegaram (padrão: uma quebra de linha após cada resposta sem uma)',
      quiet: 'sem linhas por datagrama no stderr (o resumo continua)',
      examples: (p) => `
Exemplos:
  # um datagrama; cada resposta aparece em sua própria linha
  $ sockkit udp-send 127.0.0.1 9000 hola
  # dois datagramas, um por linha do stdin
  $ printf 'hola\\nmundo\\n' | sockkit udp-send 127.0.0.1 9000
  # 100 datagramas numerados; um servidor que responde de outra porta é ouvido
  $ sockkit udp-send 127.0.0.1 9000 hola --count 100 --seq --any-source

Linhas de evento (stderr): "enviados N bytes: prévia",
"resposta de A, N bytes: prévia", "último datagrama enviado; coletando…",
e depois o resumo. No Linux o resumo também diz quando o kernel desta
máquina descartou datagramas porque um buffer de recepção estava cheio
(Udp RcvbufErrors em /proc/net/snmp, Udp6RcvbufErrors em /proc/net/snmp6
para IPv6; um contador da máquina inteira); --rcvbuf ajuda.
${p.windows
  ? `Códigos de saída: 0 concluído (inclusive com respostas perdidas, e com nada
escutando: o Windows não informa 'port unreachable'), 1 uma mensagem não
enviada, 2 linha de comando inválida ou stdin vazio (nada a enviar),
130 Ctrl-C (depois do resumo).`
  : `Códigos de saída: 0 concluído (inclusive com respostas perdidas), 1 nada
escutando (ICMP port unreachable; o resumo é mostrado antes) ou uma mensagem
não enviada, 2 linha de comando inválida ou stdin vazio (nada a enviar),
130 Ctrl-C (depois do resumo).`}`,
    },
    datagramLimit: (p) =>
      `no máximo ${f.num(p.maxBytes)} bytes por datagrama` + (p.macos ? '; o macOS envia até 9216, a menos que `sysctl net.inet.udp.maxdgram` seja aumentado' : ''),
    readyConnected: (p) =>
      `enviando para ${p.remote} a partir de ${p.local} (UDP sobre ${p.family}, ${p.limit})`,
    readyAnySource: (p) =>
      `enviando para ${p.remote} a partir da porta ${p.localPort} em ${p.localAddress ?? 'todos os endereços locais'} (UDP sobre ${p.family}, ${p.limit})`,
    anySourceNote: (p) => p.windows
      ? `--any-source: respostas de qualquer endereço e porta são aceitas; ${windowsNoRefusal}`
      : '--any-source: respostas de qualquer endereço e porta são aceitas; neste modo um \'port unreachable\' não ' +
        'pode ser detectado, então "nada está escutando" parece igual a "nenhuma resposta"',
    typeLines: (p) => `digite linhas: cada uma é enviada como um datagrama (sem o final de linha); ${p.eofKey} para terminar`,
    sent: (p) =>
      `${p.arrow} ${p.bytes === 1 ? 'enviado' : 'enviados'} ${p.seq !== undefined ? `seq ${f.num(p.seq)}, ` : ''}${bytes(p.bytes)}${p.shown}`,
    notSent: (p) =>
      `${p.line === undefined ? 'a mensagem' : `a linha ${f.num(p.line)}`} tem ${f.num(p.bytes)} bytes` +
      (p.datagramBytes !== p.bytes ? ` (${f.num(p.datagramBytes)} com o prefixo seq=)` : '') +
      `, ${p.overSize ? `mais que --size ${p.limitBytes}` : `acima do limite UDP de ${f.num(p.limitBytes)} bytes`}; não enviada`,
    reply: (p) =>
      `${p.arrow} resposta de ${p.source}${p.fromTarget ? '' : p.mark(' (não é o destino)')}, ${bytes(p.bytes)}${p.shown}`,
    waiting: (p) =>
      `último datagrama enviado; coletando respostas por ${f.duration(p.waitMs)} (UDP não tem fim de fluxo; --wait muda isso)`,
    totals: (p) =>
      `${p.interrupted ? `${p.interrupted('interrompido')}: ` : ''}` +
      `${f.plural(p.sent, { zero: 'nenhum datagrama enviado', one: '# datagrama', other: '# datagramas' })} (${f.bytes(p.bytesSent)}) para ${p.target}, ` +
      `${f.plural(p.replies, { zero: 'nenhuma resposta recebida', one: '# resposta', other: '# respostas' })} (${f.bytes(p.bytesReceived)})` +
      (p.notSent ? `; ${p.red(f.plural(p.notSent, { one: '# não enviada (muito longa)', other: '# não enviadas (muito longas)' }))}` : ''),
    stoppedPlanned: (p) => `a execução parou aí: ${f.num(p.unsent)} de ${datagrams(p.planned)} não enviados`,
    stoppedStdin: 'a execução parou aí: as linhas seguintes do stdin não foram enviadas',
    otherSources: (p) =>
      `${replies(p.replies)} de outro endereço ou porta que não o destino ${p.target}: ` +
      `${p.sources.map(s => `${s.source} (${f.num(s.count)})`).join(', ')}${p.more ? ', …' : ''}`,
    seqNoPrefix: (p) =>
      'seq: as respostas não traziam o prefixo seq= (o servidor respondeu com as próprias palavras), então não dá para ' +
      `saber a perda por elas: ${f.plural(p.sent, { one: '# enviado', other: '# enviados' })}, ${replies(p.replies)} ${p.replies === 1 ? 'recebida' : 'recebidas'}`,
    seqMissing: (p) =>
      p.stop === undefined
        ? f.plural(p.lost, { zero: 'nenhum perdido', one: '# perdido', other: '# perdidos' })
        : `${f.plural(p.lost, { one: '# sem resposta', other: '# sem resposta' })} ${stopWords(p.stop)}`,
    seqLine: (p) =>
      `seq: ${f.num(p.matched)} de ${f.num(p.sent)} respondidos, ${p.missing}, ` +
      `${f.plural(p.duplicates, { zero: 'nenhum duplicado', one: '# duplicado', other: '# duplicados' })}, ` +
      f.plural(p.reordered, { zero: 'nenhum reordenado', one: '# reordenado', other: '# reordenados' }) +
      (p.reordered ? ` (maior distância ${f.num(p.maxReorderExtent)})` : '') +
      (p.unnumbered ? `, ${f.num(p.unnumbered)} sem o prefixo seq=` : '') +
      (p.unknown ? `, ${f.num(p.unknown)} com um número que nunca enviamos` : ''),
    seqLost: (p) =>
      `${p.stop === undefined ? 'perdidos (sem resposta dentro da espera)' : `ainda sem resposta ${stopWords(p.stop)}`}: ` +
      `${p.runs}${p.more ? ', …' : ''}` +
      (p.unnumbered ? ` — avaliado pelas respostas numeradas; as ${f.num(p.unnumbered)} sem prefixo podem responder a alguns destes` : ''),
    kernelCounter: (p) =>
      `${p.ipv6 ? 'Udp6RcvbufErrors' : 'Udp RcvbufErrors'} +${f.num(p.drops)}; um contador da máquina inteira: o buffer do próprio udp-send, ` +
      'o do servidor se ele roda nesta máquina, ou o de qualquer outro programa',
    kernelMissing: (p) =>
      `${replies(p.missing)} faltando, e o kernel desta máquina descartou até ` +
      `${datagrams(p.drops)} durante a execução porque um buffer de recepção estava cheio (${p.counter}) — ` +
      '--rcvbuf <bytes> dá ao udp-send um buffer maior; --rate envia mais devagar',
    kernelMaybe: (p) =>
      `o kernel desta máquina descartou ${datagrams(p.drops)} durante a execução porque um buffer de recepção estava cheio ` +
      `(${p.counter}); se você esperava mais respostas, algumas podem estar entre eles — --rcvbuf <bytes> dá ao udp-send um buffer maior`,
    noReply: (p) => {
      const stop = p.aborted ? ' antes da parada' : ''
      if (p.windows) return `nenhuma resposta de ${p.connected ? p.target : 'nenhum endereço'}${stop}: ${windowsNoRefusal}`
      return p.connected
        ? `nenhuma resposta de ${p.target}${stop}: se o servidor responde de outra porta (o new DatagramSocket() do Java faz isso), use --any-source`
        : 'nenhuma resposta de nenhum endereço (com --any-source um \'port unreachable\' não pode ser detectado: nada escutando parece igual)'
    },
  }
}
