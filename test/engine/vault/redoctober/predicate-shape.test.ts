// Red October's msp turns a raw predicate into threshold gates with Formatted.Compress, whose loop
// skips the children after one it absorbed (it ranges over the slice as it was before the splice).
// The shares' x-coordinates are the children's positions, so our tree must have exactly RO's shape
// or its predicate ciphertexts cannot be recovered. Expected shapes come from reading RO's
// msp/raw.go and msp/formatted.go (HEAD 06fca39) with Go's slice semantics.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parsePredicate, type PredicateNode } from '../../../../engine/vault/crypto/predicate.ts';

function show(node: PredicateNode): string {
  return node.kind === 'name' ? node.name : `(${node.threshold}, ${node.children.map(show).join(', ')})`;
}

describe("predicate trees shaped as Red October's msp shapes them", () => {
  it('absorbs a chain of ANDs or ORs into one gate', () => {
    assert.equal(show(parsePredicate('a & b & c & d')), '(4, a, b, c, d)');
    assert.equal(show(parsePredicate('a & (b & c)')), '(3, a, b, c)');
    assert.equal(show(parsePredicate('a | b | c')), '(1, a, b, c)');
  });

  it('leaves the right-hand group alone when the left-hand one was absorbed', () => {
    assert.equal(show(parsePredicate('(a & b) & (c & d)')), '(3, a, b, (2, c, d))');
    assert.equal(show(parsePredicate('(a | b) | (c | d)')), '(1, a, b, (1, c, d))');
    assert.equal(show(parsePredicate('(a & b) & (c & d) & (e & f)')), '(5, a, b, c, d, (2, e, f))');
  });

  it('compresses a child again when its parent gate is built', () => {
    assert.equal(show(parsePredicate('((a & b) & (c & d)) | e')), '(1, (4, a, b, c, d), e)');
  });
});
