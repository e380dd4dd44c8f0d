import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { gfDivide, gfInverse, gfMul } from '../../../../engine/vault/crypto/gf256.ts';
import { parsePredicate, planPredicate } from '../../../../engine/vault/crypto/predicate.ts';
import { combine, recoverByPredicate, split, splitByPredicate, type Share } from '../../../../engine/vault/crypto/shamir.ts';

/** Reference multiplication from log/antilog tables over generator 0x03 (a different method). */
const { log, exp } = (() => {
  const exp = new Array<number>(510);
  const log = new Array<number>(256).fill(0);
  let value = 1;
  for (let i = 0; i < 255; i++) {
    exp[i] = exp[i + 255] = value;
    log[value] = i;
    value ^= (value << 1) ^ (value & 0x80 ? 0x11b : 0); // value·3 = value·2 + value, reduced by 0x11b
  }
  return { log, exp };
})();
const referenceMul = (a: number, b: number) => (a === 0 || b === 0 ? 0 : exp[log[a]! + log[b]!]!);

function subsets<T>(items: T[], size: number): T[][] {
  if (size === 0) return [[]];
  return items.flatMap((item, index) => subsets(items.slice(index + 1), size - 1).map((rest) => [item, ...rest]));
}

describe('GF(2^8) with the AES polynomial 0x11b', () => {
  it("matches FIPS 197's worked products", () => {
    assert.equal(gfMul(0x57, 0x83), 0xc1); // FIPS 197 §4.2
    assert.equal(gfMul(0x57, 0x13), 0xfe); // FIPS 197 §4.2.1
    assert.equal(gfMul(0x53, 0xca), 0x01); // {53} and {CA} are inverses (FIPS 197 §4.2)
    assert.equal(gfInverse(0x53), 0xca);
  });

  it('agrees with a log-table multiplication on all 65536 products, and inverts every non-zero element', () => {
    for (let a = 0; a < 256; a++) for (let b = 0; b < 256; b++) if (gfMul(a, b) !== referenceMul(a, b)) assert.fail(`${a}·${b}`);
    for (let a = 1; a < 256; a++) assert.equal(gfMul(a, gfInverse(a)), 1, `inverse of ${a}`);
    assert.equal(gfDivide(gfMul(0x57, 0x83), 0x83), 0x57);
    assert.throws(() => gfDivide(1, 0), /division by zero/);
  });
});

describe('Shamir sharing over GF(2^8)', () => {
  it('recovers hand-computed shares of f(x) = 0x42 + 0x05·x + 0x07·x²', () => {
    // f(1) = 42⊕05⊕07 = 40; f(2) = 42⊕0a⊕(07·04 = 1c) = 54; f(3) = 42⊕0f⊕(07·05 = 1b) = 56.
    const shares: Share[] = [
      { x: 1, y: new Uint8Array([0x40]) },
      { x: 2, y: new Uint8Array([0x54]) },
      { x: 3, y: new Uint8Array([0x56]) },
    ];
    assert.deepEqual(combine(shares), new Uint8Array([0x42]));
    assert.deepEqual(combine([shares[2]!, shares[0]!, shares[1]!]), new Uint8Array([0x42]));
    assert.notDeepEqual(combine(shares.slice(0, 2)), new Uint8Array([0x42]));
  });

  it('recovers the secret from every subset of threshold shares, and not from fewer', () => {
    const secret = new Uint8Array(randomBytes(32));
    for (const threshold of [1, 2, 3, 5]) {
      const shares = split(secret, threshold, 5);
      assert.deepEqual(
        shares.map((share) => share.x),
        [1, 2, 3, 4, 5],
      );
      for (const subset of subsets(shares, threshold)) assert.deepEqual(combine(subset), secret, `${threshold} of 5`);
      if (threshold > 1) for (const subset of subsets(shares, threshold - 1)) assert.notDeepEqual(combine(subset), secret);
    }
  });

  it('gives every owner the secret itself when one of N suffices', () => {
    const secret = new Uint8Array(randomBytes(16));
    for (const share of split(secret, 1, 4)) assert.deepEqual(share.y, secret);
  });

  it('draws fresh coefficients for each split', () => {
    const secret = new Uint8Array(32);
    assert.notDeepEqual(split(secret, 2, 2)[0]!.y, split(secret, 2, 2)[0]!.y);
  });

  it('refuses impossible parameters and malformed share sets', () => {
    const secret = new Uint8Array(4);
    assert.throws(() => split(secret, 0, 3), RangeError);
    assert.throws(() => split(secret, 4, 3), RangeError);
    assert.throws(() => split(secret, 2, 256), RangeError);
    assert.throws(() => split(new Uint8Array(0), 1, 1), RangeError);
    const [a, b] = split(secret, 2, 2);
    assert.throws(() => combine([]), RangeError);
    assert.throws(() => combine([a!, a!]), /distinct/);
    assert.throws(() => combine([{ x: 0, y: a!.y }, b!]), /distinct/);
    assert.throws(() => combine([a!, { x: 2, y: new Uint8Array(3) }]), /same length/);
  });
});

describe('sharing along a predicate', () => {
  const secret = new Uint8Array(randomBytes(32));

  it('recovers "(2, alice, (1, bob, carol), dave)" for every satisfying set of names', () => {
    const tree = parsePredicate('(2, alice, (1, bob, carol), dave)');
    const shares = splitByPredicate(tree, secret);
    assert.deepEqual([...shares.keys()].sort(), ['alice', 'bob', 'carol', 'dave']);
    const names = ['alice', 'bob', 'carol', 'dave'];
    for (const size of [1, 2, 3, 4]) {
      for (const available of subsets(names, size)) {
        const plan = planPredicate(tree, new Set(available));
        const satisfiable = available.length >= 2 && !(available.length === 2 && available.includes('bob') && available.includes('carol'));
        assert.equal(plan !== null, satisfiable, available.join(','));
        if (plan !== null)
          assert.deepEqual(
            recoverByPredicate(plan, (name, occurrence) => shares.get(name)?.[occurrence]),
            secret,
            available.join(','),
          );
      }
    }
  });

  it('gives a repeated name one share per occurrence, in text order', () => {
    const tree = parsePredicate('a & b | a & c');
    const shares = splitByPredicate(tree, secret);
    assert.equal(shares.get('a')?.length, 2);
    const viaC = planPredicate(tree, new Set(['a', 'c']))!;
    const used: string[] = [];
    assert.deepEqual(
      recoverByPredicate(viaC, (name, occurrence) => (used.push(`${name}#${occurrence}`), shares.get(name)?.[occurrence])),
      secret,
    );
    assert.deepEqual(used, ['a#1', 'c#0']);
    // The first occurrence's share does not stand in for the second.
    assert.notDeepEqual(
      recoverByPredicate(viaC, (name) => shares.get(name)?.[0]),
      secret,
    );
  });

  it('throws when a share the plan needs is missing', () => {
    const tree = parsePredicate('alice & bob');
    const plan = planPredicate(tree, new Set(['alice', 'bob']))!;
    assert.throws(() => recoverByPredicate(plan, (name) => (name === 'alice' ? new Uint8Array(32) : undefined)), /no share for bob/);
  });
});
