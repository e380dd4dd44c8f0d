// A datagram with QR=1 is a response: it is never answered. Two Signalbox instances that answered
// responses would bounce one spoofed datagram between them forever (measured: ~115,000 datagrams
// in 1.5 s); knot, unbound and dnsdist drop such packets, and so must we. The spoofed source needs
// a raw socket (python3 as root); without one that test is skipped and the plain one still runs.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { Type } from '../../../../engine/dns/wire.ts';
import { askUdp, encodeQuery } from '../../../helpers/dns.ts';
import { startDnsBehindKnot, startDnsEngine, type DnsBehindKnot, type DnsEngineUnderTest } from '../../../helpers/knot.ts';

const run = promisify(execFile);

/** Sends one UDP datagram from 127.0.0.1:fromPort (spoofed, through a raw socket) to 127.0.0.1:toPort. */
const spoofScript = `
import socket, struct, sys
src, dst, payload = int(sys.argv[1]), int(sys.argv[2]), bytes.fromhex(sys.argv[3])
udp = struct.pack('!HHHH', src, dst, 8 + len(payload), 0) + payload
lo = socket.inet_aton('127.0.0.1')
ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(udp), 0, 0, 64, 17, 0, lo, lo)
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
s.sendto(ip + udp, ('127.0.0.1', 0))
`;

/** A 12-byte FORMERR response header: what one server sent the other in the loop. */
const responseHeader = Buffer.from('abcd80010000000000000000', 'hex');

let dns: DnsBehindKnot;
const pair: DnsEngineUnderTest[] = [];
before(async () => {
  dns = await startDnsBehindKnot({ healthCheck: { enabled: false } });
});
after(async () => {
  for (const engine of pair) await engine.stop();
  await dns?.stop();
});

describe('dns responses are never answered (knot)', () => {
  it('drops a datagram with QR=1 and counts it as dropped: response', async () => {
    const response = encodeQuery('www.example.test', Type.A, { flags: 0x8180 });
    assert.equal(await askUdp(dns.port, response, { timeoutMs: 500 }), null);
    assert.equal(await askUdp(dns.port, responseHeader, { timeoutMs: 500 }), null);
    const stats = await dns.stats();
    assert.equal(stats.dropped.response, 2);
    assert.equal(stats.formerr, 0);
    // A query still gets its answer.
    const answer = await askUdp(dns.port, encodeQuery('www.example.test', Type.A));
    assert.ok(answer, 'an answer');
    assert.equal(answer.readUInt16BE(2) & 0x800f, 0x8000);
  });

  it('lets no spoofed response bounce between two instances: fewer than 10 datagrams in 2 s (raw socket)', async (t) => {
    for (let i = 0; i < 2; i++) pair.push(await startDnsEngine(['127.0.0.1:9'], { healthCheck: { enabled: false } }));
    const [a, b] = pair as [DnsEngineUnderTest, DnsEngineUnderTest];
    try {
      await run('python3', ['-c', spoofScript, String(b.port), String(a.port), responseHeader.toString('hex')]);
    } catch (err) {
      return t.skip(`cannot send a spoofed datagram here (needs python3 and a raw socket, i.e. root): ${String(err).split('\n')[0]}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const [statsA, statsB] = [await a.stats(), await b.stats()];
    const datagrams = statsA.queries + statsB.queries;
    assert.ok(datagrams >= 1, 'the spoofed datagram never arrived');
    assert.ok(datagrams < 10, `${datagrams} datagrams went between the two instances`);
    assert.equal(statsA.dropped.response, 1);
  });
});
