// The pcap export read back by a real peer: tcpdump checks the IP, UDP and TCP headers and their
// checksums (-vv) and decodes the DNS messages.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { QueryLogEntry } from '../../../../engine/api/dns.ts';
import type { CapturedExchange } from '../../../../engine/dns/modules/querylog/capture.ts';
import { PacketCapture } from '../../../../engine/dns/modules/querylog/capture.ts';
import { addressBytes, encodePcap } from '../../../../engine/dns/modules/querylog/pcap.ts';
import { Type } from '../../../../engine/dns/wire.ts';
import { encodeAnswer, encodeQuery } from '../../../helpers/dns.ts';
import { tempDir } from '../../../helpers/host.ts';

const run = promisify(execFile);

function exchange(seq: number, transport: 'udp' | 'tcp', client: string, server: string, name = 'www.example.test'): CapturedExchange {
  const query = encodeQuery(name, Type.A, { id: 0x4000 + seq });
  const entry: QueryLogEntry = {
    seq,
    at: 1_790_000_000_000 + seq,
    client,
    transport,
    qname: name,
    qtype: 1,
    rcode: 0,
    upstream: null,
    route: '.',
    latencyMs: 1,
    cache: null,
    rrl: null,
    flattened: false,
  };
  return {
    entry,
    client: { address: client, port: 40000 + seq },
    server: { address: server, port: 53 },
    query,
    reply: encodeAnswer(query, { answers: [{ ttl: 300, address: [192, 0, 2, seq] }] }),
    answeredAt: entry.at + 1,
  };
}

async function tcpdump(exchanges: CapturedExchange[]): Promise<string[]> {
  const file = join(tempDir('pcap'), 'dns.pcap');
  writeFileSync(file, encodePcap(exchanges));
  const { stdout } = await run('tcpdump', ['-r', file, '-n', '-vv', '-tt', '-S'], { timeout: 10_000 });
  return stdout.trim().split('\n');
}

describe('dns pcap export', () => {
  it('writes UDP over IPv4 that tcpdump decodes with valid checksums', async () => {
    const lines = (await tcpdump([exchange(1, 'udp', '127.0.0.9', '127.0.0.1')])).join('\n');
    assert.match(lines, /127\.0\.0\.9\.40001 > 127\.0\.0\.1\.53: \[udp sum ok\] 16385\+ A\? www\.example\.test\./);
    assert.match(lines, /127\.0\.0\.1\.53 > 127\.0\.0\.9\.40001: \[udp sum ok\] 16385 q: A\? www\.example\.test\. 1\/0\/0 www\.example\.test\. A 192\.0\.2\.1/);
    assert.doesNotMatch(lines, /bad/i);
  });

  it('writes TCP with the length prefix and running sequence numbers, and IPv6', async () => {
    const lines = await tcpdump([
      exchange(2, 'tcp', '127.0.0.9', '127.0.0.1'),
      exchange(3, 'udp', '::1', '::1'),
      exchange(4, 'udp', '::ffff:127.0.0.2', '127.0.0.1'),
    ]);
    const text = lines.join('\n');
    assert.match(
      text,
      /127\.0\.0\.9\.40002 > 127\.0\.0\.1\.53: Flags \[P\.\], cksum 0x[0-9a-f]+ \(correct\), seq 1:37, ack 1, .*16386\+ A\? www\.example\.test\./,
    );
    assert.match(text, /127\.0\.0\.1\.53 > 127\.0\.0\.9\.40002: Flags \[P\.\], cksum 0x[0-9a-f]+ \(correct\), seq 1:\d+, ack 37,/);
    assert.match(text, /::1\.40003 > ::1\.53: \[udp sum ok\] 16387\+ A\? www\.example\.test\./);
    // A v4-mapped client with an IPv4 listener: both written as IPv6 so that one header fits.
    assert.match(text, /::ffff:127\.0\.0\.2\.40004 > ::ffff:127\.0\.0\.1\.53: \[udp sum ok\]/);
    assert.doesNotMatch(text, /bad|incorrect/i);
    assert.equal(lines.filter((line) => /^\d+\.\d+ IP/.test(line)).length, 6);
  });

  it('writes a dropped query alone', async () => {
    const dropped = { ...exchange(5, 'udp', '127.0.0.9', '127.0.0.1'), reply: null };
    const lines = await tcpdump([dropped]);
    assert.equal(lines.filter((line) => /^\d+\.\d+ IP/.test(line)).length, 1);
  });

  it('reads IPv6 addresses in every spelling', () => {
    assert.equal(addressBytes('::1').toString('hex'), '00000000000000000000000000000001');
    assert.equal(addressBytes('2001:db8::10').toString('hex'), '20010db8000000000000000000000010');
    assert.equal(addressBytes('fe80::1%eth0').toString('hex'), 'fe800000000000000000000000000001');
    assert.equal(addressBytes('::ffff:127.0.0.1').toString('hex'), '00000000000000000000ffff7f000001');
    assert.equal(addressBytes('127.0.0.1').toString('hex'), '7f000001');
  });
});

