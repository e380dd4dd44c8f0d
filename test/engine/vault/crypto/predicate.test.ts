import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parsePredicate, planNames, planPredicate, predicateNames, type PredicateNode } from '../../../../engine/vault/crypto/predicate.ts';

/** The tree in Red October's formatted spelling, occurrences as name#n when n > 0. */
function show(node: PredicateNode): string {
  if (node.kind === 'name') return node.occurrence > 0 ? `${node.name}#${node.occurrence}` : node.name;
  return `(${node.threshold}, ${node.children.map(show).join(', ')})`;
}

describe('vault predicates', () => {
  it('parses raw formulas with & above |, merging chains of the same gate', () => {
    assert.equal(show(parsePredicate('alice & (bob | carol)')), '(2, alice, (1, bob, carol))');
    assert.equal(show(parsePredicate('alice & bob & carol')), '(3, alice, bob, carol)');
    assert.equal(show(parsePredicate('(alice & bob) | (carol & dave)')), '(1, (2, alice, bob), (2, carol, dave))');
    assert.equal(show(parsePredicate('a | b & c | d')), '(1, a, (2, b, c), d)');
    assert.equal(show(parsePredicate('a & b | a & c')), '(1, (2, a, b), (2, a#1, c))');
  });

  it('parses formatted threshold trees', () => {
    assert.equal(show(parsePredicate('(2, alice, (1, bob, carol), dave)')), '(2, alice, (1, bob, carol), dave)');
    assert.equal(show(parsePredicate('(2,alice,bob,carol)')), '(2, alice, bob, carol)');
  });

  it('refuses what cannot be right, with a reason', () => {
    for (const [text, reason] of [
      ['', /1 to/],
      ['alice &', /ends too early/],
      ['alice && bob', /not a user name/],
      ['(3, alice, bob)', /never be satisfied/],
      ['(0, alice, bob)', /at least 1/],
      ['alice bob', /unexpected "bob"/],
      [Array.from({ length: 65 }, (_, i) => `u${i}`).join(' | '), /at most 64/],
      ['a & (b | (c & (d | (e & (f | (g & (h | (i & j))))))))', /nests at most/],
    ] as const) {
      assert.throws(() => parsePredicate(text), reason, text);
    }
  });

  it('plans the cheapest satisfying set of names', () => {
    const tree = parsePredicate('(2, alice, (1, bob, carol), dave)');
    assert.deepEqual(predicateNames(tree), ['alice', 'bob', 'carol', 'dave']);
    assert.equal(planPredicate(tree, new Set(['alice'])), null);
    assert.deepEqual(planNames(planPredicate(tree, new Set(['alice', 'carol']))!), ['alice', 'carol']);
    const plan = planPredicate(tree, new Set(['alice', 'bob', 'carol', 'dave']))!;
    assert.equal(plan.kind, 'gate');
    assert.deepEqual(plan.kind === 'gate' && plan.children.map((c) => c.position), [1, 2]);
    assert.deepEqual(planNames(planPredicate(parsePredicate('(alice & bob & carol) | dave'), new Set(['alice', 'bob', 'carol', 'dave']))!), ['dave']);
  });
});
