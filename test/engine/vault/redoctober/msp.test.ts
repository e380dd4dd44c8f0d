import assert from 'node:assert/strict';
import { getRandomValues } from 'node:crypto';
import { describe, it } from 'node:test';
import { parsePredicate, planNames, planPredicate, predicateNames } from '../../../../engine/vault/crypto/predicate.ts';
import { fieldAdd, fieldElement, fieldInvert, fieldMul } from '../../../../engine/vault/redoctober/gf128.ts';
import { recoverSecret, splitSecret } from '../../../../engine/vault/redoctober/msp.ts';

/** The element with only the coefficient of x^k set: bit k%8 of byte k/8 (RO's order). */
function monomial(k: number): Uint8Array {
  const out = new Uint8Array(16);
  out[k >> 3] = 1 << (k & 7);
  return out;
}

const random = () => getRandomValues(new Uint8Array(16));
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

describe('GF(2^128) as Red October orders it', () => {
  it('multiplies without carries and reduces x^128 to x^7 + x^2 + x + 1', () => {
    assert.equal(hex(fieldMul(fieldElement(3), fieldElement(3))), hex(fieldElement(5))); // (x+1)^2 = x^2+1
    assert.equal(hex(fieldMul(monomial(1), monomial(126))), hex(monomial(127)));
    assert.equal(hex(fieldMul(monomial(1), monomial(127))), hex(fieldElement(0x87)));
    assert.equal(hex(fieldMul(monomial(127), monomial(127))), hex(fieldMul(monomial(126), fieldElement(0x87)))); // x^254 = x^126·x^128
    assert.equal(hex(fieldMul(monomial(64), monomial(64))), hex(fieldElement(0x87)));
  });

  it('has 1 as identity, inverses, and multiplication that commutes and distributes', () => {
    for (let round = 0; round < 8; round++) {
      const [a, b, c] = [random(), random(), random()];
      assert.equal(hex(fieldMul(a, fieldElement(1))), hex(a));
      assert.equal(hex(fieldMul(a, fieldInvert(a))), hex(fieldElement(1)));
      assert.equal(hex(fieldMul(a, b)), hex(fieldMul(b, a)));
      assert.equal(hex(fieldMul(a, fieldAdd(b, c))), hex(fieldAdd(fieldMul(a, b), fieldMul(a, c))));
    }
    assert.equal(hex(fieldInvert(new Uint8Array(16))), hex(new Uint8Array(16)));
  });
});

describe('msp secret sharing', () => {
  const predicates = [
    'alice & (bob | carol)',
    '(2, alice, bob, carol)',
    'alice & bob & carol',
    '(alice & bob) | (carol & dave)',
    '(2, alice, (1, bob, carol), dave)',
    '(a & b) & (c & d)',
    '(3, a, (2, b, c, a), d, (1, e, b))',
  ];

  for (const text of predicates) {
    it(`recovers the secret from every satisfying set of owners of ${text}`, () => {
      const tree = parsePredicate(text);
      const names = predicateNames(tree);
      const secret = random();
      const shares = splitSecret(tree, secret);
      assert.deepEqual([...shares.keys()].sort(), [...names].sort());
      let recovered = 0;
      for (let subset = 1; subset < 1 << names.length; subset++) {
        const available = new Set(names.filter((_, i) => subset & (1 << i)));
        const plan = planPredicate(tree, available);
        if (plan === null) continue;
        assert.ok(planNames(plan).every((name) => available.has(name)));
        const value = recoverSecret(plan, (name, occurrence) => {
          assert.ok(available.has(name), `${name} was not available`);
          return shares.get(name)![occurrence]!;
        });
        assert.equal(hex(value), hex(secret), [...available].join(','));
        recovered++;
      }
      assert.ok(recovered > 0);
    });
  }

  it('gives a name one share per occurrence, in text order', () => {
    const tree = parsePredicate('(2, alice, (1, bob, alice), carol)');
    const shares = splitSecret(tree, random());
    assert.equal(shares.get('alice')?.length, 2);
    // (1, bob, alice) is an OR: both of its children carry the same value, the gate's secret.
    assert.equal(hex(shares.get('bob')![0]!), hex(shares.get('alice')![1]!));
    assert.notEqual(hex(shares.get('alice')![0]!), hex(shares.get('alice')![1]!));
  });

  it('depends on the x-coordinates: shares at swapped positions give another value', () => {
    const secret = random();
    const shares = splitSecret(parsePredicate('(2, alice, bob)'), secret);
    const leaf = (name: string) => ({ kind: 'name' as const, name, occurrence: 0 });
    const plan = (first: string, second: string) => ({
      kind: 'gate' as const,
      threshold: 2,
      children: [
        { position: 1, plan: leaf(first) },
        { position: 2, plan: leaf(second) },
      ],
    });
    const source = (name: string) => shares.get(name)![0]!;
    assert.equal(hex(recoverSecret(plan('alice', 'bob'), source)), hex(secret));
    assert.notEqual(hex(recoverSecret(plan('bob', 'alice'), source)), hex(secret));
  });

  it('refuses a plan with the wrong number of children or a repeated position', () => {
    const leaf = { kind: 'name' as const, name: 'alice', occurrence: 0 };
    const source = () => new Uint8Array(16);
    assert.throws(
      () => recoverSecret({ kind: 'gate', threshold: 2, children: [{ position: 1, plan: leaf }] }, source),
      /exactly `threshold` distinct children/,
    );
    const repeated = {
      kind: 'gate' as const,
      threshold: 2,
      children: [
        { position: 1, plan: leaf },
        { position: 1, plan: leaf },
      ],
    };
    assert.throws(() => recoverSecret(repeated, source), /distinct children/);
  });
});
