import type { Area } from '../index.js'

/** Tudo o que o `sockkit link` diz: ajuda, bloco inicial, uma linha por evento, totais e resumo. */
export const link: Area<'link'> = (f) => ({
  help: {
    summary: 'encaminhador (relay) que adiciona perda, atraso, jitter, reordenação ou duplicação entre cliente e servidor',
    description: 'Um encaminhador (relay) que degrada o tráfego de propósito, entre qualquer cliente e qualquer servidor (inclusive ' +
      'os seus próprios programas em Python ou Java): perda, atraso, jitter, reordenação, duplicação, cada sentido separadamente. ' +
      'Os clientes se conectam a <listen-port>; o encaminhador repassa para <target> e registra cada descarte, atraso, ' +
      'reordenação e cópia no stderr.\n\n' +
      'UDP: o encaminhador aplica todas as degradações, datagrama por datagrama. TCP: ele atrasa, aplica jitter e limita o ritmo do ' +
      'fluxo de bytes, mas não consegue perder, reordenar nem duplicar segmentos sem corromper o fluxo, então se recusa ' +
      'a fazer isso. A perda TCP real vem do emulador do kernel (Linux, root, nft), que o auto escolhe quando pode.',
    tcpLossWithoutRoot: 'Sem root, onde o Linux permite namespaces de usuário sem privilégios (Debian, Ubuntu e Fedora permitem), ' +
      'a perda TCP continua vindo do kernel: cada conexão atravessa o loopback de um namespace de usuário e de rede privado, ' +
      'onde o nftables descarta segmentos, e o TCP os retransmite de verdade.',
    args: { listenPort: 'porta à qual os clientes se conectam (0 = qualquer porta livre)', target: 'o servidor real, host:porta' },
    options: {
      tcp: 'encaminha TCP (padrão)',
      udp: 'encaminha datagramas UDP',
      loss: 'descarta esta fração dos pacotes, em cada sentido',
      delay: 'adiciona este atraso de ida, em cada sentido',
      jitter: 'varia o atraso em até ± este valor',
      reorder: 'UDP: retém esta fração atrás do seguinte',
      duplicate: 'UDP: envia duas vezes esta fração dos datagramas',
      emulator: 'auto, kernel (perda) ou userspace',
      seed: 'repete as decisões do encaminhador: mesma semente e mesmo tráfego, mesmos descartes, atrasos e cópias ' +
        '(padrão: aleatória); os descartes do emulador do kernel são aleatórios, --emulator userspace (UDP) também os repete',
      host: 'endereço em que escutar',
      pace: 'TCP: taxa máxima por sentido (0 = sem limite)',
      maxClients: 'UDP: associações de clientes mantidas ao mesmo tempo (padrão: 256)',
      quiet: 'sem linhas por pacote; só os totais',
      json: 'eventos NDJSON no stdout em vez de texto no stderr',
    },
    examples: (p) => `
Exemplos:
  $ sockkit link 9001 127.0.0.1:9000 --udp --loss 20
      um servidor UDP atrás de um enlace que perde 20% em cada sentido
  $ sockkit link 9001 127.0.0.1:9000 --delay 100 --jitter 30
      TCP com 100 ± 30 ms em cada sentido
  $ sudo sockkit link 9001 127.0.0.1:9000 --loss 5
      perda TCP real: o kernel descarta pacotes e o TCP retransmite

Cada sentido é degradado separadamente: 20% de perda em cada sentido
perde 36% dos pares pedido/resposta (1 − 0,8²), e 100 ms em cada sentido
somam 200 ms ao RTT; a ida e volta esperada é impressa no início.
As linhas por pacote ficam limitadas a ${f.num(p.linesPerSecond)} por segundo por conexão ou
cliente (o --json tem todas). Ctrl-C imprime os totais por sentido e
sai com 130.`,
  },
  usage: {
    targetForm: (p) =>
      `o destino deve ser host:porta (como 127.0.0.1:9000), não "${p.value}"` +
      (p.ipv6 ? `; um endereço IPv6 vai entre colchetes: [${p.ipv6.host}]:${p.ipv6.port}` : ''),
    targetHost: 'o host do destino',
    emulator: (p) => `o emulador deve ser auto, kernel ou userspace, não "${p.value}"`,
    msTooLong: (p) => `${p.name} deve ser no máximo ${f.num(p.maxMs)} ms, não "${p.value}"`,
    seedTooBig: (p) => `a semente deve ser menor que 4294967296, não "${p.value}"`,
    maxClientsTcp: '--max-clients limita os clientes UDP associados; o encaminhador TCP aceita até 1000 conexões de uma vez (use com --udp)',
    paceUdp: '--pace limita um fluxo de bytes TCP; em UDP passam datagramas inteiros: limite o ritmo do emissor ou use --delay',
  },
  kernelSeedNote: '--seed repete as decisões do encaminhador (atraso, jitter, reordenação, duplicação); ' +
    'os descartes do kernel são aleatórios — --emulator userspace (UDP) faz os descartes se repetirem',
  duplicateAmplifier: (p) =>
    `sockkit: aviso: com --duplicate ${p.percent} em ${p.host}, qualquer um que alcance esta porta pode receber até ` +
    `${f.num(p.factor)}× os bytes que envia, devolvidos por um destino de eco` +
    `${p.allowGiven ? '' : '; --allow <cidr> limita quem pode usá-lo'} (veja docs/security.md)`,
  start: {
    linking: (p) => `${p.linking} ${p.from} → ${p.to} (${p.transport}): ${p.description}`,
    linkingWord: 'encaminhando',
    emulator: (p) => `emulador: ${p.emulator} — ${p.reason}`,
    kernelTable: (p) => `tabela do kernel inet ${p.table} (removida ao sair; um vigia a remove se este processo for morto)`,
    emulatorUserns: 'kernel (namespace de usuário)',
    kernelTableUserns: (p) => `tabela do kernel inet ${p.table} num namespace de usuário privado que cada conexão encaminhada ` +
      'atravessa a caminho do destino (não precisa de root; termina com o link)',
    kernelDropsAfterRelay: 'o kernel descarta datagramas onde o encaminhador não vê: um datagrama c→s descartado nunca chega ao encaminhador, e uma linha s→c ' +
      'diz "entregue ao kernel" porque o kernel ainda pode descartá-lo — os totais do kernel contam cada descarte; ' +
      '--emulator userspace registra cada descarte',
    seed: (p) => `semente ${p.seed} (repita as mesmas decisões com --seed ${p.seed})`,
    filter: (p) => `${p.filter}; ` +
      (p.transport === 'udp' ? 'datagramas de clientes filtrados não são encaminhados' : 'clientes filtrados têm a conexão fechada na hora'),
    warning: (p) => `aviso: ${p.text}`,
    pointClient: (p) =>
      `aponte o seu cliente para ${p.reach.join(' ou ')}${p.more ? ' (ou outro endereço desta máquina)' : ''} em vez de ${p.target}`,
  },
  event: {
    word: {
      dropped: 'descartado',
      heldBack: 'retido',
      duplicateCopy: 'cópia duplicada',
      queueFull: 'descartado: fila de atraso cheia',
      ignored: 'ignorado',
      unreachable: 'não foi possível alcançar o destino',
      upstreamError: 'erro no destino',
      relayError: 'erro do encaminhador',
      accepted: 'aceita',
      denied: 'negado',
      refused: 'recusada',
      halfClose: 'meio fechamento',
      reset: 'redefinida',
    },
    kind: { dropped: 'descartados', heldBack: 'retidos', forwarded: 'encaminhados', queueFull: 'descartados: fila de atraso cheia', chunks: 'blocos' },
    clientLabel: (p) => `cliente ${p.clientId}`,
    connectionLabel: (p) => `[#${p.id}]`,
    hidden: (p) =>
      `${p.label} … ${f.plural(p.hidden, { one: 'mais # linha de pacote não mostrada', other: 'mais # linhas de pacote não mostradas' })} (${p.kinds.map(([kind, n]) => `${f.num(n)} ${kind}`).join(', ')}` +
      (p.bytes ? `; ${f.bytes(p.bytes)}` : '') +
      `): no máximo ${f.num(p.perSecond)} por segundo por ${p.unit === 'connection' ? 'conexão' : 'cliente'}; os totais contam tudo, o --json mostra todas`,
    dropped: (p) =>
      `cliente ${p.clientId} ${p.arrow} #${p.index} ${p.dropped} (${f.bytes(p.bytes)})`,
    held: (p) =>
      `cliente ${p.clientId} ${p.arrow} #${p.index} ${p.held} para reordenar: ` +
      `enviado depois do próximo datagrama se ele chegar em ${f.num(p.holdMs)} ms, senão em ordem com ${f.num(p.holdMs)} ms de atraso`,
    forwarded: (p) =>
      `cliente ${p.clientId} ${p.arrow} #${p.index} ${p.handedToKernel ? 'entregue ao kernel' : 'encaminhado'} ${f.bytes(p.bytes)}` +
      (p.notes.length ? ` ${p.notes.join(', ')}` : ''),
    noteAfter: (p) => `após ${f.num(p.delayMs, 1)} ms`,
    noteReordered: (p) => `reordenado: enviado depois de #${p.passedBy}`,
    noteHeldTimedOut: (p) => `retido ${f.num(p.holdMs)} ms, nenhum sucessor chegou: enviado em ordem`,
    overflow: (p) =>
      `cliente ${p.clientId} ${p.arrow} #${p.index} ${p.full} (${f.bytes(p.queuedBytes)} na fila) — não faz parte do --loss`,
    client: (p) =>
      `cliente ${p.clientId}: ${p.address} (porta para o destino ${p.upstreamPort}, ${f.plural(p.active, { zero: 'nenhum ativo', one: '# ativo', other: '# ativos' })})`,
    clientExpired: (p) =>
      `cliente ${p.clientId}: ${p.address} inativo por ${f.duration(p.idleMs)}; associação removida`,
    clientRefused: (p) =>
      `${p.ignored} um datagrama de ${p.address}: já há ${f.num(p.limit)} clientes associados (--max-clients)`,
    udpUnreachable: (p) =>
      `cliente ${p.clientId}: ${p.unreachable}: ${p.why}` + (p.count > 1 ? ` (${f.num(p.count)} vezes desde a última linha assim)` : ''),
    udpUpstreamError: (p) =>
      `cliente ${p.clientId}: ${p.error} ${p.code}: ${p.message}`,
    relayError: (p) => `${p.error} ${p.code}: ${p.message}`,
    accepted: (p) => `[#${p.id}] ${p.accepted} ${p.remote} (${f.plural(p.active, { zero: 'nenhuma aberta', one: '# aberta', other: '# abertas' })})`,
    tcpDenied: (p) =>
      `${p.denied} ${p.remote ?? 'um cliente que já tinha saído'} (${p.because}); conexão fechada na hora`,
    udpDenied: (p) =>
      `${p.denied} ${f.plural(p.count, { one: '# datagrama', other: '# datagramas' })} (último: ${f.plural(p.bytes, { one: '# byte', other: '# bytes' })} de ` +
      `${p.remote}, ${p.because}): não encaminhados; ${f.plural(p.total, { one: '# negado', other: '# negados' })} no total`,
    refused: (p) => `${p.refused} ${p.remote}: ${f.plural(p.limit, { one: '# conexão aberta', other: '# conexões abertas' })}`,
    upstreamConnected: (p) => `[#${p.id}] conectado ao destino a partir da porta ${p.localPort}`,
    upstreamFailed: (p) =>
      `[#${p.id}] ${p.unreachable}: ${p.why}; a conexão do cliente é redefinida para que ele veja a falha`,
    chunk: (p) =>
      `[#${p.id}] ${p.arrow} ${f.bytes(p.bytes)}` + (p.delayMs > 0 ? ` atrasado ${f.num(p.delayMs, 1)} ms` : ''),
    backpressure: (p) =>
      `[#${p.id}] ${p.arrow} ${f.bytes(p.queuedBytes)} na fila: a leitura fica pausada até esvaziar`,
    halfClose: (p) =>
      `[#${p.id}] ${p.arrow} ${p.halfClose} (FIN) recebido; repassado depois dos dados que vêm antes dele`,
    reset: (p) =>
      `[#${p.id}] ${p.reset} ${p.code} do lado do ${p.side === 'client' ? 'cliente' : 'servidor'} — o outro lado também é redefinido`,
    closed: (p) =>
      `[#${p.id}] fechada após ${f.duration(p.durationMs)}: c→s ${f.bytes(p.toServer)}, s→c ${f.bytes(p.toClient)}` +
      (p.reason === undefined ? '' : ` (${p.reason})`),
    closeReason: {
      normal: 'fechamento normal',
      reset: 'redefinida',
      'upstream-failed': 'não foi possível alcançar o destino',
      'relay-stopped': 'o encaminhador parou',
      error: 'um erro de socket',
    },
    kernelTable: (p) =>
      `kernel: tabela nftables inet ${p.table} descarta ${f.num(p.loss)}% dos pacotes ${p.protocols.join('/')} de e para a porta ${p.ports.join(', ')}` +
      (p.watchdogPid ? ` (pid do vigia ${p.watchdogPid})` : ''),
    kernelTableUserns: (p) =>
      `kernel: a tabela do nftables inet ${p.table} descarta ${f.num(p.loss)}% dos segmentos TCP em cada sentido no loopback de um namespace de usuário privado, entre o encaminhador e o destino`,
  },
  totals: {
    direction: (p) =>
      `entram ${f.num(p.received)}, ${p.dropped}${p.droppedPercent === undefined ? '' : ` (${f.num(p.droppedPercent, 1)}%)`}, saem ${f.num(p.forwarded)}` +
      (p.delayed ? `, ${f.plural(p.delayed, { one: '# atrasado', other: '# atrasados' })}` : '') + (p.reordered ? `, ${f.plural(p.reordered, { one: '# reordenado', other: '# reordenados' })}` : '') +
      (p.duplicated ? `, ${f.plural(p.duplicated, { one: '# duplicado', other: '# duplicados' })}` : '') + (p.bytes ? `, ${f.bytes(p.bytes)}` : ''),
    dropped: (p) => `${f.plural(p.n, { one: '# descartado', other: '# descartados' })}`,
    relay: (p) => `${p.prefix} encaminhador (${p.udp ? 'datagramas' : 'blocos'}): c→s ${p.c2s}; s→c ${p.s2c}`,
    kernel: (p) => `${p.prefix} kernel (pacotes): c→s ${p.c2s}; s→c ${p.s2c}`,
    prefixTotals: 'totais:',
    prefixStopped: (p) => `parado após ${f.duration(p.durationMs)}:`,
    denied: (p) => `${p.udp
      ? f.plural(p.n, { zero: 'nenhum datagrama negado', one: '# datagrama negado', other: '# datagramas negados' })
      : f.plural(p.n, { zero: 'nenhuma conexão negada', one: '# conexão negada', other: '# conexões negadas' })} de clientes filtrados (--allow/--deny)`,
    kernelTableRemoved: (p) => `tabela do kernel inet ${p.table} removida`,
    kernelTableUsernsGone: (p) => `a tabela do kernel inet ${p.table} sumiu junto com seu namespace de usuário`,
    retransmitted: (p) =>
      `${p.prefix} o TCP retransmitiu ${f.plural(p.n, { zero: 'nenhum segmento', one: '# segmento', other: '# segmentos' })} no namespace de usuário (RetransSegs)`,
  },
})
