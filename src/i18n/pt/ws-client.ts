import type { Area } from '../index.js'

/** ws-client: ajuda, linhas de evento (stderr) e como a conexão terminou. Os códigos de fechamento: wsServer.closeCode. */
export const wsClient: Area<'wsClient'> = (f) => {
  /** `word`: the participle in the singular (recebida, enviada): it agrees with the count. */
  const messages = (n: number, word: string) => f.plural(n, { zero: `nenhuma mensagem ${word}`, one: `# mensagem ${word}`, other: `# mensagens ${word}s` })
  const totals = (p: { messagesSent: number; messagesReceived: number; durationMs: number }) =>
    `depois de ${f.duration(p.durationMs)}: ${messages(p.messagesSent, 'enviada')}, ${messages(p.messagesReceived, 'recebida')}`
  return {
    help: {
      summary: 'cliente WebSocket: linhas do stdin como mensagens, as mensagens recebidas no stdout',
      description: 'Abre um WebSocket (ws:// ou wss://). Cada linha do stdin é enviada como uma mensagem de texto, em ordem, ' +
        'até as linhas digitadas ou passadas antes de a conexão abrir. Cada mensagem recebida é escrita no stdout, ' +
        'uma por linha (as binárias em hexadecimal, a não ser com --raw). Quando o stdin termina, espera --wait pelas ' +
        'respostas, fecha com 1000 e diz como foi o fechamento. Os eventos vão para o stderr.',
      url: 'ws://host:porta/caminho ou wss://host:porta/caminho',
      message: 'enviar esta mensagem em vez de ler o stdin (repetível)',
      binary: 'enviar mensagens binárias em vez de texto',
      raw: 'escrever as mensagens binárias recebidas como bytes brutos, não em hexadecimal',
      wait: 'quando a entrada termina, esperar esse tempo pelas respostas antes de fechar',
      close: 'código, e motivo opcional, do nosso quadro de fechamento (1000 normal, 3000–4999 os da aplicação)',
      header: "um cabeçalho extra do pedido 'Nome: valor' (repetível)",
      subprotocol: 'um subprotocolo a oferecer (repetível)',
      origin: 'o cabeçalho Origin a enviar (como faria uma página desse site em um navegador)',
      pingInterval: 'enviar um ping ao servidor com essa frequência e mostrar cada ida e volta (0 = nunca)',
      timeout: 'desistir se o handshake não terminar nesse tempo',
      insecure: 'wss://: aceitar um certificado que não pode ser verificado (autoassinado)',
      frames: 'mostrar cada leitura TCP e os cabeçalhos de quadro que ela trouxe',
      quiet: 'no stderr só erros, avisos e o fechamento',
      json: 'um objeto JSON por evento e por mensagem no stdout (NDJSON)',
      examples: `
Exemplos:
  $ sockkit ws-client ws://127.0.0.1:8080/         digite linhas e veja o eco; Ctrl-D termina
  $ printf 'a\\nb\\n' | sockkit ws-client ws://127.0.0.1:8080/
                                                   duas mensagens, enviadas assim que abre
  $ sockkit ws-client ws://127.0.0.1:8080/ --message ola --close 4000:tchau

Códigos de saída: 0 fechado com 1000 (normal), 1 sem WebSocket ou fechado com outro código,
2 linha de comando inválida, 130 Ctrl-C.`,
    },
    connecting: (p) => `conectando a ${p.url} (upgrade HTTP sobre TCP, tempo limite ${f.duration(p.timeoutMs)})`,
    upgraded: (p) =>
      `${p.mark('101 Switching Protocols')} de ${p.remote} (local ${p.local}): enviamos Sec-WebSocket-Key ${p.key}, ` +
      `recebemos Sec-WebSocket-Accept ${p.accept}${p.protocol ? `, protocolo ${p.protocol}` : ''}: agora é um WebSocket`,
    typeLines: (p) => `digite linhas para enviá-las como mensagens; ${p.eofKey} termina, Ctrl-C sai`,
    flushing: (p) => `enviando ${f.plural(p.count, { one: '# mensagem digitada ou passada', other: '# mensagens digitadas ou passadas' })} antes de conectar, em ordem`,
    sent: (p) =>
      `enviada a mensagem ${p.binary ? 'binária' : 'de texto'} ${f.num(p.index)}, ${f.plural(p.bytes, { one: '# byte', other: '# bytes' })}: ${p.preview}`,
    ping: (p) => `ping do servidor (${f.bytes(p.bytes)}), respondido com um pong`,
    pong: (p) => p.rttMs === undefined ? 'pong (sem ter sido pedido)' : `pong: ida e volta ${f.duration(p.rttMs)}`,
    inputEnded: (p) =>
      `fim da entrada: ${messages(p.sent, 'enviada')}; espera ${f.duration(p.waitMs)} por respostas e fecha`,
    closing: (p) => `enviando nosso quadro de fechamento: ${p.code} (${p.words})${p.reason ? ` "${p.reason}"` : ''}`,
    closedByUs: (p) => `${p.mark('fechada')}: o servidor respondeu ao nosso fechamento com ${p.code} (${p.words}); ${p.summary}`,
    closedByServer: (p) =>
      `${p.mark('fechada pelo servidor')} com o código ${p.code} (${p.words})${p.reason ? ` "${p.reason}"` : ''}; ${p.summary}`,
    closedAbnormally: (p) => `${p.mark('conexão perdida')}: 1006, a conexão TCP terminou sem quadro de fechamento; ${p.summary}`,
    interrupted: (p) => `${p.mark('interrompido')}: fechado com 1001 (going away); ${p.summary}`,
    interruptedConnecting: (p) => `${p.mark('interrompido')} antes de o WebSocket abrir`,
    summary: totals,
    hintLabel: 'dica:',
    hintSocketIo: 'parece um servidor Socket.IO: o Socket.IO fala seu próprio protocolo sobre WebSocket, então um cliente WebSocket simples não consegue falar com ele; use um cliente Socket.IO',
    hintNotFound: 'nada responde WebSockets neste caminho: confira o caminho na URL',
    hintPage: 'é um servidor web que enviou uma página: confira a porta e o caminho',
    hintOther: 'confira se a URL aponta para um endpoint WebSocket',
    hintTls: 'não foi possível verificar o certificado do servidor; se for um certificado de teste autoassinado, --insecure o aceita',
    hintWss: 'o servidor pode falar TLS: tente wss://',
  }
}
