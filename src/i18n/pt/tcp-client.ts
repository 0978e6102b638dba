import type { Area } from '../index.js'

/** tcp-client: ajuda, linhas de evento e linhas de encerramento (stderr). */
export const tcpClient: Area<'tcpClient'> = (f) => {
  const sent = (n: number) => `${f.bytes(n)} ${n === 1 ? 'enviado' : 'enviados'}`
  const got = (n: number) => `${f.bytes(n)} ${n === 1 ? 'recebido' : 'recebidos'}`
  const totals = (p: { bytesSent: number; bytesReceived: number }) => `${sent(p.bytesSent)}, ${got(p.bytesReceived)}`
  return {
    help: {
      summary: 'cliente TCP: stdin para o servidor, o servidor para o stdout, eventos no stderr',
      description: 'Conecta a um servidor TCP. Os bytes digitados ou enviados por pipe no stdin são enviados sem ' +
        'alteração, e cada byte que o servidor envia é escrito no stdout assim que chega (uma saudação aparece ' +
        'na hora). Quando o stdin termina (EOF), o cliente faz o meio fechamento e continua lendo até o ' +
        'servidor fechar. Os eventos vão para o stderr.',
      host: 'nome ou endereço do servidor',
      port: 'porta do servidor',
      message: (p) => `envia isto em vez do stdin e depois faz o meio fechamento; repita para várias escritas (escapes: ${p.escapes})`,
      writeInterval: 'pausa entre as escritas de --message (0 = uma atrás da outra, e o TCP pode juntá-las)',
      writeIntervalZero: 'uma atrás da outra',
      wait: 'depois do nosso meio fechamento (ou do fim do stdin com --no-half-close), fecha mesmo assim se o servidor não fechar dentro deste tempo (0 = esperar por ele)',
      waitZero: 'até o servidor fechar',
      timeout: 'tempo limite de conexão',
      crlf: 'envia cada quebra de linha LF como CRLF (para servidores que leem linhas no estilo Windows/HTTP)',
      nagle: 'mantém o algoritmo de Nagle ligado (padrão: desligado, escritas pequenas saem na hora)',
      noHalfClose: 'mantém a conexão aberta quando o stdin acaba (sem FIN), como o ncat --no-shutdown; termina quando o servidor fecha, ou com Ctrl-C',
      keepSending: 'se o servidor fizer o meio fechamento primeiro, continua enviando o stdin até ele acabar (padrão: para, como o ncat, e diz quanto foi enviado)',
      quiet: 'só erros e avisos no stderr',
      examples: `
Exemplos:
  $ sockkit tcp-client 127.0.0.1 9000    digite e veja o eco; Ctrl-D termina
                                         (Windows: Ctrl-Z, Enter)
  $ sockkit tcp-client 127.0.0.1 9000 < photo.jpg > back.jpg
                                         ida e volta segura para binários
  $ sockkit tcp-client 127.0.0.1 9000 --message hola --message mundo
                                         duas escritas; uma leitura: "holamundo"
  $ sockkit tcp-client 127.0.0.1 9000 --no-half-close < request.txt
                                         sem FIN após o pedido: para servidores
                                         que param de responder ao receber EOF

Linhas de evento (stderr): "conectando", "conectado a partir do local A → B",
"escritos N bytes", "EOF enviado (meio fechamento)", "o servidor terminou de
enviar", "fechada depois de T: N bytes enviados, N recebidos",
"redefinida pelo servidor".
Códigos de saída: 0 o servidor fechou (ou --wait passou), 1 falha de rede,
2 linha de comando inválida, 130 Ctrl-C.`,
    },
    connecting: (p) => `conectando a ${p.where} (TCP, tempo limite ${f.duration(p.timeoutMs)})`,
    connected: (p) =>
      `${p.mark('conectado')} a partir do local ${p.local} → ${p.remote} (Nagle ${p.noDelay ? 'desligado' : 'ligado'})`,
    typeLines: (p) => `digite linhas para enviá-las; ${p.eofKey} termina o envio (meio fechamento), Ctrl-C sai`,
    typeLinesOpen: (p) => `digite linhas para enviá-las; ${p.eofKey} termina sua entrada (a conexão continua aberta), Ctrl-C sai`,
    writesTogether: (p) =>
      `${f.num(p.count)} escritas seguidas vão juntas ao kernel: o TCP guarda bytes, não escritas, então o servidor pode lê-las de uma vez`,
    writesApart: (p) =>
      `${f.num(p.count)} escritas a cada ${f.duration(p.intervalMs)}: cada uma costuma chegar como uma leitura separada`,
    wrote: (p) =>
      `${p.bytes === 1 ? 'escrito' : 'escritos'} ${f.bytes(p.bytes)} (mensagem ${f.num(p.index)} de ${f.num(p.count)}): ${p.preview}`,
    inputEnded: (p) =>
      `${p.mark('entrada encerrada')} depois de ${sent(p.bytesSent)}; conexão mantida aberta (sem meio fechamento): ` +
      `lendo até o servidor fechar${p.waitMs > 0 ? ` ou passarem ${f.duration(p.waitMs)}` : ''} (Ctrl-C para parar)`,
    sentEof: (p) =>
      `${p.mark('EOF enviado (meio fechamento)')} depois de ${f.bytes(p.bytesSent)}: terminamos de enviar; ` +
      `lendo até o servidor fechar${p.waitMs > 0 ? ` ou passarem ${f.duration(p.waitMs)}` : ''}`,
    serverClosedStopped: (p) =>
      `${p.mark('o servidor fechou o lado dele')} (FIN) depois de ${got(p.bytesReceived)}, antes do fim da nossa entrada: ` +
      `paramos de lê-la depois de ${sent(p.inputBytesSent)}` +
      (p.inputBytesWaiting > 0 ? `; ${f.bytes(p.inputBytesWaiting)} já lidos e em espera não foram enviados` : '') +
      ' — o resto da entrada não é enviado (--keep-sending envia)',
    serverClosedStillSending: (p) =>
      `${p.mark('o servidor fechou o lado dele')} (FIN) depois de ${got(p.bytesReceived)}; ele ainda pode ler: ` +
      'continuamos enviando (--keep-sending) até a entrada acabar',
    serverFinished: (p) => `o servidor terminou de enviar (FIN) depois de ${got(p.bytesReceived)}`,
    waitElapsed: (p) =>
      `${p.mark('--wait esgotado')}: ${f.duration(p.waitMs)} após o meio fechamento o servidor não fechou; fechando`,
    waitElapsedOpen: (p) =>
      `${p.mark('--wait esgotado')}: ${f.duration(p.waitMs)} após o fim da entrada o servidor não fechou; fechando`,
    reset: (p) =>
      `${p.mark('redefinida pelo servidor')} (ECONNRESET) depois de ${f.duration(p.durationMs)}: ${totals(p)}`,
    broken: (p) =>
      `${p.mark('conexão rompida')} (${p.code}) após ${f.duration(p.durationMs)}: ${totals(p)}`,
    interrupted: (p) =>
      `${p.mark('interrompido')} depois de ${f.duration(p.durationMs)}: ${totals(p)}`,
    closed: (p) =>
      `${p.mark('fechada')} depois de ${f.duration(p.durationMs)}: ${totals(p)}`,
    interruptedConnecting: (p) => `${p.mark('interrompido')} antes de a conexão ser feita`,
    messageWords: (p) =>
      `o tcp-client envia o que você digita ou manda pelo stdin, não palavras depois da porta: passe a mensagem com --message, ` +
      `entre aspas, como em sockkit tcp-client ${p.host} ${p.port} --message "${p.words.join(' ')}"`,
  }
}
