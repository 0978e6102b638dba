import type { Area } from '../index.js'

/** ws-server: ajuda, linhas de evento, códigos de fechamento em palavras (também para o ws-client), a página do navegador. */
export const wsServer: Area<'wsServer'> = (f) => {
  /** `word`: the participle in the singular (recebida, enviada): it agrees with the count. */
  const messages = (n: number, word: string) => f.plural(n, { zero: `nenhuma mensagem ${word}`, one: `# mensagem ${word}`, other: `# mensagens ${word}s` })
  const open = (n: number, noun: 'conexão' | 'WebSocket') => noun === 'conexão'
    ? f.plural(n, { one: '# aberta', other: '# abertas' })
    : f.plural(n, { one: '# aberto', other: '# abertos' })
  return {
    help: {
      summary: 'servidor de eco WebSocket que narra o handshake, cada mensagem e o fechamento',
      description: 'Um servidor WebSocket (RFC 6455) sobre TCP. Devolve cada mensagem (texto ou binária, como chegou), ' +
        'ou com --broadcast a envia a todos os outros clientes. Mostra no stderr o pedido HTTP de upgrade e a ' +
        'resposta 101 (Sec-WebSocket-Key → Sec-WebSocket-Accept), cada mensagem (tipo, tamanho, prévia), os pings, ' +
        'os pongs e cada fechamento com seu código em palavras. Um navegador que visite http://host:porta/ recebe uma ' +
        'pequena página que se conecta de volta a ele.',
      port: 'porta em que escutar (0: o sistema escolhe)',
      host: 'endereço em que escutar (127.0.0.1: só esta máquina; 0.0.0.0: todas as interfaces)',
      broadcast: 'enviar cada mensagem a todos os outros clientes em vez de devolvê-la (um chat sem nomes)',
      noEcho: 'não devolver nada: só narrar o que chega',
      maxMessage: 'maior mensagem aceita, em bytes; uma maior fecha a conexão com 1009 (mensagem grande demais)',
      maxConnections: 'conexões atendidas ao mesmo tempo; a seguinte recebe HTTP 503',
      idleTimeout: 'fechar um WebSocket com 1001 depois desse tempo sem mensagens (0 = nunca)',
      pingInterval: 'enviar um ping a cada cliente com essa frequência e derrubar quem não respondeu ao ping anterior (0 = nunca)',
      subprotocol: 'um subprotocolo que este servidor fala (repetível, o preferido primeiro)',
      frames: 'mostrar cada leitura TCP e os cabeçalhos de quadro (frame) que ela trouxe (FIN, opcode, máscara, tamanho)',
      quiet: 'sem uma linha por mensagem, ping ou pong',
      json: 'um objeto JSON por evento no stdout (NDJSON)',
      examples: `
Exemplos:
  $ sockkit ws-server                      eco em ws://127.0.0.1:8080/
  $ sockkit ws-client ws://127.0.0.1:8080/  em outro terminal: digite linhas e veja-as voltar
  $ sockkit ws-server 8080 --broadcast --host 0.0.0.0
                                         um chat da turma: abra http://<esta máquina>:8080/
  $ sockkit ws-server --frames             veja como os quadros viajam nas leituras TCP

Códigos de saída: 130 depois do Ctrl-C (o jeito normal de parar), 1 se não conseguir escutar, 2 linha de comando inválida.`,
    },
    listening: (p) =>
      `${p.em('escutando')} em ws://${p.bound}/ (WebSocket sobre TCP)` + (p.reach !== p.bound ? ` — os clientes podem usar ${p.reach}` : ''),
    tryClient: (p) => `experimente: sockkit ws-client ${p.url}   ou abra http${p.url.slice(2)} em um navegador`,
    modeBroadcast: 'cada mensagem vai para todos os outros clientes (--broadcast)',
    modeNoEcho: 'sem eco (--no-echo): as mensagens só são mostradas',
    filter: (p) => `${p.filter}; pares filtrados são fechados na hora`,
    connected: (p) =>
      `${p.tag} ${p.em('conexão TCP')} ${p.from} → ${p.to} (${open(p.active, 'conexão')}); esperando o pedido HTTP de upgrade`,
    refused: (p) => `${p.em('recusada')} ${p.from}: ${open(p.active, 'conexão')}, limite ${f.num(p.limit)} (respondeu HTTP 503)`,
    refusedClosing: (p) => `${p.em('recusada')} ${p.from}: o servidor está parando (respondeu HTTP 503)`,
    denied: (p) => `${p.em('negada')} ${p.from} (${p.because}); fechada na hora`,
    upgradeRequest: (p) =>
      `${p.tag} pedido de upgrade: ${p.method} ${p.path}, Sec-WebSocket-Key ${p.key || '(nenhuma)'}` +
      (p.protocols ? `, protocolos ${p.protocols}` : '') + (p.origin ? `, Origin ${p.origin}` : ''),
    upgraded: (p) =>
      `${p.tag} ${p.em('101 Switching Protocols')}, Sec-WebSocket-Accept ${p.accept} = base64(SHA-1(chave + 258EAFA5-E914-47DA-95CA-C5AB0DC85B11))` +
      `${p.protocol ? `, protocolo ${p.protocol}` : ''}: agora é um WebSocket (${open(p.websockets, 'WebSocket')})`,
    problem: {
      'not-http': 'o que chegou não é um pedido HTTP',
      method: 'o método não é GET',
      'upgrade-header': 'falta o cabeçalho "Upgrade: websocket"',
      key: 'Sec-WebSocket-Key está faltando ou não tem 16 bytes em base64',
      version: 'Sec-WebSocket-Version não é 13',
    },
    rejected: (p) => `${p.tag} ${p.em('handshake recusado')}: ${p.problem}; respondeu HTTP ${p.status} e fechou`,
    httpRequest: (p) =>
      p.status === 200
        ? `${p.tag} ${p.method} ${p.path}: a visita de um navegador, a página foi enviada (HTTP 200)`
        : `${p.tag} ${p.method} ${p.path}: um pedido HTTP comum, não um upgrade (HTTP ${p.status})`,
    message: (p) =>
      `${p.tag} mensagem ${p.binary ? 'binária' : 'de texto'}, ${f.plural(p.bytes, { one: '# byte', other: '# bytes' })}: ${p.preview}`,
    ping: (p) => `${p.tag} ping do cliente (${f.bytes(p.bytes)}), respondido com um pong`,
    pong: (p) => p.rttMs === undefined ? `${p.tag} pong (sem ter sido pedido)` : `${p.tag} pong: ida e volta ${f.duration(p.rttMs)}`,
    tcpRead: (p) =>
      `${p.tag} leitura TCP de ${f.bytes(p.bytes)}:` + (p.continued ? ' continua um quadro;' : '') +
      (p.frames ? ` ${p.frames}` : ' nenhum cabeçalho de quadro novo') + (p.endsInside ? '; termina dentro de um quadro (o resto chega em outra leitura)' : ''),
    frameHeader: (p) => `[${p.fin ? 'FIN' : 'sem FIN'} ${p.opcode}${p.masked ? ' com máscara' : ''} ${f.bytes(p.length)}]`,
    backpressure: (p) =>
      `${p.tag} ${p.em('o cliente não está lendo')} seus ecos (${f.bytes(p.bufferedBytes)} na fila): parou-se de ler dele até que saiam`,
    resumed: (p) => `${p.tag} os ecos saíram; lendo de novo`,
    closing: {
      'too-big': (p) => `${p.tag} ${p.em('mensagem grande demais')}: passa do limite de ${f.bytes(p.limit)} (--max-message); fechando com ${p.code}`,
      'protocol-error': (p) => `${p.tag} ${p.em('erro de protocolo')}: quadros malformados do cliente; fechando com ${p.code}`,
      'idle-timeout': (p) => `${p.tag} ${p.em('ociosa')} por ${f.duration(p.limit)}; fechando com ${p.code} (going away)`,
      'ping-timeout': (p) => `${p.tag} ${p.em('sem pong')} a um ping enviado há ${f.duration(p.limit)}: o cliente foi embora ou travou; derrubando a conexão`,
      'slow-reader': (p) => `${p.tag} ${p.em('não está lendo')}: ${f.bytes(p.bufferedBytes)} de difusões esperam por ele; derrubando-o para que não encha a memória do servidor`,
      'server-stopped': (p) => `${p.tag} fechando com ${p.code} (going away): o servidor está parando`,
    },
    closeCode: {
      normal: 'fechamento normal',
      goingAway: 'indo embora (going away)',
      protocolError: 'erro de protocolo',
      unsupportedData: 'dados não suportados',
      noStatus: 'o quadro de fechamento não tem código',
      abnormal: 'anormal: a conexão terminou sem quadro de fechamento',
      invalidData: 'dados inválidos (por exemplo, texto que não é UTF-8)',
      policy: 'violação de política',
      tooBig: 'mensagem grande demais',
      extension: 'falta uma extensão exigida',
      internal: 'erro interno do servidor',
      restart: 'reinício do serviço',
      tryAgain: 'tente de novo mais tarde',
      badGateway: 'gateway inválido',
      tls: 'falha no handshake TLS',
      registered: 'um código registrado por uma biblioteca ou framework',
      private: 'um código da aplicação',
      unknown: 'não é um código de fechamento válido',
    },
    closedByClient: (p) =>
      `${p.tag} ${p.em('fechada pelo cliente')}: ${p.code} (${p.words})${p.reason ? ` "${p.reason}"` : ''}; ${p.summary}`,
    closedByServer: (p) =>
      `${p.tag} ${p.em('fechada')}: enviamos ${p.sentCode} (${p.sentWords}), o cliente respondeu ${p.code} (${p.words}); ${p.summary}`,
    closedNoAnswer: (p) =>
      `${p.tag} ${p.em('fechada')}: enviamos ${p.sentCode} (${p.sentWords}) e paramos de ler: o fechamento do cliente, se veio, não foi lido (1006); ${p.summary}`,
    closedAbnormally: (p) =>
      `${p.tag} ${p.em('fechada sem quadro de fechamento')}: 1006 (anormal, a conexão TCP simplesmente terminou); ${p.summary}`,
    connSummary: (p) =>
      `em ${f.duration(p.durationMs)}: ${messages(p.messagesIn, 'recebida')} (${f.bytes(p.bytesIn)}), ${f.plural(p.messagesOut, { zero: 'nenhuma enviada', one: '# enviada', other: '# enviadas' })} (${f.bytes(p.bytesOut)})`,
    disconnected: (p) => `${p.tag} conexão TCP fechada depois de ${f.duration(p.durationMs)} (nunca foi um WebSocket)`,
    serverError: (p) => `${p.em('erro do servidor')} ${p.code}: ${p.message} (continua escutando)`,
    stopped: (p) =>
      `parado depois de ${f.duration(p.durationMs)}: ${f.plural(p.websockets, { zero: 'nenhum WebSocket', one: '# WebSocket', other: '# WebSockets' })} ` +
      `(${f.plural(p.connections, { zero: 'nenhuma conexão TCP', one: '# conexão TCP', other: '# conexões TCP' })}, pico de ${f.num(p.peak)} ao mesmo tempo), ` +
      `${messages(p.messagesIn, 'recebida')}, ${messages(p.messagesOut, 'enviada')}` +
      (p.rejected ? `, ${f.plural(p.rejected, { one: '# handshake recusado', other: '# handshakes recusados' })}` : '') +
      (p.refused ? `, ${f.plural(p.refused, { one: '# conexão recusada', other: '# conexões recusadas' })}` : '') +
      (p.denied ? `, ${f.plural(p.denied, { one: '# negada', other: '# negadas' })}` : ''),
    page: {
      title: 'sockkit ws-server',
      intro: 'Esta página abriu um WebSocket de volta para o servidor de onde veio. Digite uma mensagem e tecle Enter: o servidor a devolve (ou, com --broadcast, a envia para todos os outros).',
      send: 'Enviar',
      connecting: 'conectando…',
      open: 'conectado',
      closed: 'fechado, código',
      sent: 'enviada',
      received: 'recebida',
    },
  }
}
