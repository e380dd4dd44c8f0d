import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import dnsPacket from 'dns-packet';
import type { QueryLogEntry } from '../../../../engine/api/dns.ts';
import { answerSummary } from '../../../../engine/dns/modules/querylog/answers.ts';
import { QueryLog } from '../../../../engine/dns/modules/querylog/querylog.ts';
import type { QueryContext } from '../../../../engine/dns/pipeline.ts';
import { parseQuery, Type } from '../../../../engine/dns/wire.ts';
import { encodeAnswer, encodeQuery } from '../../../helpers/dns.ts';
import { waitFor } from '../../../helpers/wait.ts';

const reply = (answers: dnsPacket.Answer[]) =>
  dnsPacket.encode({ type: 'response', id: 1, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type: 'A', name: 'q.example.test' }], answers });

describe('dns querylog: answers as text for the history', () => {
  it('writes each answer record type first, names decompressed, AAAA per RFC 5952', () => {
    const text = answerSummary(
      reply([
        { type: 'CNAME', name: 'q.example.test', ttl: 60, data: 'www.example.test' },
        { type: 'A', name: 'www.example.test', ttl: 60, data: '192.0.2.10' },
        { type: 'AAAA', name: 'www.example.test', ttl: 60, data: '2001:db8:0:0:1:0:0:10' },
        { type: 'MX', name: 'q.example.test', ttl: 60, data: { preference: 10, exchange: 'mail.example.test' } },
        { type: 'TXT', name: 'q.example.test', ttl: 60, data: ['v=spf1 -all', 'two'] },
        { type: 'SRV', name: 'q.example.test', ttl: 60, data: { priority: 1, weight: 1, port: 53, target: 'x.example.test' } },
      ]),
    );
    assert.equal(text, 'CNAME www.example.test; A 192.0.2.10; AAAA 2001:db8::1:0:0:10; MX 10 mail.example.test; TXT "v=spf1 -all" "two"; SRV \\# 22');
  });

  it('gives null for no reply, an empty answer section and a malformed message', () => {
    assert.equal(answerSummary(null), null);
    assert.equal(answerSummary(reply([])), null);
    assert.equal(answerSummary(reply([{ type: 'A', name: 'q.example.test', ttl: 1, data: '192.0.2.1' }]).subarray(0, 40)), null);
  });

  it('adds answers only to the batches of a subscriber that asked for them', async () => {
    const log = new QueryLog({ size: 10, batchMs: 10, maxBatch: 100 });
    const withAnswers: QueryLogEntry[] = [];
    const without: QueryLogEntry[] = [];
    const stops = [
      log.subscribe({ answers: true }, (batch) => withAnswers.push(...batch.entries)),
      log.subscribe({}, (batch) => without.push(...batch.entries)),
    ];
    const query = encodeQuery('a.example.test', Type.A);
    const ctx: QueryContext = {
      query,
      parsed: parseQuery(query)!,
      cookie: null,
      client: { address: '127.0.0.1', port: 1 },
      local: { address: '127.0.0.1', port: 53 },
      transport: 'udp',
      maxSize: 512,
      receivedAt: performance.now(),
      deadline: 0,
      meta: {},
    };
    try {
      await log.handle(ctx, async (c) => encodeAnswer(c.query, { answers: [{ ttl: 1, address: [192, 0, 2, 7] }] }));
      await waitFor(() => withAnswers.length === 1 && without.length === 1, 'both batches');
      assert.equal(withAnswers[0]!.answers, 'A 192.0.2.7');
      assert.equal(without[0]!.answers, undefined);
      assert.equal(log.recent({}, 1)[0]!.answers, undefined, 'the ring keeps no answers');
    } finally {
      for (const stop of stops) stop();
    }
  });

  it('reads the answers when the query is logged, holding no reply until the batch', async () => {
    const log = new QueryLog({ size: 10, batchMs: 10, maxBatch: 100 });
    const got: QueryLogEntry[] = [];
    const stop = log.subscribe({ answers: true }, (batch) => got.push(...batch.entries));
    const query = encodeQuery('b.example.test', Type.A);
    const ctx: QueryContext = {
      query,
      parsed: parseQuery(query)!,
      cookie: null,
      client: { address: '127.0.0.1', port: 1 },
      local: { address: '127.0.0.1', port: 53 },
      transport: 'udp',
      maxSize: 512,
      receivedAt: performance.now(),
      deadline: 0,
      meta: {},
    };
    try {
      const reply = await log.handle(ctx, async (c) => encodeAnswer(c.query, { answers: [{ ttl: 1, address: [192, 0, 2, 8] }] }));
      // The bytes may be reused once sent (a view of a larger buffer): the entry must not depend on them.
      reply!.fill(0);
      await waitFor(() => got.length === 1, 'the batch');
      assert.equal(got[0]!.answers, 'A 192.0.2.8');
    } finally {
      stop();
    }
  });
});
