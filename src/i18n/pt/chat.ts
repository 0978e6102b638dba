import type { Area } from '../index.js'

/**
 * chat: o que o próprio servidor de chat envia a um cliente. Redação vinda de
 * src/chat/chat-messages.ts (já usada por `chat-server --lang pt`), agora com números do Fmt.
 * Os comandos (/who, /nick, /me, /quit, /help) não se traduzem: é o que o cliente digita.
 */
export const chat: Area<'chat'> = (f) => {
  /** `1 s`, `1,5 s`, `500 ms`. */
  const waitText = (ms: number): string => ms >= 1000 ? `${f.num(ms / 1000)} s` : `${f.num(ms)} ms`
  return {
    namePrompt: 'Seu nome?',
    nameEmpty: 'o nome não pode ficar vazio',
    nameTooLong: ({ max }) => `o nome pode ter no máximo ${f.num(max)} caracteres`,
    nameInvalid: 'um nome só pode ter letras, dígitos, "-", "_" ou ".", começar por uma letra ou um dígito, e não ter espaços nem caracteres invisíveis ou que imitem outros',
    byeBeforeName: 'tchau!',
    nameTaken: ({ requested, given }) => `${requested} já está em uso; seu nome será ${given}`,
    welcome: ({ name, here }) => `olá, ${name}! No chat: ${here.join(', ')}. Digite /help para ver os comandos`,
    historyStart: ({ n }) => f.plural(n, { one: 'a última mensagem:', other: 'as últimas # mensagens:' }),
    historyEnd: 'fim do histórico',
    joined: ({ name }) => `${name} entrou no chat`,
    who: ({ names }) => `no chat (${f.num(names.length)}): ${names.join(', ')}`,
    operatorTag: ({ name }) => `${name} (operador)`,
    youTag: ({ name }) => `${name} (você)`,
    nickUsage: ({ max }) => `uso: /nick <nome> — letras, dígitos, "-", "_" ou ".", no máximo ${f.num(max)} caracteres`,
    nickSame: ({ name }) => `você já se chama ${name}`,
    nickTaken: ({ name }) => `o nome ${name} já está em uso; tente outro`,
    nickChanged: ({ from, to }) => `${from} agora se chama ${to}`,
    meUsage: 'uso: /me <ação>, por exemplo /me acena',
    byeQuit: ({ name }) => `tchau, ${name}!`,
    help: ({ name }) => [
      'comandos:',
      '  /who           quem está no chat',
      '  /nick <nome>   mudar seu nome',
      `  /me <ação>     "/me acena" aparece como "~ ${name} acena"`,
      '  /quit          sair do chat',
      '  //texto        enviar uma linha que começa com "/"',
      `qualquer outra linha vai para todos como "${name}: texto"`,
    ],
    unknownCommand: ({ command }) => `comando desconhecido /${command}; digite /help (use // para enviar "/" como texto)`,
    lineTruncated: ({ max }) => `sua linha tinha mais de ${f.num(max)} bytes; só a primeira parte foi mantida`,
    noNewline: ({ ms }) => `sua linha não tinha quebra de linha; foi aceita após ${waitText(ms)} — termine cada linha com Enter ("\\n")`,
    slowDown: ({ rate, seconds }) => `mais devagar: mais de ${f.num(rate)} linhas por segundo. Suas linhas aguardam; ` +
      `se continuar por ${f.num(seconds)} s, sua conexão será fechada`,
    floodDisconnected: 'sua conexão foi encerrada por excesso de mensagens',
    idleDisconnected: ({ ms }) => `${waitText(ms)} sem atividade. Tchau!`,
    nameTimeout: 'você não informou seu nome a tempo. Tchau!',
    kicked: ({ operator }) => `${operator} removeu você do chat`,
    closing: 'o chat está sendo encerrado. Tchau!',
    refusedFull: ({ max }) => `desculpe, o chat está cheio (${f.plural(max, { one: '# pessoa', other: '# pessoas' })}); tente de novo mais tarde`,
    refusedClosing: 'desculpe, o chat está sendo encerrado; tente de novo mais tarde',
    left: ({ name }) => `${name} saiu do chat`,
    leftReset: ({ name }) => `${name} saiu do chat (conexão redefinida com RST)`,
    leftError: ({ name }) => `${name} saiu do chat (erro de conexão)`,
    leftIdle: ({ name }) => `${name} saiu do chat (inatividade)`,
    leftFlood: ({ name }) => `${name} saiu do chat (conexão encerrada por excesso de mensagens)`,
    leftSlowReader: ({ name, bytes }) => `${name} saiu do chat (conexão encerrada: não estava lendo; ${f.plural(bytes, { one: '# byte esperando', other: '# bytes esperando' })})`,
    leftKicked: ({ name, operator }) => `${operator} removeu ${name} do chat`,
  }
}
