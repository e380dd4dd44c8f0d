import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { emptyResponse, ExtendedRcode, optRecord, parseQuery, readName, Rcode, scanResponse, stripOpt, Type, withOpt } from '../../../engine/dns/wire.ts';
import { encodeQuery } from '../../helpers/dns.ts';

describe('dns wire', () => {
  it('parses a query with EDNS, keeping the letter case of the name', () => {
    const parsed = parseQuery(encodeQuery('WwW.Example.TEST', Type.AAAA, { id: 7, edns: 4096 }))!;
    assert.equal(parsed.id, 7);
    assert.equal(parsed.name, 'WwW.Example.TEST');
    assert.equal(parsed.type, Type.AAAA);
    assert.equal(parsed.recursionDesired, true);
    assert.deepEqual(parsed.edns, { udpSize: 4096, version: 0, dnssecOk: false, cookieAt: -1, cookieLength: 0, padding: false, wellFormed: true });
  });

  it('notes a Padding option in the query (RFC 7830), which decides whether an encrypted answer is padded', () => {
    const plain = encodeQuery('a.test', Type.A, { edns: 1232 });
    plain.writeUInt16BE(4, plain.length - 2);
    const padded = Buffer.concat([plain, Buffer.from([0, 12, 0, 0])]);
    assert.equal(parseQuery(padded)!.edns!.padding, true);
    assert.equal(parseQuery(padded)!.edns!.wellFormed, true);
    assert.equal(parseQuery(encodeQuery('a.test', Type.A, { edns: 1232 }))!.edns!.padding, false);
  });

  it('treats an EDNS size below 512 as 512 (RFC 6891 §6.2.5)', () => {
    assert.equal(parseQuery(encodeQuery('a.test', Type.A, { edns: 100 }))!.edns!.udpSize, 512);
  });

  it('refuses responses, multiple questions and compressed questions as queries', () => {
    assert.equal(parseQuery(encodeQuery('a.test', Type.A, { flags: 0x8100 })), null);
    const two = encodeQuery('a.test', Type.A);
    two.writeUInt16BE(2, 4);
    assert.equal(parseQuery(two), null);
    const pointer = Buffer.concat([encodeQuery('a.test', Type.A).subarray(0, 12), Buffer.from([0xc0, 0x0c, 0, 1, 0, 1])]);
    assert.equal(parseQuery(pointer), null);
  });

  it('rejects compression pointer loops and forward pointers', () => {
    const loop = Buffer.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xc0, 0x0c]);
    assert.equal(readName(loop, 12), null);
    const forward = Buffer.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xc0, 0x10, 0, 0, 1, 97, 0]);
    assert.equal(readName(forward, 12), null);
  });

  it('builds an empty answer that echoes the question, RD and CD, keeps AA when asked, and leaves the OPT to the server', () => {
    const query = encodeQuery('a.test', Type.A, { id: 9, edns: 1232, flags: 0x0110 });
    const answer = emptyResponse(query, parseQuery(query), Rcode.servFail, { truncated: true, authoritative: true });
    const scanned = scanResponse(answer)!;
    assert.equal(scanned.rcode, Rcode.servFail);
    assert.equal(scanned.truncated, true);
    assert.equal(answer.readUInt16BE(0), 9);
    // QR, AA, TC, RD | CD, SERVFAIL (RA is the server's to set)
    assert.equal(answer.readUInt16BE(2), 0x8000 | 0x0400 | 0x0200 | 0x0100 | 0x0010 | Rcode.servFail);
    assert.equal(answer.readUInt16BE(4), 1);
    // The server appends each answer's own OPT when it sends it (server.ts finish).
    assert.equal(answer.readUInt16BE(10), 0);
  });

  it('takes the OPT record and its cookie out of an answer', () => {
    const query = encodeQuery('a.test', Type.A, { id: 9 });
    const opt = optRecord(true, ExtendedRcode.badCookie, Buffer.from('000a0010' + '11'.repeat(8) + '22'.repeat(8), 'hex'));
    const answer = withOpt(emptyResponse(query, parseQuery(query), ExtendedRcode.badCookie & 0xf), opt);
    const stripped = stripOpt(answer)!;
    assert.equal(stripped.rcode, ExtendedRcode.badCookie);
    assert.equal(stripped.cookie!.toString('hex'), '11'.repeat(8) + '22'.repeat(8));
    assert.equal(stripped.message.readUInt16BE(10), 0);
    assert.equal(stripped.message.length, answer.length - opt.length);
  });

  it('survives 100,000 random and mutated packets without throwing', () => {
    const seeds = [encodeQuery('www.example.test', Type.A, { edns: 1232 }), encodeQuery('x.test', Type.TXT)];
    for (let i = 0; i < 100_000; i++) {
      let packet: Buffer;
      if (i % 2 === 0) {
        packet = randomBytes(i % 600);
      } else {
        packet = Buffer.from(seeds[i % seeds.length]!);
        const flips = 1 + (i % 4);
        for (let f = 0; f < flips; f++) packet[(i * 7 + f * 13) % packet.length] = (i * 31 + f) & 0xff;
        if (i % 5 === 0) packet = packet.subarray(0, i % packet.length);
      }
      parseQuery(packet);
      scanResponse(packet);
      stripOpt(packet);
      readName(packet, 12);
    }
  });
});
