// dnstap output read by real collectors: Debian's fstrm_capture (Frame Streams, bidirectional
// handshake) writes what the engine sends, dnstap-ldns reads it back; kdig asks over UDP, TCP, DoT
// and DoH, knot is the upstream. Also: a collector that is not there yet, and one that goes away.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, describe, it } from 'node:test';
import type { DnsStats } from '../../../../engine/api/dns.ts';
import { dnstap } from '../../../../engine/dns/modules/dnstap/dnstap.pb.js';
import { Type } from '../../../../engine/dns/wire.ts';
import { askUdp, encodeQuery } from '../../../helpers/dns.ts';
import { makePki, serverName } from '../../../helpers/dns-tls.ts';
import { decodeCapture, readWithDnstapLdns, startCollector, type Collector } from '../../../helpers/fstrm.ts';
import { tempDir } from '../../../helpers/host.ts';
import { freePort, startDnsBehindKnot, type DnsBehindKnot } from '../../../helpers/knot.ts';
import { waitFor } from '../../../helpers/wait.ts';

const run = promisify(execFile);
const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function kdig(port: number, args: string[]): Promise<string> {
  try {
    return (await run('kdig', ['@127.0.0.1', '-p', String(port), '+time=3', '+retry=1', ...args], { timeout: 15_000 })).stdout;
  } catch (err) {
    return (err as { stdout?: string }).stdout ?? '';
  }
}

async function dnstapStats(dns: DnsBehindKnot): Promise<NonNullable<DnsStats['dnstap']>> {
  const stats = await dns.stats();
  assert.ok(stats.dnstap, 'dns.stats has dnstap counters');
  return stats.dnstap;
}

/** Waits until the engine wrote everything it queued (the collector has it in its socket). */
async function flushed(dns: DnsBehindKnot, atLeast: number): Promise<void> {
  await waitFor(
    async () => {
      const stats = await dnstapStats(dns);
      return stats.queued === 0 && stats.sent >= atLeast;
    },
    `dnstap to write ${atLeast} messages`,
    15_000,
  );
}

async function start(config: (upstreams: string[]) => Record<string, unknown>): Promise<DnsBehindKnot> {
  const dns = await startDnsBehindKnot(config);
  cleanups.push(() => dns.stop());
  return dns;
}

async function collector(on: Parameters<typeof startCollector>[0]): Promise<Collector> {
  const started = await startCollector(on);
  cleanups.push(() => started.stop());
  return started;
}

/** The quiet lines of one name: `CQ 127.0.0.1 UDP ... "name." IN A` etc. */
const linesOf = (lines: string[], name: string) => lines.filter((line) => line.includes(`"${name}."`));

