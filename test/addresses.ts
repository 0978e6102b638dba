import t from 'tap'
import { formatAddress, isLoopback, isWildcard, unmapIPv4 } from '../src/core/addresses.js'

t.test('addresses are shown as a client would type them', async t => {
  t.equal(formatAddress('127.0.0.1', 9000), '127.0.0.1:9000')
  t.equal(formatAddress('::1', 9000), '[::1]:9000', 'IPv6 in brackets, so the port is not read as part of it')
  t.equal(formatAddress('fe80::1%eth0', 9000), '[fe80::1%eth0]:9000')
  // A dual-stack server (--host ::) sees an IPv4 client as ::ffff:127.0.0.1; the listening
  // line told the student to use 127.0.0.1, so that is what the events show.
  t.equal(formatAddress('::ffff:127.0.0.1', 40000), '127.0.0.1:40000')
  t.equal(formatAddress('::FFFF:10.1.2.3', 1), '10.1.2.3:1')
  t.equal(unmapIPv4('::ffff:127.0.0.1'), '127.0.0.1')
  t.equal(unmapIPv4('::ffff:7f00:1'), '::ffff:7f00:1', 'only the dotted form is a mapped IPv4 address as Node reports it')
  t.equal(unmapIPv4('2001:db8::ffff:1.2.3.4'), '2001:db8::ffff:1.2.3.4', 'an IPv6 address that merely ends in a dotted quad stays')
  t.equal(formatAddress('localhost', 80), 'localhost:80')
})

t.test('wildcards and loopback', async t => {
  for (const host of ['0.0.0.0', '::', '::0', '']) t.ok(isWildcard(host), host)
  t.notOk(isWildcard('127.0.0.1'))
  for (const host of ['127.0.0.1', '127.1.2.3', '::1', 'localhost']) t.ok(isLoopback(host), host)
  t.notOk(isLoopback('192.0.2.1'))
  t.ok(isLoopback('::ffff:127.0.0.1'), 'an IPv4-mapped loopback address is loopback')
})
