// Answers Signalbox makes itself, over real UDP with Knot DNS upstream: NOTIMP for an unknown
// opcode, the empty TC=1 copy of an oversize answer, FORMERR under RRL's errors-per-second, RRL
// slips in the query log, and RRL with DNS cookies (BADCOOKIE slips, valid cookies not limited).
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { after, before, describe, it } from 'node:test';
import { Type } from '../../../../engine/dns/wire.ts';
import { askUdp, encodeQuery } from '../../../helpers/dns.ts';
import { buildQuery, readAnswer, type QuerySpec } from '../../../helpers/dns-edns.ts';
import { startDnsBehindKnot, type DnsBehindKnot } from '../../../helpers/knot.ts';

let dns: DnsBehindKnot;
before(async () => {
  dns = await startDnsBehindKnot({ healthCheck: { enabled: false }, rrl: { enabled: true, responsesPerSecond: 5, errorsPerSecond: 5, window: 5, slip: 2 } });
});
after(() => dns?.stop());

/** Sends `count` copies of a packet from one address at once; the replies that came back. */
function flood(packet: Buffer, count: number, from: string, settleMs = 500): Promise<Buffer[]> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    const replies: Buffer[] = [];
    socket.on('message', (message) => replies.push(message));
    socket.bind(0, from, () => {
      for (let i = 0; i < count; i++) socket.send(packet, dns.port, '127.0.0.1');
      setTimeout(() => {
        socket.close();
        resolve(replies);
      }, settleMs);
    });
  });
}

const cookieQuery = (cookie: Buffer): QuerySpec => ({ id: 77, name: 'www.example.test', type: Type.A, edns: { options: [{ code: 10, data: cookie }] } });

describe('dns answers of our own (knot)', () => {
  it('answers an unknown opcode NOTIMP, echoing opcode and RD, even without a question', async () => {
    // Opcode 6 (DSO, RFC 8490) carries no question: judged by its opcode, not as a malformed query.
    const header = Buffer.from('4321' + '3100' + '0000' + '0000' + '0000' + '0000', 'hex');
    const reply = readAnswer((await askUdp(dns.port, header, { from: '127.0.2.1' }))!);
    // RA=0: a query we cannot take is not served by the forwarder (as unbound answers it).
    assert.deepEqual([reply.id, reply.qr, reply.opcode, reply.rd, reply.ra, reply.rcode], [0x4321, true, 6, true, false, 4]);
  });

  it("sends an oversize answer as an empty TC=1 copy that keeps the rcode and the AA of knot's answer", async () => {
    const plain = readAnswer((await askUdp(dns.port, encodeQuery('big.example.test', Type.TXT), { from: '127.0.2.2' }))!);
    assert.deepEqual([plain.tc, plain.aa, plain.ra, plain.rcode, plain.answers.length, plain.opt], [true, true, true, 0, 0, null]);
    const edns = readAnswer(
      (await askUdp(dns.port, buildQuery({ id: 5, name: 'big.example.test', type: Type.TXT, edns: { udpSize: 512, dnssecOk: true } }), { from: '127.0.2.2' }))!,
    );
    assert.deepEqual([edns.tc, edns.aa, edns.opt?.dnssecOk, edns.opt?.udpSize], [true, true, true, 1232]);
  });

  it('rate-limits its own FORMERR answers through errors-per-second, dropping the excess', async () => {
    // Two questions: readable as a query (QR=0), but not one we answer.
    const malformed = Buffer.concat([encodeQuery('www.example.test', Type.A).subarray(0, 4), Buffer.from([0, 2, 0, 0, 0, 0, 0, 0])]);
    const replies = await flood(malformed, 50, '127.0.3.1');
    assert.ok(replies.length >= 5 && replies.length <= 6, `${replies.length} FORMERR answers`);
    assert.ok(replies.every((reply) => (reply[3]! & 0xf) === 1 && (reply[2]! & 0x02) === 0));
    assert.ok(((await dns.stats()).rrl!.limited.error ?? 0) >= 44);
  });

  it('logs a slipped NXDOMAIN as NXDOMAIN, with the RRL action', async () => {
    const replies = await flood(encodeQuery('nope.example.test', Type.A), 40, '127.0.4.1');
    assert.ok(
      replies.some((reply) => reply[2]! & 0x02),
      'nothing slipped',
    );
    const { entries } = (await dns.engine.procedures['dns.recentQueries']!({ filter: { client: '127.0.4.1' }, limit: 100 })) as {
      entries: { rcode: number; rrl: string | null }[];
    };
    const slipped = entries.filter((entry) => entry.rrl === 'slip');
    assert.ok(slipped.length > 0);
    assert.deepEqual([...new Set(entries.map((entry) => entry.rcode))], [3], 'the rcode the client would have got');
  });

  it('slips a client-cookie query as BADCOOKIE with our server cookie, and does not limit a valid server cookie', async () => {
    const clientCookie = Buffer.alloc(8, 0x42);
    const first = readAnswer((await askUdp(dns.port, buildQuery(cookieQuery(clientCookie)), { from: '127.0.5.1' }))!);
    const cookie = Buffer.from(first.opt!.options.find((o) => o.code === 10)!.data, 'hex');
    const slips = (await flood(buildQuery(cookieQuery(clientCookie)), 30, '127.0.5.1')).map(readAnswer).filter((reply) => reply.answers.length === 0);
    assert.ok(slips.length > 0, 'nothing was limited');
    for (const slip of slips) {
      assert.deepEqual([slip.rcode, slip.tc], [23, false], 'BADCOOKIE, not TC=1');
      assert.equal(slip.opt!.options.find((o) => o.code === 10)!.data.slice(0, 16), clientCookie.toString('hex'));
    }
    // Proven by its server cookie, the same client is answered every time (as over TCP).
    const proven = (await flood(buildQuery(cookieQuery(cookie)), 30, '127.0.5.1')).map(readAnswer);
    assert.equal(proven.filter((reply) => reply.answers.length === 1 && reply.rcode === 0).length, 30);
  });
});
