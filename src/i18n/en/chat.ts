import type { Fmt } from '../fmt.js'

/**
 * chat: every line the chat server itself sends to a client (prompt, notices, /help…). Notices
 * get their `* ` prefix from the server, so none starts with one. Command names (/who, /nick,
 * /me, /quit, /help) are the same in every language: they are what a client types. Spanish and
 * Portuguese are in src/chat/chat-messages.ts for now, typed as this area.
 */
export const chat = (f: Fmt) => {
  /** `1 s`, `1.5 s`, `500 ms`. */
  const waitText = (ms: number): string => ms >= 1000 ? `${f.num(ms / 1000)} s` : `${f.num(ms)} ms`
  return {
    // Bilingual on purpose: students meet the chat through `nc`, which shows this line and
    // nothing else, so the default has to be understood by a Spanish-speaking class too.
    namePrompt: 'Your name? / ¿Tu nombre?',
    nameEmpty: 'a name cannot be empty',
    nameTooLong: ({ max }: { max: number }) => `a name can have at most ${f.num(max)} characters`,
    nameInvalid: 'a name is letters, digits, "-", "_" or ".", starting with a letter or digit, with no spaces and no look-alike or invisible characters',
    byeBeforeName: 'bye!',
    nameTaken: ({ requested, given }: { requested: string; given: string }) => `${requested} is taken, so you are ${given}`,
    welcome: ({ name, here }: { name: string; here: readonly string[] }) => `welcome, ${name}! Here now: ${here.join(', ')}. Type /help for commands`,
    historyStart: ({ n }: { n: number }) => f.plural(n, { one: 'the last message:', other: 'the last # messages:' }),
    historyEnd: 'end of history',
    joined: ({ name }: { name: string }) => `${name} joined`,
    who: ({ names }: { names: readonly string[] }) => `here now (${names.length}): ${names.join(', ')}`,
    operatorTag: ({ name }: { name: string }) => `${name} (operator)`,
    youTag: ({ name }: { name: string }) => `${name} (you)`,
    nickUsage: ({ max }: { max: number }) => `usage: /nick <name> — letters, digits, "-", "_" or ".", at most ${max} characters`,
    nickSame: ({ name }: { name: string }) => `you are already ${name}`,
    nickTaken: ({ name }: { name: string }) => `the name ${name} is taken; try another`,
    nickChanged: ({ from, to }: { from: string; to: string }) => `${from} is now ${to}`,
    meUsage: 'usage: /me <action>, e.g. /me waves',
    byeQuit: ({ name }: { name: string }) => `bye, ${name}!`,
    help: ({ name }: { name: string }) => [
      'commands:',
      '  /who           who is here',
      '  /nick <name>   change your name',
      `  /me <action>   "/me waves" shows as "~ ${name} waves"`,
      '  /quit          leave the chat',
      '  //text         send a line that starts with "/"',
      `anything else goes to everyone as "${name}: text"`,
    ],
    unknownCommand: ({ command }: { command: string }) => `unknown command /${command}; type /help (start a line with // to send "/" as text)`,
    lineTruncated: ({ max }: { max: number }) => `your line was longer than ${max} bytes; only the first part was kept`,
    noNewline: ({ ms }: { ms: number }) => `your line had no newline; it was taken after ${waitText(ms)} — end each line with Enter ("\\n")`,
    slowDown: ({ rate, seconds }: { rate: number; seconds: number }) => `slow down: more than ${rate} lines a second. Your lines are held back; ` +
      `keep this up for ${seconds} s and you will be disconnected`,
    floodDisconnected: 'disconnected for flooding the chat',
    idleDisconnected: ({ ms }: { ms: number }) => `you were idle for ${waitText(ms)}. Bye!`,
    nameTimeout: 'no name given in time. Bye!',
    kicked: ({ operator }: { operator: string }) => `you were removed from the chat by ${operator}`,
    closing: 'the chat is closing. Bye!',
    refusedFull: ({ max }: { max: number }) => `sorry, the chat is full (${f.plural(max, { one: '# person', other: '# people' })}); try again later`,
    refusedClosing: 'sorry, the chat is closing; try again later',
    left: ({ name }: { name: string }) => `${name} left`,
    leftReset: ({ name }: { name: string }) => `${name} left (connection reset)`,
    leftError: ({ name }: { name: string }) => `${name} left (connection error)`,
    leftIdle: ({ name }: { name: string }) => `${name} left (idle)`,
    leftFlood: ({ name }: { name: string }) => `${name} was disconnected for flooding`,
    leftSlowReader: ({ name, bytes }: { name: string; bytes: number }) => `${name} was disconnected: not reading (${bytes} bytes waiting for them)`,
    leftKicked: ({ name, operator }: { name: string; operator: string }) => `${name} was removed by ${operator}`,
  }
}
