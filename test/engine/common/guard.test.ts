import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KdfGate, LoginGuard } from '../../../engine/common/guard.ts';

/** One wrong password from `source` for `account`, through the guard as the vault does it. */
function fail(guard: LoginGuard, account: string, source: string): void {
  const attempt = guard.begin(account, source);
  assert.ok(attempt.allowed, `${account} from ${source} is let through`);
  attempt.failed();
}

describe('vault login guard', () => {
  it("lets an account fail a few times from one source, then doubles that source's wait after each failure", () => {
    let now = 0;
    const guard = new LoginGuard({ pairFreeFailures: 3, baseDelayMs: 1000 }, () => now);
    for (let i = 0; i < 3; i++) fail(guard, 'alice', 'a');
    assert.deepEqual(guard.check('alice', 'a'), { allowed: false, retryAfterMs: 1000 });
    now = 1000;
    fail(guard, 'alice', 'a');
    assert.deepEqual(guard.check('alice', 'a'), { allowed: false, retryAfterMs: 2000 });
    assert.deepEqual(guard.check('bob', 'a'), { allowed: true }, 'other accounts from there are not affected');
    now = 3000;
    const right = guard.begin('alice', 'a');
    assert.ok(right.allowed);
    right.succeeded();
    assert.deepEqual(guard.check('alice', 'a'), { allowed: true }, 'a right password clears them');
  });

  it("never locks the account's owner out from another source, whatever one source guesses", () => {
    let now = 0;
    const guard = new LoginGuard({}, () => now);
    let checks = 0;
    // 200 wrong passwords for alice from one address over 20 s; alice herself every 2 s elsewhere.
    for (let n = 0; n < 200; n++, now += 100) {
      const attempt = guard.begin('alice', '203.0.113.9');
      if (attempt.allowed) {
        checks++;
        attempt.failed();
      }
      if (n % 20 === 0) {
        const owner = guard.begin('alice', '198.51.100.7');
        assert.ok(owner.allowed, `alice gets in at ${now} ms`);
        owner.succeeded();
      }
    }
    assert.ok(checks <= 30, `${checks} real checks for the guesser in 20 s`);
    assert.equal(checks, 7, '3 free, then after 1, 2, 4 and 8 s');
  });

  it('counts an attempt in flight as a failure, so a burst of guesses cannot all pass', () => {
    const guard = new LoginGuard({ pairFreeFailures: 3 }, () => 0);
    const burst = Array.from({ length: 60 }, () => guard.begin('alice', 'a'));
    assert.equal(burst.filter((attempt) => attempt.allowed).length, 3);
    for (const attempt of burst) if (attempt.allowed) attempt.failed();
    assert.equal(guard.check('alice', 'a').allowed, false);
  });

  it('uncounts an attempt that succeeded or was abandoned', () => {
    const guard = new LoginGuard({ pairFreeFailures: 1, sourceFreeFailures: 1 }, () => 0);
    const busy = guard.begin('alice', 'a');
    assert.ok(busy.allowed);
    assert.equal(guard.check('bob', 'a').allowed, false, 'in flight, it counts for the source');
    busy.abandoned();
    busy.failed();
    assert.deepEqual(guard.check('bob', 'a'), { allowed: true }, 'abandoned: as if never tried (and it ends once)');
    const right = guard.begin('alice', 'a');
    assert.ok(right.allowed);
    right.succeeded();
    assert.deepEqual(guard.check('bob', 'a'), { allowed: true });
  });

  it('limits a source that tries many accounts, unknown names counted like real ones', () => {
    let now = 0;
    const guard = new LoginGuard({ pairFreeFailures: 3, sourceFreeFailures: 5, baseDelayMs: 500 }, () => now);
    for (let i = 0; i < 5; i++) fail(guard, `nobody${i}`, '10.0.0.9');
    assert.deepEqual(guard.check('alice', '10.0.0.9'), { allowed: false, retryAfterMs: 500 });
    assert.deepEqual(guard.check('alice', '10.0.0.10'), { allowed: true });
    now = 60_000;
    assert.deepEqual(guard.check('alice', '10.0.0.9'), { allowed: true });
  });

  it('holds back, for an account guessed from many sources, only the sources that failed for it', () => {
    const guard = new LoginGuard({ pairFreeFailures: 3, sourceFreeFailures: 100, accountFreeFailures: 10, baseDelayMs: 1000 }, () => 0);
    for (let i = 0; i < 10; i++) fail(guard, 'alice', `10.0.1.${i}`);
    assert.deepEqual(guard.check('alice', '10.0.1.0'), { allowed: false, retryAfterMs: 1000 });
    assert.deepEqual(guard.check('alice', '198.51.100.7'), { allowed: true }, 'a source that did not guess gets in');
    assert.equal(guard.failuresOf('alice'), 10);
  });

  it('caps the wait and forgets old failures', () => {
    let now = 0;
    const guard = new LoginGuard({ pairFreeFailures: 1, baseDelayMs: 1000, maxDelayMs: 5000, forgetAfterMs: 60_000 }, () => now);
    for (let i = 0; i < 30; i++) {
      fail(guard, 'alice', 'x');
      now += 5000;
    }
    now -= 5000;
    assert.deepEqual(guard.check('alice', 'x'), { allowed: false, retryAfterMs: 5000 });
    now += 61_000;
    assert.equal(guard.failuresOf('alice'), 0);
    assert.deepEqual(guard.check('alice', 'x'), { allowed: true });
  });

  it('bounds what it remembers', () => {
    const guard = new LoginGuard({ maxTracked: 100, pairFreeFailures: 1, sourceFreeFailures: 1000 });
    for (let i = 0; i < 1000; i++) fail(guard, `user${i}`, 'src');
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
