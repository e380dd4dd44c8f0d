// LogThrottle: one line per key per interval, each line counting what it stands for.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LogThrottle } from '../../../engine/api/log-throttle.ts';

describe('LogThrottle', () => {
  it('lets the first occurrence through, counts the rest of the interval, and reports them with the next line', () => {
    let now = 0;
    const throttle = new LogThrottle({ everyMs: 1000, now: () => now });
    assert.equal(throttle.hit('10.0.0.1'), 1);
    for (let n = 0; n < 99; n++) assert.equal(throttle.hit('10.0.0.1'), 0);
    assert.equal(throttle.hit('10.0.0.2'), 1, 'keys are independent');
    now = 999;
    assert.equal(throttle.hit('10.0.0.1'), 0);
    now = 1000;
    assert.equal(throttle.hit('10.0.0.1'), 101, 'this one and the 100 not logged');
    now = 5000;
    assert.equal(throttle.hit('10.0.0.1'), 1, 'nothing unlogged in between');
  });

  it('drains what was not logged yet, then starts afresh', () => {
    const throttle = new LogThrottle({ everyMs: 60_000, now: () => 0 });
    for (let n = 0; n < 5; n++) throttle.hit('a');
    throttle.hit('b');
    assert.deepEqual([...throttle.drain()], [['a', 4]]);
    assert.equal(throttle.hit('a'), 1);
  });

  it('remembers at most maxKeys keys, forgetting the one logged longest ago', () => {
    let now = 0;
    const throttle = new LogThrottle({ everyMs: 1000, maxKeys: 2, now: () => now++ });
    throttle.hit('a');
    throttle.hit('b');
    throttle.hit('c');
    assert.equal(throttle.hit('b'), 0, 'b is still remembered');
    assert.equal(throttle.hit('a'), 1, 'a was forgotten, so it logs again');
  });
});
