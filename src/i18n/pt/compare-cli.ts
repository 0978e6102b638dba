import type { Area } from '../index.js'

/** As linhas próprias do `sockkit compare`: erros de uso, progresso, falhas e o --help. */
export const compareCli: Area<'compareCli'> = (f) => {
  const probes = (n: number) => f.plural(n, { one: '# sonda', other: '# sondas' })
  return {
    emulatorInvalid: (p) => `o emulador deve ser auto, kernel ou userspace, não "${p.value}"`,
    delayTooLong: (p) => `${p.name} deve ser no máximo ${f.num(p.max)} ms, não "${p.value}"`,
    seedTooBig: (p) => `a semente deve ser menor que 4294967296, não "${p.value}"`,
    transportsInvalid: (p) => `os transportes devem ser tcp, udp ou tcp,udp, não "${p.value}"`,
    wholeInvalid: (p) =>
      `${p.name} deve ser um inteiro${p.unit} de no mínimo ${f.num(p.min)} (como 1000 ou 1e3), não "${p.value}"`,
    rateInvalid: (p) => `a taxa deve ser um número de sondas por segundo maior que 0 (como 200, 0.5 ou 1e4), não "${p.value}"`,
    sizeInvalid: (p) => `use um tamanho inteiro de pelo menos 24 bytes (o cabeçalho da sonda), não "${p.value}"`,
    csvCannotWrite: (p) => `não é possível gravar o arquivo CSV ${p.path}: ${p.problem}`,
    csvWriteFailed: (p) => `não foi possível terminar de gravar o arquivo CSV ${p.path}: ${p.problem}`,
    fileProblem: {
      ENOENT: (p) => `o diretório ${p.dir} não existe`,
      ENOTDIR: 'uma parte desse caminho é um arquivo, não um diretório',
      EISDIR: 'isso é um diretório; informe um nome de arquivo',
      EACCES: 'permissão negada',
      EROFS: 'o sistema de arquivos é somente leitura',
      ENOSPC: 'o disco está cheio',
    },
    portNeedsHost: (p) =>
      `--port ${p.port} precisa de um host: sem ele, o compare inicia o próprio refletor (para medir um \`sockkit serve\` local, informe 127.0.0.1)`,
    sizeTooBigForUdp: (p) => `--size: o tamanho deve ser no máximo ${f.num(p.max)} bytes com UDP (o maior datagrama), não ${p.value}`,
    csvAndJsonOnStdout: '--csv - e --json escrevem ambos no stdout: dê a --csv um nome de arquivo',
    needsImpairment: (p) => `--${p.flag} precisa de uma degradação: adicione --loss, --delay, --jitter, --reorder ou --duplicate`,
    bothFailed: (p) => `${p.first}; e ${p.second}`,
    transportError: (p) => `${p.transport}: ${p.sentence}`,
    stopped: (p) => `sockkit: parado por ${p.cause}; o resultado cobre as sondas enviadas até agora`,
    progress: {
      via: (p) => `${p.target} via ${p.relay}`,
      phaseLine: (p) =>
        `${p.transport} → ${p.target}: enviando ${probes(p.total)}${p.warmup ? ` depois de ${f.plural(p.warmup, { one: '# sonda de aquecimento', other: '# sondas de aquecimento' })}` : ''}`,
      phaseLive: (p) =>
        `${p.transport} → ${p.target}: ${p.warmup ? `aquecendo com ${probes(p.warmup)}, depois ` : ''}enviando ${probes(p.total)}…`,
      counter: (p) =>
        `${p.transport} → ${p.target}: enviadas ${f.num(p.sent)}/${f.num(p.total)} (${f.num(p.percent)}%), ${f.num(p.received)} de volta`,
      waiting: (p) =>
        `esperando ${f.plural(p.outstanding, { one: `# sonda ${p.transport} ainda a caminho`, other: `# sondas ${p.transport} ainda a caminho` })} (o TCP retransmite; até ${f.num(p.capS)} s)`,
      line: (p) => `${p.transport} → ${p.target}: ${p.text}`,
      failed: (p) => `${p.transport} → ${p.target}: falhou (${p.code})`,
    },
    help: {
      summary: 'TCP e UDP lado a lado: perda, ordem e latência com o mesmo tráfego',
      description: 'Envia o mesmo fluxo de sondas numeradas, num cronograma fixo, por TCP e depois por UDP ' +
        'a um refletor, e mostra numa tabela o que cada transporte fez com ele. Sem host, inicia o próprio ' +
        'refletor num processo separado em 127.0.0.1; com um host, mede o ' +
        '`sockkit serve` que roda lá.',
      arguments: { host: 'onde o `sockkit serve` roda (padrão: refletor próprio)' },
      options: {
        port: 'a porta do `sockkit serve` nesse host',
        count: 'sondas por transporte',
        rate: 'sondas por segundo, num cronograma fixo',
        size: (p) => `tamanho da sonda, de 24 a ${f.num(p.max)} com UDP`,
        transports: 'tcp, udp ou os dois, nessa ordem',
        blast: 'envia tão rápido quanto os sockets aceitarem (transborda o buffer)',
        sequential: 'mede um transporte depois do outro (padrão: as sondas deles intercaladas num mesmo cronograma)',
        warmup: 'sondas enviadas e descartadas primeiro',
        nagle: 'deixa o algoritmo de Nagle ativado nas sondas enviadas (padrão: desativado; o eco do refletor nunca o usa)',
        tmax: 'tempo de espera para dar uma sonda como perdida (padrão: automático, veja abaixo)',
        loss: 'degradação: descarta esta fração dos pacotes',
        delay: 'degradação: adiciona este atraso de ida',
        jitter: 'degradação: varia o atraso em ± este valor',
        reorder: 'degradação: retém esta fração dos datagramas',
        duplicate: 'degradação: envia duas vezes esta fração dos datagramas',
        emulator: 'auto, kernel (nft) ou userspace',
        seed: 'a semente aleatória do encaminhador (padrão: aleatória, informada); os descartes do kernel são aleatórios, --emulator userspace (UDP) também os repete',
        json: 'o resultado como um documento JSON no stdout',
        csv: 'uma linha por sonda em <file>; - para o stdout',
      },
      after: `
Exemplos:
  $ sockkit compare                      TCP e UDP nesta máquina
  $ sockkit compare --loss 5 --delay 20  uma rede lenta que perde (em aula)
  $ sockkit compare 192.168.1.20 --json  contra o \`sockkit serve\` de lá

O que cada número significa:
  RTT         a partir do envio PROGRAMADO de cada sonda (laço aberto: um
              emissor travado aparece, não fica escondido); atraso do
              emissor = real − programado. Um --rate mais rápido do que
              esta máquina consegue enviar é permitido: as sondas saem o
              mais rápido que podem, e o atraso mostra isso.
  perdidas    não voltaram dentro do Tmax (RFC 7680/6673), que é
              informado; ecos atrasados contam como perdidos, duplicatas
              uma vez só. --tmax vale para os dois. Tmax automático: UDP,
              o maior entre 1 s (+ o atraso adicionado) e 3 × o maior RTT,
              congelado no último envio; TCP, que entrega ou morre, espera
              cada sonda enquanto a conexão vive, até 60 s (o Tmax dele é
              esse teto).
  fora de ordem
              abaixo do maior número visto + 1 (RFC 4737).
  jitter      RFC 3550 A.8, sobre RTTs medidos a partir do cronograma: de
              ida e volta (o da RFC 3550 é de ida), e inclui as paradas do
              emissor. |IPDV| (quanto muda em relação à sonda anterior) e
              PDV (RTT − mín): RFC 5481. Um percentil precisa de amostras
              suficientes (p99: 100, p99.9: 1000); senão, n/d.
  vazão       sondas que voltaram a tempo no intervalo medido: do primeiro
              envio programado até o último eco, ou até o fim do envio se
              for depois (último envio + um intervalo: N sondas ocupam N
              intervalos, então nunca passa de --rate); n/d com uma sonda
              só. A espera pelas sondas perdidas não conta.
  kernel      diferenças do /proc/net/snmp (Udp RcvbufErrors, Tcp
              RetransSegs), lidas em volta de cada transporte; contam a
              máquina toda.

As degradações agem em cada sentido: 20% de perda em cada sentido dá 36%
na ida e volta. auto entrega a perda ao kernel (nftables) onde ele pode
descartar (Linux, root, nft), para UDP e TCP igualmente, e o resto a um
encaminhador em espaço de usuário; sem isso, o encaminhador faz tudo para
o UDP, mas não consegue descartar, reordenar nem duplicar segmentos TCP,
então o TCP recebe só atraso e jitter (a saída avisa).

--csv - escreve as linhas no stdout e a tabela no stderr (não com --json);
o seq dele é o do cabeçalho da sonda, a partir de 0 como na rede.
Códigos de saída: 0 concluído, 1 sem resposta ou falha na execução (com
--json, o stdout traz então {"schema", "error"}), 2 opção inválida ou um
arquivo --csv que não pode ser aberto, 130 Ctrl-C (o resultado parcial é
impresso).`,
    },
  }
}