describe('dnstap to fstrm_capture, read back by dnstap-ldns', () => {
  it(
    'every query over UDP, TCP, DoT and DoH is in the capture as CLIENT_QUERY and CLIENT_RESPONSE, each miss also as FORWARDER_QUERY and FORWARDER_RESPONSE',
    { timeout: 120_000 },
    async () => {
      const pki = makePki();
      const capture = await collector({ unix: join(tempDir('dnstap-sock'), 'dnstap.sock') });
      const [udpPort, dotPort, dohPort] = [await freePort(), await freePort(), await freePort()];
      const dns = await start((upstreams) => ({
        upstreams,
        listen: [`127.0.0.1:${udpPort}`, `tls://127.0.0.1:${dotPort}`, `https://127.0.0.1:${dohPort}/dns-query`],
        tls: { certFile: pki.certFile, keyFile: pki.keyFile },
        dnstap: { enabled: true, address: capture.address, identity: 'sbx-test' },
      }));
      await waitFor(async () => (await dnstapStats(dns)).connected === 1, 'dnstap to connect', 15_000);

      const tls = [`+tls-ca=${pki.caFile}`, `+tls-hostname=${serverName}`];
      const asked: { name: string; transport: 'UDP' | 'TCP' | 'DOT' | 'DOH' }[] = [];
      for (let i = 0; i < 5; i++) {
        for (const [transport, port, args] of [
          ['UDP', udpPort, ['+notcp']],
          ['TCP', udpPort, ['+tcp']],
          ['DOT', dotPort, ['+tls', ...tls]],
          ['DOH', dohPort, ['+https=/dns-query', ...tls]],
        ] as const) {
          const name = `tap-${transport.toLowerCase()}-${i}.example.test`;
          const output = await kdig(port, [name, 'A', ...args]);
          assert.match(output, /status: NXDOMAIN/, `${transport} ${name} answered`);
          asked.push({ name, transport });
        }
      }
      // A second ask of the same name is a cache hit: a client exchange and no forwarder one.
      assert.match(await kdig(udpPort, ['tap-udp-0.example.test', 'A', '+notcp']), /status: NXDOMAIN/);
      await flushed(dns, asked.length * 4 + 2);
      await capture.stop();

      const lines = await readWithDnstapLdns(capture.file);
      for (const { name, transport } of asked) {
        const mine = linesOf(lines, name);
        const kinds = mine.map((line) => line.split(' ')[2]);
        assert.equal(kinds.filter((kind) => kind === 'CQ').length, name === 'tap-udp-0.example.test' ? 2 : 1, `${name}: CLIENT_QUERY in ${mine.join(' | ')}`);
        assert.equal(kinds.filter((kind) => kind === 'CR').length, name === 'tap-udp-0.example.test' ? 2 : 1, `${name}: CLIENT_RESPONSE`);
        assert.equal(kinds.filter((kind) => kind === 'FQ').length, 1, `${name}: FORWARDER_QUERY (one miss)`);
        assert.equal(kinds.filter((kind) => kind === 'FR').length, 1, `${name}: FORWARDER_RESPONSE`);
        // dnstap-ldns 0.2.1 names UDP and TCP; DOT and DOH came later to the schema, so it shows "?".
        const client = mine.find((line) => line.split(' ')[2] === 'CQ')!;
        assert.match(client, transport === 'UDP' || transport === 'TCP' ? new RegExp(` 127\\.0\\.0\\.1 ${transport} `) : / 127\.0\.0\.1 \? /);
        assert.match(
          mine.find((line) => line.split(' ')[2] === 'FQ')!,
          / 127\.0\.0\.1 UDP /,
          'the upstream was asked over UDP',
        );
      }

      // The fields dnstap-ldns does not show, from the same file: protocol, ports, identity, times.
      // Decoded messages are taken apart field by field (optional in proto2, so typed nullable).
      const messages: any[] = decodeCapture(capture.file);
      assert.ok(messages.every((m) => m.type === dnstap.Dnstap.Type.MESSAGE && Buffer.from(m.identity).toString() === 'sbx-test'));
      const protocolOf = { UDP: dnstap.SocketProtocol.UDP, TCP: dnstap.SocketProtocol.TCP, DOT: dnstap.SocketProtocol.DOT, DOH: dnstap.SocketProtocol.DOH };
      const listenerPort = { UDP: udpPort, TCP: udpPort, DOT: dotPort, DOH: dohPort };
      for (const { name, transport } of asked) {
        const wire = Buffer.from(
          name
            .split('.')
            .map((label) => String.fromCharCode(label.length) + label)
            .join(''),
          'latin1',
        );
        const response = messages.find((m) => m.message.type === dnstap.Message.Type.CLIENT_RESPONSE && Buffer.from(m.message.responseMessage).includes(wire))!;
        assert.ok(response, `${name}: CLIENT_RESPONSE decoded`);
        const m = response.message;
        assert.equal(m.socketProtocol, protocolOf[transport], `${name}: socket_protocol`);
        assert.equal(m.socketFamily, dnstap.SocketFamily.INET);
        assert.deepEqual([...m.queryAddress], [127, 0, 0, 1]);
        assert.equal(m.responsePort, listenerPort[transport]);
        assert.ok(m.queryPort > 0);
        const queried = Number(m.queryTimeSec) + m.queryTimeNsec / 1e9;
        const answered = Number(m.responseTimeSec) + m.responseTimeNsec / 1e9;
        assert.ok(answered >= queried && Math.abs(Date.now() / 1000 - answered) < 300, `${name}: times ${queried} <= ${answered}, close to now`);
        assert.equal(
          Buffer.from(m.responseMessage).readUInt16BE(0),
          Buffer.from(
            messages.find((q) => q.message.type === dnstap.Message.Type.CLIENT_QUERY && Buffer.from(q.message.queryMessage).includes(wire))!.message
              .queryMessage,
          ).readUInt16BE(0),
          'the response carries the query ID',
        );
      }
    },
  );

  it('queues while the collector is not there yet, connects when it starts, and delivers what was queued', { timeout: 60_000 }, async () => {
    const port = await freePort();
    const dns = await start((upstreams) => ({ upstreams, dnstap: { enabled: true, address: `tcp://127.0.0.1:${port}`, reconnectMaxMs: 300 } }));
    for (let i = 0; i < 5; i++)
      assert.ok(await askUdp(dns.port, encodeQuery(`early-${i}.example.test`, Type.A, { id: 100 + i })), 'answered with no collector');
    const before = await dnstapStats(dns);
    assert.equal(before.connected, 0);
    assert.equal(before.sent, 0);
    assert.ok(before.queued >= 10, `queued ${before.queued}`);

    const capture = await collector({ tcpPort: port });
    await waitFor(async () => (await dnstapStats(dns)).connected === 1, 'dnstap to reconnect', 20_000);
    for (let i = 0; i < 5; i++) assert.ok(await askUdp(dns.port, encodeQuery(`late-${i}.example.test`, Type.A, { id: 200 + i })));
    await flushed(dns, 5 * 4 * 2);
    assert.equal((await dnstapStats(dns)).dropped, 0);
    await capture.stop();
    const lines = await readWithDnstapLdns(capture.file);
    for (const name of [...[0, 1, 2, 3, 4].map((i) => `early-${i}.example.test`), ...[0, 1, 2, 3, 4].map((i) => `late-${i}.example.test`)]) {
      const kinds = linesOf(lines, name).map((line) => line.split(' ')[2]);
      assert.deepEqual(kinds.sort(), ['CQ', 'CR', 'FQ', 'FR'], name);
    }
  });

  it('keeps its connection through a config change that leaves dnstap as it was, and opens a new one when dnstap changes', { timeout: 60_000 }, async () => {
    const capture = await collector({ unix: join(tempDir('dnstap-sock'), 'dnstap.sock') });
    const dns = await start((upstreams) => ({ upstreams, dnstap: { enabled: true, address: capture.address, identity: 'first' } }));
    await waitFor(async () => (await dnstapStats(dns)).connected === 1, 'dnstap to connect', 15_000);
    const current = async () => ((await dns.engine.procedures['dns.configGet']!({})) as { config: Record<string, any> }).config;
    assert.ok(await askUdp(dns.port, encodeQuery('before.example.test', Type.A, { id: 401 })));
    await dns.engine.procedures['dns.configSet']!({ config: { ...(await current()), cache: { ...(await current()).cache, maxEntries: 5000 } } });
    assert.ok(await askUdp(dns.port, encodeQuery('kept.example.test', Type.A, { id: 402 })));
    await flushed(dns, 8);
    const kept = await dnstapStats(dns);
    assert.equal(kept.connections, 1, 'the same connection');
    assert.equal(kept.sent, 8, 'one stream carried both exchanges');

    const config = await current();
    await dns.engine.procedures['dns.configSet']!({ config: { ...config, dnstap: { ...config.dnstap, identity: 'second' } } });
    await waitFor(async () => (await dnstapStats(dns)).connected === 1, 'the new dnstap to connect', 15_000);
    assert.ok(await askUdp(dns.port, encodeQuery('changed.example.test', Type.A, { id: 403 })));
    await flushed(dns, 4);
    assert.equal((await dnstapStats(dns)).sent, 4, 'a new stream, counted afresh');
    await capture.stop();
    const identities = new Map(
      decodeCapture(capture.file).map((m) => [
        Buffer.from(m.message!.queryMessage ?? m.message!.responseMessage!).toString('latin1'),
        Buffer.from(m.identity!).toString(),
      ]),
    );
    const identityOf = (name: string) => [...identities].find(([wire]) => wire.includes(name.split('.')[0]!))?.[1];
    assert.equal(identityOf('kept.example.test'), 'first');
    assert.equal(identityOf('changed.example.test'), 'second');
  });

  it('keeps answering when the collector goes away: the queue fills, then messages are dropped and counted', { timeout: 60_000 }, async () => {
    const capture = await collector({ unix: join(tempDir('dnstap-sock'), 'dnstap.sock') });
    const dns = await start((upstreams) => ({ upstreams, dnstap: { enabled: true, address: capture.address, queueSize: 20, forwarder: false } }));
    await waitFor(async () => (await dnstapStats(dns)).connected === 1, 'dnstap to connect', 15_000);
    await capture.stop();
    await waitFor(async () => (await dnstapStats(dns)).connected === 0, 'dnstap to see the collector gone', 15_000);
    for (let i = 0; i < 30; i++) assert.ok(await askUdp(dns.port, encodeQuery(`gone-${i}.example.test`, Type.A, { id: 300 + i })), `query ${i} answered`);
    const stats = await dnstapStats(dns);
    assert.equal(stats.queued, 20);
    // 30 exchanges are 60 messages (query and response): 20 fit the queue, 40 were dropped.
    assert.equal(stats.dropped, 40);
  });
});