describe('dns packet capture', () => {
  it('keeps the newest exchanges by count and finds them by sequence number', () => {
    const capture = new PacketCapture(100);
    capture.record(exchange(1, 'udp', '127.0.0.9', '127.0.0.1'));
    assert.equal(capture.get(1)!.entry.seq, 1);
    for (let seq = 2; seq <= 1000; seq++) capture.record(exchange(seq, 'udp', '127.0.0.9', '127.0.0.1'));
    assert.equal(capture.last(10_000).length, 100);
    assert.equal(
      capture
        .last(3)
        .map((e) => e.entry.seq)
        .join(),
      '998,999,1000',
    );
    assert.equal(capture.get(1), undefined);
    assert.equal(capture.get(950)!.entry.seq, 950);
    capture.resize(10);
    assert.equal(capture.last(10_000).length, 10);
    assert.equal(capture.get(950), undefined);
  });

  it('keeps copies of the packets, whole, with everything that came with them', () => {
    const capture = new PacketCapture(10);
    const sent = exchange(7, 'tcp', '::1', '::1');
    const expected = {
      ...sent,
      entry: { ...sent.entry },
      client: { ...sent.client },
      server: { ...sent.server },
      query: Buffer.from(sent.query),
      reply: Buffer.from(sent.reply!),
    };
    capture.record(sent);
    sent.query.fill(0); // the caller's buffers may be reused: the capture holds its own bytes
    sent.reply!.fill(0);
    const kept = capture.get(7)!;
    assert.deepEqual(kept, expected);
    capture.record({ ...exchange(8, 'udp', '127.0.0.9', '127.0.0.1'), reply: null });
    assert.equal(capture.get(8)!.reply, null);
  });

  it('keeps a 64 KiB TCP answer, and lets the oldest go when the bytes run out before the count', () => {
    const capture = new PacketCapture(100);
    const big = (seq: number) => ({ ...exchange(seq, 'tcp', '127.0.0.9', '127.0.0.1'), reply: Buffer.alloc(65_535, seq) });
    for (let seq = 1; seq <= 10; seq++) capture.record(big(seq));
    const kept = capture.last(100);
    // The arena of a 100-exchange capture holds 200 KiB (its least, 256 KiB): three of these answers.
    assert.deepEqual(
      kept.map((e) => e.entry.seq),
      [8, 9, 10],
    );
    assert.ok(kept.every((e) => e.reply!.length === 65_535 && e.reply!.every((byte) => byte === e.entry.seq)));
    assert.equal(capture.get(5), undefined);
    capture.record(exchange(11, 'udp', '127.0.0.9', '127.0.0.1'));
    assert.equal(capture.get(11)!.entry.seq, 11);
  });

  it('keeps the newest exchanges when resized either way', () => {
    const capture = new PacketCapture(5);
    for (let seq = 1; seq <= 8; seq++) capture.record(exchange(seq, 'udp', '127.0.0.9', '127.0.0.1'));
    capture.resize(3);
    assert.deepEqual(
      capture.last(10).map((e) => e.entry.seq),
      [6, 7, 8],
    );
    capture.resize(10);
    capture.record(exchange(9, 'udp', '127.0.0.9', '127.0.0.1'));
    assert.deepEqual(
      capture.last(10).map((e) => e.entry.seq),
      [6, 7, 8, 9],
    );
    assert.equal(capture.get(7)!.reply![3]! & 0xf, 0);
  });

  it('keeps nothing when the capture size is 0', () => {
    const capture = new PacketCapture(0);
    capture.record(exchange(1, 'udp', '127.0.0.9', '127.0.0.1'));
    assert.equal(capture.last(10).length, 0);
  });
});
