// forward against a hand-written upstream that lies: answers with the wrong ID or question
// are dropped, and the real answer (its question in another letter case) is taken.
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { after, describe, it } from 'node:test';
import { Forward } from '../../../../engine/dns/modules/forward/forward.ts';
import type { QueryContext } from '../../../../engine/dns/pipeline.ts';
import { parseQuery, Type } from '../../../../engine/dns/wire.ts';
import { encodeAnswer, encodeQuery } from '../../../helpers/dns.ts';

const upstream = createSocket('udp4');
after(() => upstream.close());

function ctx(name: string): QueryContext {
  const query = encodeQuery(name, Type.A, { id: 7 });
  return { query, parsed: parseQuery(query)!, cookie: null, client: { address: '127.0.0.1', port: 1 }, local: { address: '127.0.0.1', port: 53 }, transport: 'udp', maxSize: 512, receivedAt: performance.now(), deadline: performance.now() + 2000, meta: {} };
}

describe('dns forward', () => {
  it('drops answers whose ID or question do not match and takes the real one', async () => {
    await new Promise<void>((resolve) => upstream.bind(0, '127.0.0.1', () => resolve()));
    upstream.on('message', (query, remote) => {
      const send = (packet: Buffer) => upstream.send(packet, remote.port, remote.address);
      const spec = { answers: [{ ttl: 60, address: [192, 0, 2, 1] as [number, number, number, number] }] };
      const wrongQuestion = encodeAnswer(encodeQuery('evil.test', Type.A, { id: query.readUInt16BE(0) }), { answers: [{ ttl: 60, address: [6, 6, 6, 6] }] });
      const wrongId = encodeAnswer(query, { answers: [{ ttl: 60, address: [6, 6, 6, 7] }] });
      wrongId.writeUInt16BE((query.readUInt16BE(0) + 1) & 0xffff, 0);
      const mixedCase = Buffer.from(query);
      mixedCase.write('ReAl', 13, 'latin1');
      send(wrongQuestion);
      send(wrongId);
      setTimeout(() => send(encodeAnswer(mixedCase, spec)), 20);
    });
    const forward = new Forward({
      upstreams: [{ address: `127.0.0.1:${upstream.address().port}`, weight: 1 }],
      upstreamTimeoutMs: 1000,
      policy: 'round-robin',
      health: { enabled: false, intervalMs: 1000, probeName: '.', failsToDown: 3, successesToUp: 1 },
    });
    try {
      const answer = (await forward.handle(ctx('real.test')))!;
      assert.deepEqual([...answer.subarray(-4)], [192, 0, 2, 1], 'the forged answers were dropped');
      assert.equal(answer.readUInt16BE(0), 7, "the client's ID goes back");
      assert.equal(answer.toString('latin1', 13, 17), 'real', "the client's letter case goes back");
      assert.equal(forward.stats()[0]!.answered, 1);
    } finally {
      forward.close();
    }
  });
});
