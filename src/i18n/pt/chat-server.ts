import type { Area } from '../index.js'

/** chat-server: o lado do operador (eventos, notas, resumo, ajuda). O que os clientes leem é a área `chat`. */
export const chatServer: Area<'chatServer'> = (f) => {
  const people = (n: number) => f.plural(n, { zero: 'ninguém', one: '# pessoa', other: '# pessoas' })
  const messages = (n: number) => f.plural(n, { zero: 'nenhuma mensagem', one: '# mensagem', other: '# mensagens' })
  return {
    listening: (p) => `${p.em('chat escutando')} em ${p.where} (TCP, uma linha por mensagem)`,
    joinWith: (p) => `entre com: nc ${p.host} ${p.port}   (ou telnet ${p.host} ${p.port}, ou sockkit tcp-client ${p.host} ${p.port})`,
    youAre: (p) => `você é "${p.name}": digite uma linha para falar com todos; /who, /kick <nome ou #id>, /help`,
    languageNames: { en: 'inglês', es: 'espanhol', pt: 'português' },
    clientLanguage: (p) => `os clientes recebem as mensagens do chat em ${p.language} (--lang ${p.code}), e você também`,
    filter: (p) => `${p.filter}; pares filtrados são fechados na hora`,
    warning: (p) => p.em(`aviso: ${p.text}`),
    goneClient: 'um cliente que já tinha saído',
    connected: (p) => `${p.tag} conectado a partir de ${p.from}; nome pedido (${f.plural(p.active, { one: '# conectado', other: '# conectados' })})`,
    refused: (p) => `${p.em('recusado')} ${p.from}: o chat está cheio (${people(p.limit)}); avisado com educação`,
    denied: (p) => `${p.em('negado')} ${p.from} (${p.because}); fechado na hora`,
    nameRejected: (p) => `${p.tag} nome "${p.attempt}" não aceito (${p.problem}); pedido de novo`,
    joined: (p) =>
      `${p.tag} ${p.em(`* ${p.name} entrou`)}` + (p.name !== p.requested ? ` (pediu ${p.requested}, já em uso)` : '') +
      ` — ${f.num(p.present)} no chat, ${f.plural(p.historySent, { zero: 'nenhuma mensagem do histórico enviada', one: '# mensagem do histórico enviada', other: '# mensagens do histórico enviadas' })}`,
    nick: (p) => `${p.tag} * ${p.from} agora se chama ${p.to}`,
    aClient: 'um cliente',
    lineCut: (p) =>
      `${p.tag} ${p.em('linha cortada')}: ${p.who} enviou mais de ${f.num(p.limitBytes)} bytes em uma linha; foi avisado`,
    noNewline: (p) =>
      `${p.tag} ${p.em('sem quebra de linha')}: ${p.who} enviou uma linha sem "\\n"; aceita após ${f.num(p.waitedMs)} ms`,
    flood: (p) =>
      `${p.tag} ${p.em('inundação')}: ${p.who} envia mais de ${f.num(p.linesPerSecond)} linhas/s; segurando as linhas dele`,
    leaveReasons: {
      'quit': 'digitou /quit',
      'closed': 'fechou a conexão',
      'reset': 'conexão redefinida (RST)',
      'error': 'erro de conexão',
      'idle-timeout': 'inativo por tempo demais',
      'name-timeout': 'não deu um nome a tempo',
      'flood': 'enviou rápido demais por tempo demais',
      'slow-reader': 'não estava lendo',
      'kicked': 'removido pelo operador',
      'server-stopped': 'o chat foi encerrado',
    },
    left: (p) =>
      `* ${p.name} saiu${p.why ? ` (${p.why})` : ''} depois de ${f.duration(p.durationMs)}, ${messages(p.messages)}`,
    disconnected: (p) => `${p.tag} ${p.from} saiu antes de dar um nome (${p.why})`,
    serverError: (p) => `${p.em('erro do servidor')} ${p.code}: ${p.message} (continua escutando)`,
    participant: (p) => `${p.name} (${messages(p.messages)})`,
    closed: (p) =>
      `chat encerrado depois de ${f.duration(p.durationMs)}: ` +
      (p.participants.length ? `${f.plural(p.participants.length, { one: '# pessoa participou', other: '# pessoas participaram' })}: ${p.participants.join(', ')}` : 'ninguém entrou') +
      `; ${messages(p.messages)} no total, ${f.num(p.operatorMessages)} de ${p.operator}` +
      (p.refused ? `; ${f.plural(p.refused, { one: '# recusado', other: '# recusados' })} (cheio)` : '') +
      (p.denied ? `; ${f.plural(p.denied, { one: '# negado', other: '# negados' })}` : '') +
      (p.dropped ? `; ${f.plural(p.dropped, { one: '# desconectado', other: '# desconectados' })} por inundação ou por não ler` : ''),
    operatorLineCut: (p) => `sua linha tinha mais de ${f.num(p.max)} bytes; só os primeiros ${f.num(p.kept)} foram enviados`,
    stdinClosed: 'o stdin fechou: você não pode mais digitar, mas o chat segue — Ctrl-C o encerra',
    meUsage: 'uso: /me <ação>, por exemplo /me acena',
    unknownCommand: (p) =>
      `comando desconhecido ${p.command}: /who, /kick <nome ou #id>, /me <ação>; comece com // para dizer uma linha que começa com "/"`,
    hereNow: (p) => `no chat: ${[`${p.operator} (você)`, ...p.present].join(', ')}`,
    nobodyWithId: (p) => `ninguém no chat tem o id de conexão "${p.target}" (/who lista todos; #id é o [#N] das linhas de evento)`,
    nobodyCalled: (p) => `ninguém chamado "${p.target}" está no chat (/who lista todos; #id é o [#N] das linhas de evento)`,
    operatorHelp: 'digite uma linha para dizê-la a todos; /me <ação>; /who lista as pessoas; /kick <nome> ou /kick #id remove alguém; Ctrl-C encerra o chat',
    help: {
      summary: 'sala de chat por linhas, para nc, telnet e clientes feitos em aula',
      description: 'Uma sala de chat sobre TCP, uma linha por mensagem. Cada cliente informa um nome; depois, cada ' +
        'linha que ele envia vai para todos os outros como "nome: texto", e quem chega recebe o histórico recente. ' +
        'As linhas que você digita aqui vão para todos, em seu nome como operador.\n\n' +
        'A conversa vai para o stdout; entradas, saídas e recusas para o stderr. Nomes e mensagens são limpos ' +
        'de sequências de escape de terminal e caracteres de controle antes.\n\n' +
        '--lang escolhe o idioma do que os clientes recebem (pergunta do nome, avisos, /help) e das suas ' +
        'linhas de evento; os comandos mantêm os nomes.',
      arguments: { port: 'porta em que escutar (0 = qualquer porta livre)' },
      options: {
        host: 'endereço para o bind; 0.0.0.0 ou :: deixa outros entrarem',
        name: 'seu nome no chat',
        history: 'mensagens que quem chega recebe (0 = nenhuma)',
        maxLine: 'corta linhas mais longas e avisa quem enviou',
        maxConnections: 'clientes ao mesmo tempo; os demais recusados com educação',
        idleTimeout: 'desconecta um cliente calado por este tempo (0 = nunca)',
        floodRate: 'linhas/s que um cliente pode manter',
        floodBurst: 'linhas que um cliente pode enviar de uma vez',
        floodTimeout: 'desconecta quem inunda e fica retido por este tempo',
        maxOutput: 'bytes não lidos antes de desconectar',
        colorClients: 'cores ANSI para os clientes (muitos mostram lixo)',
        timestamps: 'prefixa cada linha com [HH:MM]',
        lang: 'idioma do que os clientes recebem; aceita es-AR, pt-BR…',
        json: 'eventos NDJSON no stdout em vez da conversa',
      },
      examples: `
Exemplos:
  $ sockkit chat-server
      chat em 127.0.0.1:9000; entre com: nc 127.0.0.1 9000
  $ sockkit chat-server 5000 --host 0.0.0.0 --allow 192.168.1.0/24 --lang pt
      um chat de aula em português, aberto só para essa rede
  $ sockkit chat-server 0 --json > chat.ndjson
      qualquer porta livre; cada evento em NDJSON, para avaliação

Os clientes digitam um nome e depois linhas; eles têm /who, /nick <nome>,
/me <ação>, /quit e /help. Você digita linhas para falar com todos; /who
lista as pessoas, /kick <nome> (ou #id) remove alguém, /me <ação>. stdout: a
conversa ("ana: olá", "~ ana acena"); stderr: "[#3] conectado",
"* ana entrou", "* ana saiu", recusas, linhas cortadas, inundações. Ctrl-C
se despede de todos, mostra quem participou e quantas mensagens, e sai
com 130.`,
    },
  }
}
