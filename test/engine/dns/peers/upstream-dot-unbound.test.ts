// DNS over TLS upstreams (RFC 7858, RFC 8310 strict profile) against a real unbound with a TLS
// listener and a certificate from a CA the test makes (openssl): the name after # is checked,
// queries share one connection, answers come back out of order, idle connections are closed and
// reopened, and a certificate for another name or from an unknown CA carries no query. kdig asks
// through Signalbox. slow.test is delegated (stub zone) to a small authority of the test's own that
// answers after a delay, so an answer unbound must wait for can be overtaken on the connection.
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { after, before, describe, it } from 'node:test';
import type { QueryLogEntry } from '../../../../engine/api/dns.ts';
import { encodeAnswer } from '../../../helpers/dns.ts';
import { makePki, serverName, type TestPki } from '../../../helpers/dns-tls.ts';
import { freePort, kdig, startDnsEngine, status } from '../../../helpers/knot.ts';
import { startUnbound, type Unbound } from '../../../helpers/unbound.ts';
import { waitFor } from '../../../helpers/wait.ts';

const slowMs = 300;
// unbound sheds idle connections after this; our own idle limit is set below or above it per test.
const unboundIdleMs = 1500;

describe('dns upstream over TLS (unbound, kdig)', () => {
  let pki: TestPki;
  let unbound: Unbound;
  let slow: Socket;

  before(async () => {
    pki = makePki();
    slow = createSocket('udp4');
    slow.on('message', (query, remote) => {
      const answer = encodeAnswer(query, { answers: [{ ttl: 60, address: [192, 0, 2, 30] }] });
      answer.writeUInt16BE(answer.readUInt16BE(2) | 0x0400, 2); // AA: it is the zone's authority
      setTimeout(() => slow.send(answer, remote.port, remote.address), slowMs);
    });
    await new Promise<void>((resolve) => slow.bind(0, '127.0.0.1', resolve));
    unbound = await startUnbound({
      localZones: { 'dot.test.': 'static' },
      localData: ['dot.test. 300 IN SOA ns.dot.test. host.dot.test. 1 3600 600 86400 60', 'www.dot.test. 300 IN A 192.0.2.53'],
      stubZones: [{ name: 'slow.test', port: slow.address().port }],
      tls: { port: await freePort(), certFile: pki.certFile, keyFile: pki.keyFile },
      tcpIdleTimeoutMs: unboundIdleMs,
    });
  });
  after(async () => {
    await unbound?.stop();
    slow?.close();
  });

  /** Signalbox with one DoT upstream (unbound's TLS port, checked for `name`), no cache, health probes on dot.test. */
  const engineFor = (name: string, upstream: Record<string, unknown> = {}, health: Record<string, unknown> = { enabled: false }) =>
    startDnsEngine([], {
      upstreams: [{ address: `tls://127.0.0.1:${unbound.tlsPort}#${name}`, caFile: pki.caFile, ...upstream }],
      upstreamTimeoutMs: 2000,
      cache: { enabled: false },
      healthCheck: { probeName: 'dot.test', ...health },
    });

  it('answers over one reused TLS connection, the name checked against the certificate', async () => {
    const dns = await engineFor(serverName);
    try {
      for (let i = 0; i < 10; i++) assert.match(await kdig(dns.port, ['www.dot.test', 'A']), /192\.0\.2\.53/);
      await Promise.all(Array.from({ length: 20 }, () => kdig(dns.port, ['www.dot.test', 'A'])));
      const [upstream] = (await dns.stats()).upstreams;
      assert.deepEqual([upstream!.transport, upstream!.answered, upstream!.connections, upstream!.lastError], ['tls', 30, 1, null]);
    } finally {
      await dns.stop();
    }
  });

  it('takes answers out of order: a quick answer overtakes a slow one on the same connection', async () => {
    const dns = await engineFor(serverName);
    const log: QueryLogEntry[] = [];
    const stopLog = dns.engine.streams['dns.queryLog']!({}, (batch) => log.push(...batch.entries));
    try {
      assert.match(await kdig(dns.port, ['www.dot.test', 'A']), /192\.0\.2\.53/);
      const slowAnswer = kdig(dns.port, ['www.slow.test', 'A']);
      await waitFor(async () => (await dns.stats()).upstreams[0]!.outstanding === 1, 'the slow query sent upstream');
      assert.match(await kdig(dns.port, ['www.dot.test', 'A']), /192\.0\.2\.53/);
      assert.match(await slowAnswer, /192\.0\.2\.30/);
      await waitFor(() => log.length >= 3, 'the three log entries');
      assert.deepEqual(
        log.map((entry) => entry.qname),
        ['www.dot.test', 'www.dot.test', 'www.slow.test'],
        'the second quick query was answered before the slow one sent ahead of it',
      );
      assert.equal((await dns.stats()).upstreams[0]!.connections, 1, 'all on one connection');
    } finally {
      stopLog();
      await dns.stop();
    }
  });

  it('closes an idle connection after idleTimeoutMs and opens a new one for the next query', async () => {
    const dns = await engineFor(serverName, { idleTimeoutMs: 200 });
    try {
      assert.match(await kdig(dns.port, ['www.dot.test', 'A']), /192\.0\.2\.53/);
      // Time passing is what is tested: well past our 200 ms, well short of unbound's own limit.
      await new Promise((resolve) => setTimeout(resolve, 600));
      assert.match(await kdig(dns.port, ['www.dot.test', 'A']), /192\.0\.2\.53/);
      assert.equal((await dns.stats()).upstreams[0]!.connections, 2);
    } finally {
      await dns.stop();
    }
  });

  it('reconnects when the server closed the connection, with no query lost', async () => {
    const dns = await engineFor(serverName, { idleTimeoutMs: 60_000 });
    try {
      assert.match(await kdig(dns.port, ['www.dot.test', 'A']), /192\.0\.2\.53/);
      await new Promise((resolve) => setTimeout(resolve, unboundIdleMs * 2));
      for (let i = 0; i < 5; i++) assert.match(await kdig(dns.port, ['www.dot.test', 'A']), /192\.0\.2\.53/);
      const [upstream] = (await dns.stats()).upstreams;
      assert.deepEqual([upstream!.connections, upstream!.answered, upstream!.timeouts], [2, 6, 0]);
    } finally {
      await dns.stop();
    }
  });

  it('refuses a certificate that is not valid for the name after #, and says why', async () => {
    const dns = await engineFor('wrong.test', {}, { enabled: true, intervalMs: 200, failsToDown: 1 });
    try {
      assert.equal(status(await kdig(dns.port, ['www.dot.test', 'A'])), 'SERVFAIL');
      await waitFor(async () => (await dns.stats()).upstreams[0]!.healthy === false, 'the upstream marked down');
      const [upstream] = (await dns.stats()).upstreams;
      assert.equal(upstream!.answered, 0, 'nothing was read over the unauthenticated connection');
      assert.match(upstream!.lastError ?? '', /wrong\.test/);
    } finally {
      await dns.stop();
    }
  });

  it('refuses a certificate from a CA it was not given', async () => {
    const dns = await startDnsEngine([], {
      upstreams: [`tls://127.0.0.1:${unbound.tlsPort}#${serverName}`],
      upstreamTimeoutMs: 2000,
      cache: { enabled: false },
      healthCheck: { enabled: false },
    });
    try {
      assert.equal(status(await kdig(dns.port, ['www.dot.test', 'A'])), 'SERVFAIL');
      const [upstream] = (await dns.stats()).upstreams;
      assert.equal(upstream!.answered, 0);
      assert.match(upstream!.lastError ?? '', /certificate|self.signed|issuer/i);
    } finally {
      await dns.stop();
    }
  });
});
