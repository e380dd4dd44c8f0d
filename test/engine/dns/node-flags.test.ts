// The DNS engine's Node flags: GC helpers only when a process has a spare core, and every flag
// one that this Node accepts (a typo would keep the engine from starting).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { dnsNodeFlags } from '../../../engine/dns/node-flags.ts';
import { engineNodeFlags } from '../../../engine/host/registry.ts';

describe('dns engine node flags', () => {
  it('runs GC on the main thread alone when a process has less than two cores to itself', () => {
    assert.ok(dnsNodeFlags(1).includes('--single-threaded-gc'));
    assert.ok(dnsNodeFlags(0.5).includes('--single-threaded-gc'));
    assert.ok(!dnsNodeFlags(2).includes('--single-threaded-gc'));
    assert.deepEqual(engineNodeFlags('vault', 1), []);
  });

  it('are flags this Node starts with', () => {
    for (const flags of [dnsNodeFlags(1), dnsNodeFlags(4)]) {
      assert.equal(execFileSync(process.execPath, [...flags, '-e', 'process.stdout.write("ok")'], { encoding: 'utf8' }), 'ok');
    }
  });
});
