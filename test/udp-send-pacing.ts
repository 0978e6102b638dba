import t from 'tap'
import { achievedRate, SendSchedule } from '../src/clients/udp-send-pacing.js'
import { udpSend } from '../src/clients/udp-send.js'
import { runMain } from './fixtures/main.js'
import { rawServer } from './fixtures/udp.js'

t.test('SendSchedule: due times from the first send, a late timer caught up in a burst, lag measured', async t => {
  const s = new SendSchedule(0.1) // 10,000/s
  t.equal(s.delay(0), 0, 'the first datagram is due at once')
  s.sent(0)
  t.equal(s.delay(0.05), 0.05, 'the next is due one interval after the first')
  // A timer fired 1 ms late: ten datagrams are due now, all at delay 0 (a burst), none skipped.
  let burst = 0
  while (s.delay(1.05) === 0 && burst < 100) { s.sent(1.05); burst++ }
  t.equal(burst, 10, 'what was due by the clock is sent, and no more')
  const lag = s.lag()!
  t.ok(Math.abs(lag.maxMs - 0.95) < 1e-9, `the first of the burst was 0.95 ms late (${lag.maxMs})`)
  t.ok(lag.p99Ms <= lag.maxMs && lag.p99Ms > 0.9, `p99 among 11 sends is near the max (${lag.p99Ms})`)
})

t.test('SendSchedule: waiting for a typed line is not lag, and no burst follows it', async t => {
  const s = new SendSchedule(100)
  s.sent(0)
  s.waited(10, 5000) // the next line came 5 s later
  t.equal(s.delay(5000), 0, 'the line goes at once: its interval has long passed')
  s.sent(5000)
  t.equal(s.lag()!.maxMs, 0, 'and it is not late')
  t.equal(s.delay(5000), 100, 'the next is one interval later: no burst to catch up the 5 s')
})

t.test('achievedRate: datagrams per second between the first and the last send', async t => {
  t.equal(achievedRate(11, 0, 1000), 10)
  t.equal(achievedRate(1, 0, 0), null)
})

t.test('udpSend holds --rate by the clock, not one timer per datagram', async t => {
  const server = await rawServer(t)
  const count = 1000
  const result = await udpSend({ host: '127.0.0.1', port: server.port, messages: [Buffer.from('x')], count, ratePerSecond: 10_000, waitMs: 0 })
  t.equal(result.sent, count)
  t.equal(result.sending.askedRate, 10_000)
  const rate = result.sending.achievedRate!
  t.ok(rate < 10_000 * 1.01, `the schedule never runs ahead (${rate.toFixed(0)}/s)`)
  // What sleeping one interval per datagram reaches on this machine now (timers fire ≥ 1 ms
  // apart on Linux): the old pacing. A loaded machine slows both; the clock must still win.
  const started = performance.now()
  for (let i = 1; i < count; i++) await new Promise(resolve => setTimeout(resolve, 0.1))
  const timerRate = (count - 1) * 1000 / (performance.now() - started)
  t.ok(rate > 2 * timerRate, `reached ${rate.toFixed(0)}/s of 10,000/s; a timer per datagram ${timerRate.toFixed(0)}/s`)
  t.ok(result.sending.lag !== undefined && result.sending.lag.maxMs >= result.sending.lag.p99Ms)
})

t.test('the summary gives the rate reached and the lag; without a rate, the rate alone', async t => {
  const server = await rawServer(t)
  const paced = await runMain(['udp-send', '127.0.0.1', String(server.port), 'x', '--count', '50', '--rate', '1000', '--quiet', '--wait', '0'])
  t.equal(paced.code, 0, paced.stderr)
  t.match(paced.stderr, /rate: [\d,]+\/s of the 1,?000\/s asked; behind schedule at most [\d.,]+ (ms|s) \(p99 [\d.,]+ (ms|s)\)/)
  const free = await runMain(['udp-send', '127.0.0.1', String(server.port), 'x', '--count', '50', '--quiet', '--wait', '0'])
  t.equal(free.code, 0, free.stderr)
  t.match(free.stderr, /rate: [\d,]+ datagrams\/s \(as fast as the socket took them\)/)
  t.notMatch(free.stderr, /behind schedule/)
})
