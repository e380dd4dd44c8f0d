// The schema-driven merge of worker answers (engine/api/merge.ts): numbers add unless the schema
// marks them, and a value with no merge is refused when it is declared, not shown from worker 0.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { dnsSecond, dnsStats } from '../../../engine/api/dns.ts';
import { checkMergeable, mergeBySchema, mergedAs } from '../../../engine/api/merge.ts';
import { engineParts } from '../../../engine/host/registry.ts';

describe('merging worker answers by their schema', () => {
  it('adds a counter nobody listed (a blocklist prototype: blocked 5 + 7 is 12, not 5)', () => {
    const stats = z.object({ queries: z.number().int(), blocklist: z.object({ blocked: z.number().int() }).nullable() });
    assert.deepEqual(
      mergeBySchema(stats, [
        { queries: 1, blocklist: { blocked: 5 } },
        { queries: 2, blocklist: { blocked: 7 } },
        { queries: 3, blocklist: null },
      ]),
      { queries: 6, blocklist: { blocked: 12 } },
    );
  });

  it('merges marked gauges, flags and keyed lists as marked', () => {
    const schema = z.object({
      startedAt: mergedAs(z.number(), { merge: 'min' }),
      latencyMs: mergedAs(z.number().nullable(), { merge: 'weightedMean', by: 'answers' }),
      answers: z.number(),
      peers: mergedAs(z.array(z.object({ name: z.string(), up: mergedAs(z.boolean(), { merge: 'any' }), sent: z.number() })), { merge: 'byKey', key: 'name' }),
      counts: z.record(z.string(), z.number()),
    });
    const merged = mergeBySchema(schema, [
      { startedAt: 20, latencyMs: 10, answers: 1, peers: [{ name: 'a', up: false, sent: 1 }], counts: { x: 1 } },
      {
        startedAt: 10,
        latencyMs: 40,
        answers: 3,
        peers: [
          { name: 'a', up: true, sent: 2 },
          { name: 'b', up: false, sent: 4 },
        ],
        counts: { x: 2, y: 1 },
      },
      { startedAt: 30, latencyMs: null, answers: 0, peers: [], counts: {} },
    ]);
    assert.deepEqual(merged, {
      startedAt: 10,
      latencyMs: 32.5,
      answers: 4,
      peers: [
        { name: 'a', up: true, sent: 3 },
        { name: 'b', up: false, sent: 4 },
      ],
      counts: { x: 3, y: 1 },
    });
  });

  it('matches keyed list items on several fields together: one address in two pools stays two entries', () => {
    const schema = z.object({
      upstreams: mergedAs(z.array(z.object({ pool: z.string(), address: z.string(), sent: z.number() })), { merge: 'byKey', key: ['pool', 'address'] }),
    });
    const merged = mergeBySchema(schema, [
      {
        upstreams: [
          { pool: 'internal', address: '10.0.0.1:53', sent: 1 },
          { pool: 'public', address: '10.0.0.1:53', sent: 10 },
        ],
      },
      {
        upstreams: [
          { pool: 'public', address: '10.0.0.1:53', sent: 20 },
          { pool: 'internal', address: '10.0.0.1:53', sent: 2 },
        ],
      },
    ]);
    assert.deepEqual(merged.upstreams, [
      { pool: 'internal', address: '10.0.0.1:53', sent: 3 },
      { pool: 'public', address: '10.0.0.1:53', sent: 30 },
    ]);
  });

  it('refuses a flag or a list whose merge is not declared', () => {
    assert.throws(() => checkMergeable(z.object({ cache: z.object({ full: z.boolean() }) })), /\(answer\)\.cache\.full: a boolean has no merge/);
    assert.throws(() => checkMergeable(z.object({ names: z.array(z.string()) })), /\(answer\)\.names: a array has no merge/);
  });

  it('every schema the DNS engine merges this way says how each field merges', () => {
    checkMergeable(dnsStats);
    checkMergeable(dnsSecond);
  });

  it('every engine whose processes share sockets (several workers) declares its fan-out', () => {
    for (const parts of Object.values(engineParts))
      if (parts?.sharesSockets) assert.ok(parts.fanOut, `${parts.name} runs several workers but declares no fan-out`);
  });
});
