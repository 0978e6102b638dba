import type { Area } from '../index.js'

/** As palavras da própria CLI: ajuda principal, erros de uso, causas de parada, dicas de entrada. */
export const cli: Area<'cli'> = (f) => ({
  commander: {
    missingArgument: (p: { name: string }) => `falta o argumento obrigatório '${p.name}'`,
    optionArgumentMissing: (p: { flag: string }) => `a opção '${p.flag}' precisa de um valor`,
    requiredOption: (p: { flag: string }) => `falta a opção obrigatória '${p.flag}'`,
    unknownOption: (p: { flag: string }) => `opção desconhecida '${p.flag}'`,
    unknownCommand: (p: { name: string }) => `comando desconhecido '${p.name}'`,
    conflictingOptions: (p) => `${p.option} e ${p.other} não podem ser usadas juntas: informe só uma`,
    tooManyArguments: (p: { command: string; expected: number; got: number }) =>
      `argumentos demais para '${p.command}': aceita ${f.num(p.expected)} e recebeu ${f.num(p.got)}`,
    didYouMean: (p: { candidates: string[] }) =>
      `(você quis dizer ${p.candidates.length > 1 ? 'um destes: ' : ''}${p.candidates.join(', ')}?)`,
  },
  portIsArgument: (p: { flag: string; command: string; example: string }) =>
    `${p.command} não tem a opção ${p.flag}: a porta é um argumento — \`sockkit ${p.example}\``,
  hostPortOption: (p: { value: string; command: string; example: string }) =>
    `"${p.value}" inclui uma porta: ${p.command} recebe a porta com --port — \`sockkit ${p.example}\``,
  help: {
    description: 'Ferramentas honestas de sockets TCP e UDP: servidores de eco, clientes e uma comparação TCP versus UDP.',
    version: 'mostra a versão',
    noColor: 'sem cores na saída (NO_COLOR também é respeitado)',
    help: 'mostra a ajuda',
    helpCommand: 'mostra a ajuda de um comando',
    lang: 'idioma da saída: en, es ou pt (padrão: o do seu ambiente)',
    titles: { 'Usage:': 'Uso:', 'Arguments:': 'Argumentos:', 'Options:': 'Opções:', 'Commands:': 'Comandos:', 'Global Options:': 'Opções globais:' } as Record<string, string>,
    usageWords: { '[options]': '[opções]', '[command]': '[comando]' } as Record<string, string>,
    defaultValue: (p: { value: string }) => `padrão: ${p.value}`,
    choices: (p: { values: string }) => `valores: ${p.values}`,
    examples: `
Exemplos:
  $ sockkit compare                      TCP versus UDP aqui (refletor próprio)
  $ sockkit tcp-server 9000              servidor de eco; cada evento no stderr
  $ sockkit tcp-client 127.0.0.1 9000    digite linhas e veja o eco
  $ sockkit udp-send 127.0.0.1 9000 hola --count 5 --seq

Códigos de saída: 0 concluído, 1 falha de rede ou de execução, 2 linha de
comando inválida, 130 Ctrl-C.`,
  },
  unknownCommand: (p) => `comando desconhecido '${p.name}' — \`sockkit --help\` lista os comandos`,
  repeatedOption: (p) =>
    `${p.flag} foi informado duas vezes ("${p.first}", depois "${p.then}"); informe só uma vez` +
    (p.oneAddress ? ' — um servidor escuta em um único endereço (0.0.0.0 ou :: são todos os endereços)' : ''),
  hostPortHint: (p) =>
    ` — informe o host e a porta como dois argumentos: \`sockkit ${p.command} ${p.host} ${p.port}\``,
  stopCause: { SIGTERM: 'SIGTERM (kill ou tempo limite)', SIGHUP: 'SIGHUP (o terminal foi fechado)', SIGBREAK: 'Ctrl-Break', SIGINT: 'Ctrl-C' },
  eofKey: { posix: 'Ctrl-D', windows: 'Ctrl-Z e depois Enter' },
  escapes: '\\n \\r \\t \\0 \\\\ \\xHH (um byte) \\uHHHH \\u{H…} (um caractere, em UTF-8)',
  notEscapes: (p) =>
    `${p.option}: ${p.sequences.join(' ')} ${f.plural(p.count, { one: 'não é um escape', other: 'não são escapes' })}; enviado como digitado (escapes: ${p.escapes})`,
})
