import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeMessage } from '../../../../engine/dns/modules/querylog/decode.ts';
import { Type } from '../../../../engine/dns/wire.ts';
import { encodeAnswer, encodeQuery } from '../../../helpers/dns.ts';

describe('dns packet decoding for the console', () => {
  it('decodes header, question, answers and the authority SOA', () => {
    const query = encodeQuery('www.example.test', Type.A, { id: 77, edns: 1232 });
    const answer = decodeMessage(
      encodeAnswer(encodeQuery('www.example.test', Type.A, { id: 77 }), {
        answers: [{ ttl: 60, address: [192, 0, 2, 1] }],
        soa: { ttl: 30, minimum: 30, skipLabels: 1 },
      }),
    );
    assert.deepEqual(answer.flags, ['qr', 'rd', 'ra']);
    assert.equal(answer.rcode, 'NOERROR');
    assert.deepEqual(answer.questions, [{ name: 'www.example.test', type: 'A', class: 'IN' }]);
    assert.deepEqual(answer.answers, [{ name: 'www.example.test', type: 'A', class: 'IN', ttl: 60, data: '192.0.2.1' }]);
    assert.equal(answer.authorities[0]!.type, 'SOA');
    assert.match(answer.authorities[0]!.data, /^\S+ \S+ \d+ \d+ \d+ \d+ 30$/);
    const decodedQuery = decodeMessage(query);
    assert.equal(decodedQuery.id, 77);
    assert.equal(decodedQuery.additionals[0]!.type, 'OPT');
    assert.match(decodedQuery.additionals[0]!.data, /udp=1232/);
    assert.equal(decodedQuery.hex.slice(0, 4), '004d');
  });

  it('reports a malformed message instead of throwing', () => {
    const truncated = encodeQuery('www.example.test', Type.A, { id: 9 }).subarray(0, 20);
    const decoded = decodeMessage(truncated);
    assert.equal(decoded.id, 9);
    assert.match(decoded.error!, /cannot decode/);
    assert.equal(decodeMessage(Buffer.from([1, 2])).error !== null, true);
  });
});
