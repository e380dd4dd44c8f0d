import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KdfGate, LoginGuard } from '../../../engine/vault/guard.ts';

describe('vault login guard', () => {
  it('lets an account fail a few times, then doubles the wait after each failure', () => {
    let now = 0;
    const guard = new LoginGuard({ accountFreeFailures: 3, baseDelayMs: 1000 }, () => now);
    for (let i = 0; i < 3; i++) {
      assert.deepEqual(guard.check('alice', 'a'), { allowed: true });
      guard.failure('alice', 'a');
    }
    assert.deepEqual(guard.check('alice', 'b'), { allowed: false, retryAfterMs: 1000 }, 'another source does not help');
    now = 1000;
    assert.deepEqual(guard.check('alice', 'a'), { allowed: true });
    guard.failure('alice', 'a');
    assert.deepEqual(guard.check('alice', 'a'), { allowed: false, retryAfterMs: 2000 });
    assert.deepEqual(guard.check('bob', 'c'), { allowed: true }, 'other accounts are not affected');
    now = 3000;
    guard.success('alice');
    assert.deepEqual(guard.check('alice', 'a'), { allowed: true });
  });

  it('limits a source that tries many accounts, unknown names counted like real ones', () => {
    let now = 0;
    const guard = new LoginGuard({ accountFreeFailures: 3, sourceFreeFailures: 5, baseDelayMs: 500 }, () => now);
    for (let i = 0; i < 5; i++) guard.failure(`nobody${i}`, '10.0.0.9');
    assert.deepEqual(guard.check('alice', '10.0.0.9'), { allowed: false, retryAfterMs: 500 });
    assert.deepEqual(guard.check('alice', '10.0.0.10'), { allowed: true });
    now = 60_000;
    assert.deepEqual(guard.check('alice', '10.0.0.9'), { allowed: true });
  });

  it('caps the wait and forgets old failures', () => {
    let now = 0;
    const guard = new LoginGuard({ accountFreeFailures: 1, baseDelayMs: 1000, maxDelayMs: 5000, forgetAfterMs: 60_000 }, () => now);
    for (let i = 0; i < 30; i++) guard.failure('alice', `s${i}`);
    assert.deepEqual(guard.check('alice', 'x'), { allowed: false, retryAfterMs: 5000 });
    now = 61_000;
    assert.equal(guard.failuresOf('alice'), 0);
  });

  it('bounds what it remembers', () => {
    const guard = new LoginGuard({ maxTracked: 100, accountFreeFailures: 1, sourceFreeFailures: 1000 });
    for (let i = 0; i < 1000; i++) guard.failure(`user${i}`, 'src');
    assert.equal(guard.failuresOf('user0'), 0);
    assert.equal(guard.failuresOf('user999'), 1);
  });
});

describe('kdf gate', () => {
  it('runs at most `limit` derivations at once and refuses past the queue', async () => {
    const gate = new KdfGate(2, 3);
    let running = 0;
    let peak = 0;
    const work = () =>
      gate.run(async () => {
        peak = Math.max(peak, ++running);
        await new Promise((resolve) => setTimeout(resolve, 20));
        running--;
      });
    const accepted = Array.from({ length: 5 }, work);
    await assert.rejects(work(), /too many password checks/);
    await Promise.all(accepted);
    assert.equal(peak, 2);
  });
});
