import type { Area } from '../index.js'

/** A explicação em linguagem simples de uma falha esperada: o que aconteceu e o que fazer. */
export const explain: Area<'explain'> = (f) => ({
  refused: (p) =>
    `nada está escutando em ${p.where}${p.tried.length === 0 ? '' : ` (${p.tried.length === 1 ? 'endereço tentado' : 'endereços tentados'}: ${f.list(p.tried)})`}` +
    (p.portUnreachable ? ' (o host respondeu \'port unreachable\', porta inalcançável)' : '') +
    (p.start === undefined ? '' : ` — inicie um com \`${p.start}\``),
  addressInUse: (p) =>
    `a porta ${p.port ?? '?'} já está em uso em ${p.host} — escolha outra porta ou pare o programa que a está usando`,
  addressInUseClosing: (p) =>
    `a porta ${p.port} já está em uso em ${p.host}, mas só por conexões fechadas há pouco (${p.states}; nenhum programa é dono delas): ` +
    `o sistema a libera ${p.freesInS === undefined ? 'em menos de um minuto' : `em cerca de ${p.freesInS} s`} — espere ou escolha outra porta`,
  addressNotAvailable: (p) => `${p.host} não é um endereço desta máquina, então nada pode escutar nele nem enviar a partir dele`,
  bindDenied: (p) =>
    `permissão negada para usar a porta ${p.port ?? '?'} em ${p.host} ${p.why}`,
  sendDenied: (p) =>
    `permissão negada para ${p.where} (${p.code}): uma regra de firewall, ou um endereço de broadcast (o sockkit não envia broadcasts), pode causar isso`,
  noSuchName: (p) => `não foi possível resolver o host "${p.host}": esse nome não existe (confira a grafia ou use um IP)`,
  nameServerSilent: (p) => `não foi possível resolver o host "${p.host}" agora: o servidor de nomes não respondeu`,
  hostUnreachable: (p) => `${p.host} está inalcançável: não há rota para esse host`,
  networkUnreachable: (p) => `${p.host} está inalcançável: esta máquina não tem rota para essa rede`,
  networkDown: (p) => `a rede até ${p.host} está fora do ar`,
  stoppedAnswering: (p) =>
    `${p.where} parou de responder: a conexão aberta estourou o tempo limite (o host ou a rede até ele sumiu sem fechá-la)`,
  connectTimeout: (p) =>
    `nenhuma resposta de ${p.where} no tempo limite de conexão — talvez o host esteja desligado ou um firewall descarte pacotes`,
  reset: (p) => `a conexão com ${p.where} foi redefinida (RST) pelo outro lado`,
  aborted: (p) =>
    `a conexão com ${p.where} foi abortada pela pilha de rede desta máquina (ECONNABORTED): o outro lado parou de responder ou a rede sumiu`,
  brokenPipe: (p) => `o outro lado de ${p.where} fechou a conexão enquanto ainda estávamos enviando`,
  linkLocalZone: (p) =>
    `${p.host} é um endereço IPv6 link-local: acrescente sua interface, como ${p.host}%${p.zone} (veja \`${p.list}\`)`,
  invalidAddress: (p) => `endereço ou porta inválidos para ${p.where} (${p.syscall} retornou EINVAL)`,
  smallerSize: (p) => `${p.sentence} — tente um --size menor`,
  theHost: 'o host',
  windowsReserved: (p) =>
    `(o Windows reserva algumas faixas de portas: veja \`netsh interface ipv4 show excludedportrange protocol=${p.protocol}\`` +
    `${p.eitherProtocol ? ' (ou protocol=udp)' : ''}, e escolha uma porta fora delas)`,
  macosLowPortOneAddress: (p) =>
    `(o macOS deixa qualquer um usar portas abaixo de 1024 só em todos os endereços (0.0.0.0 ou ::), não em um só como ${p.host}: escolha 1024 ou mais, ou rode com sudo)`,
  privilegedPort: '(portas abaixo de 1024 exigem privilégios de administrador)',
  securityPolicy: (p) =>
    `(${p.port ?? 'a porta'} não é privilegiada${p.macosWildcardOnly ? ' em todo endereço no macOS' : ''}: ` +
    'uma política de segurança (SELinux, AppArmor, sandbox) a recusou)',
})
