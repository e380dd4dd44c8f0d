// 100,000 random and mutated packets at the DNS engine over UDP (Knot DNS behind it): the engine
// keeps running, every reply stays within 1232 bytes, and it still answers properly afterwards.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { after, before, describe, it } from 'node:test';
import { Type } from '../../../../engine/dns/wire.ts';
import { encodeQuery } from '../../../helpers/dns.ts';
import { buildQuery } from '../../../helpers/dns-edns.ts';
import { kdig, startDnsBehindKnot, type DnsBehindKnot } from '../../../helpers/knot.ts';

let dns: DnsBehindKnot;
before(async () => {
  dns = await startDnsBehindKnot({ upstreamTimeoutMs: 200, queryTimeoutMs: 400 });
});
after(() => dns?.stop());

function mutant(i: number, seeds: Buffer[]): Buffer {
  if (i % 3 === 0) return randomBytes(i % 700);
  const packet = Buffer.from(seeds[i % seeds.length]!);
  for (let f = 0; f < 1 + (i % 5); f++) packet[(i * 7 + f * 13) % packet.length] = (i * 31 + f * 17) & 0xff;
  if (i % 7 === 0) packet.writeUInt16BE(0xffff, 6 + 2 * (i % 3)); // huge record counts
  if (i % 11 === 0) packet.writeUInt16BE(0xc00c, 12); // a pointer loop in the question
  return i % 5 === 0 ? packet.subarray(0, i % packet.length) : packet;
}

describe('dns engine under malformed input (knot)', () => {
  it('survives 100,000 random and mutated packets; replies stay within the size limit', async () => {
    const cookie = { code: 10, data: Buffer.alloc(24, 7) };
    const seeds = [
      encodeQuery('www.example.test', Type.A),
      encodeQuery('big.example.test', Type.TXT, { edns: 4096 }),
      encodeQuery('x.test', Type.MX),
      // EDNS options (a client and server cookie), DO and CD: what the cookie and OPT code reads.
      buildQuery({
        id: 1,
        name: 'www.example.test',
        type: Type.A,
        checkingDisabled: true,
        edns: { dnssecOk: true, options: [cookie, { code: 3, data: Buffer.alloc(0) }] },
      }),
    ];
    const socket = createSocket('udp4');
    let replies = 0;
    let largest = 0;
    let notResponses = 0;
    socket.on('message', (message) => {
      replies++;
      if (!(message[2]! & 0x80)) notResponses++;
      largest = Math.max(largest, message.length);
    });
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
    for (let batch = 0; batch < 1000; batch++) {
      await Promise.all(
        Array.from(
          { length: 100 },
          (_, j) => new Promise<void>((resolve) => socket.send(mutant(batch * 100 + j, seeds), dns.port, '127.0.0.1', () => resolve())),
        ),
      );
      // Paced so the socket buffer is not what drops them: the point is that the engine reads them.
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
    socket.close();
    assert.ok(replies > 1000, `replies: ${replies}`);
    assert.ok(largest <= 1232, `largest reply ${largest} bytes`);
    const stats = await dns.stats();
    // Loopback UDP may still drop a few under this burst; nearly all must have been read.
    assert.ok(stats.queries > 90_000, `the engine read ${stats.queries} packets`);
    assert.ok(stats.formerr > 30_000, `formerr ${stats.formerr}`);
    // About half the random packets have QR set: none of them was answered.
    assert.ok(stats.dropped.response > 10_000, `dropped as responses: ${stats.dropped.response}`);
    assert.equal(notResponses, 0, 'a reply without QR');
    assert.match(await kdig(dns.port, ['www.example.test', 'A']), /192\.0\.2\.10/);
  });
});
