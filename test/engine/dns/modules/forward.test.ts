// forward against a hand-written upstream that lies: answers with the wrong ID or question
// are dropped, and the real answer (its question in another letter case) is taken.
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { after, describe, it } from 'node:test';
import { Pool } from '../../../../engine/dns/modules/forward/pool.ts';
import type { QueryContext } from '../../../../engine/dns/pipeline.ts';
import { ExtendedRcode, optRecord, parseQuery, Type, withOpt } from '../../../../engine/dns/wire.ts';
import { buildQuery } from '../../../helpers/dns-edns.ts';
import { encodeAnswer, encodeQuery } from '../../../helpers/dns.ts';

const upstream = createSocket('udp4');
after(() => upstream.close());

function ctx(name: string, query = encodeQuery(name, Type.A, { id: 7 })): QueryContext {
  return {
    query,
    parsed: parseQuery(query)!,
    cookie: null,
    client: { address: '127.0.0.1', port: 1 },
    local: { address: '127.0.0.1', port: 53 },
    transport: 'udp',
    maxSize: 512,
    receivedAt: performance.now(),
    deadline: performance.now() + 2000,
    meta: {},
  };
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
    const forward = new Pool({
      upstreams: [{ address: `127.0.0.1:${upstream.address().port}`, weight: 1 }],
      upstreamTimeoutMs: 1000,
      policy: 'round-robin',
      health: { enabled: false, intervalMs: 1000, probeName: '.', failsToDown: 3, successesToUp: 1 },
    });
    try {
      const answer = (await forward.resolve(ctx('real.test')))!;
      assert.deepEqual([...answer.subarray(-4)], [192, 0, 2, 1], 'the forged answers were dropped');
      assert.equal(answer.readUInt16BE(0), 7, "the client's ID goes back");
      assert.equal(answer.toString('latin1', 13, 17), 'real', "the client's letter case goes back");
      assert.equal(forward.stats()[0]!.answered, 1);
    } finally {
      forward.close();
    }
  });

  it('sends its own query: no client cookie or option, our cookie per upstream, the server cookie it learned; retries BADCOOKIE', async () => {
    const server = createSocket('udp4');
    await new Promise<void>((resolve) => server.bind(0, '127.0.0.1', () => resolve()));
    const received: Buffer[] = [];
    const serverCookie = Buffer.alloc(16, 0x5c);
    server.on('message', (query, remote) => {
      received.push(query);
      const parsed = parseQuery(query)!;
      const theirs = query.subarray(parsed.edns!.cookieAt, parsed.edns!.cookieAt + parsed.edns!.cookieLength);
      const cookieOption = (client: Buffer) => Buffer.concat([Buffer.from([0, 10, 0, 24]), client, serverCookie]);
      const body = encodeAnswer(query, received.length === 1 ? { rcode: ExtendedRcode.badCookie & 0xf } : { answers: [{ ttl: 60, address: [192, 0, 2, 2] }] });
      if (received.length === 2) {
        // A reply with a client cookie that is not the one sent (spoofed): it must be ignored.
        server.send(
          withOpt(encodeAnswer(query, { answers: [{ ttl: 60, address: [6, 6, 6, 6] }] }), optRecord(false, 0, cookieOption(Buffer.alloc(8, 1)))),
          remote.port,
          remote.address,
        );
      }
      const rcode = received.length === 1 ? ExtendedRcode.badCookie : 0;
      server.send(withOpt(body, optRecord(false, rcode, cookieOption(theirs.subarray(0, 8)))), remote.port, remote.address);
    });
    const forward = new Pool({
      upstreams: [{ address: `127.0.0.1:${server.address().port}`, weight: 1 }],
      upstreamTimeoutMs: 1000,
      policy: 'round-robin',
      health: { enabled: false, intervalMs: 1000, probeName: '.', failsToDown: 3, successesToUp: 1 },
    });
    try {
      const clientCookie = Buffer.alloc(8, 0xcc);
      const query = buildQuery({
        id: 9,
        name: 'cookie.test',
        type: Type.A,
        checkingDisabled: true,
        edns: {
          dnssecOk: true,
          udpSize: 4096,
          options: [
            { code: 10, data: clientCookie },
            { code: 3, data: Buffer.alloc(0) },
          ],
        },
      });
      const answer = (await forward.resolve(ctx('cookie.test', query)))!;
      assert.deepEqual([...answer.subarray(-4)], [192, 0, 2, 2], 'the retry after BADCOOKIE was answered; the spoofed reply ignored');
      assert.equal(answer.readUInt16BE(10), 0, "the answer comes back without the upstream's OPT");
      assert.equal(received.length, 2);
      const [first, second] = received.map((packet) => ({ packet, parsed: parseQuery(packet)! }));
      for (const { packet, parsed } of [first!, second!]) {
        assert.equal(parsed.edns!.udpSize, 1232, "our UDP size, not the client's");
        assert.equal(parsed.edns!.dnssecOk, true, "the client's DO");
        assert.equal(parsed.checkingDisabled, true, "the client's CD");
        assert.equal(packet.includes(clientCookie), false, "the client's cookie never goes upstream");
        // One option only: our COOKIE (the client's NSID request is not passed on).
        assert.equal(packet.readUInt16BE(parsed.questionEnd + 9), parsed.edns!.cookieLength + 4);
      }
      const cookieOf = ({ packet, parsed }: typeof first & object) => packet.subarray(parsed.edns!.cookieAt, parsed.edns!.cookieAt + parsed.edns!.cookieLength);
      assert.equal(cookieOf(first!).length, 8, 'a client cookie alone at first');
      assert.deepEqual(
        cookieOf(second!),
        Buffer.concat([cookieOf(first!), serverCookie]),
        'the same client cookie, with the server cookie learned from BADCOOKIE',
      );
    } finally {
      forward.close();
      server.close();
    }
  });
});
