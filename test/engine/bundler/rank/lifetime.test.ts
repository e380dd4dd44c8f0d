import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lifetimeMonths, maxLifetimeMonths, withinMaxLifetime } from '../../../../engine/bundler/rank/lifetime.ts';
import { utc } from './fixtures.ts';

describe('bundler rank: CA/B Forum maximum lifetime', () => {
  it('allows 120 months before 2012-07-01, 60 from 2012-07-01, 39 from 2015-04-01', () => {
    assert.equal(maxLifetimeMonths(utc('2012-06-30T23:59:59Z')), 120);
    assert.equal(maxLifetimeMonths(utc('2012-07-01T00:00:00Z')), 60);
    assert.equal(maxLifetimeMonths(utc('2015-03-31T23:59:59Z')), 60);
    assert.equal(maxLifetimeMonths(utc('2015-04-01T00:00:00Z')), 39);
    assert.equal(maxLifetimeMonths(utc('2024-01-01')), 39, 'later BR limits (825, 398 days) are not part of the rule');
  });

  it('counts months as cfssl does: calendar months, plus one when the end day is later', () => {
    assert.equal(lifetimeMonths(utc('2016-03-17T16:40:46Z'), utc('2021-03-17T16:40:46Z')), 60);
    assert.equal(lifetimeMonths(utc('2016-03-17'), utc('2021-03-18')), 61);
    assert.equal(lifetimeMonths(utc('2016-03-31'), utc('2016-04-01')), 1);
    assert.equal(lifetimeMonths(utc('2016-01-31'), utc('2016-02-29')), 1);
    assert.equal(lifetimeMonths(utc('2015-06-04T11:04:38Z'), utc('2035-06-04T11:04:38Z')), 240);
  });

  it('judges a certificate within or over the maximum for its issue date', () => {
    assert.equal(withinMaxLifetime({ notBefore: utc('2015-04-01'), notAfter: utc('2018-07-01') }), true, '39 months');
    assert.equal(withinMaxLifetime({ notBefore: utc('2015-04-01'), notAfter: utc('2018-07-02') }), false, '40 months');
    assert.equal(withinMaxLifetime({ notBefore: utc('2015-03-31'), notAfter: utc('2020-03-31') }), true, '60 months before April 2015');
    assert.equal(withinMaxLifetime({ notBefore: utc('2012-06-30'), notAfter: utc('2022-06-30') }), true, '120 months before July 2012');
    assert.equal(withinMaxLifetime({ notBefore: utc('2012-07-01'), notAfter: utc('2022-06-30') }), false, '120 months after July 2012');
  });
});
