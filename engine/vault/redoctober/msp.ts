// Red October's predicate secret sharing (spec §3.4, package msp): every threshold gate (k, c_1..c_m)
// is Shamir over GF(2^128) — a polynomial of degree k-1 whose constant term is the gate's secret,
// evaluated at x = j (the element with first byte j) for the child at position j. A child gate's
// share is that gate's secret; the top secret is the ciphertext's clearKey. We only ever recover
// (we never write RO ciphertexts); splitting is here so tests can round-trip.
import { getRandomValues } from 'node:crypto';
import type { PredicateNode, PredicatePlan } from '../crypto/predicate.ts';
import { wipe } from './bytes.ts';
import { fieldAdd, fieldElement, fieldInvert, fieldMul, fieldSize } from './gf128.ts';

/** The share a name owns at its n-th occurrence in the predicate (text order, as RO numbers them). */
export type ShareSource = (name: string, occurrence: number) => Uint8Array;

/**
 * The secret at the root of `plan` (from planPredicate), interpolating each gate's chosen children
 * at 0. Intermediate gate secrets are wiped; the shares `source` returns are left to the caller.
 */
export function recoverSecret(plan: PredicatePlan, source: ShareSource): Uint8Array {
  if (plan.kind === 'name') return source(plan.name, plan.occurrence).slice();
  const positions = plan.children.map((child) => child.position);
  if (plan.children.length !== plan.threshold || new Set(positions).size !== positions.length || positions.some((p) => p < 1 || p > 255)) {
    throw new RangeError('a recovery plan takes exactly `threshold` distinct children at positions 1..255');
  }
  const xs = positions.map(fieldElement);
  let secret: Uint8Array = new Uint8Array(fieldSize);
  plan.children.forEach((child, i) => {
    const y = recoverSecret(child.plan, source);
    const term = fieldMul(lagrangeAtZero(xs, i), y);
    const sum = fieldAdd(secret, term);
    wipe(y, term, secret);
    secret = sum;
  });
  return secret;
}

/** λ_i = Π_{m≠i} x_m / (x_m − x_i); in characteristic 2, subtraction is addition. */
function lagrangeAtZero(xs: Uint8Array[], i: number): Uint8Array {
  const xi = xs[i]!;
  let numerator = fieldElement(1);
  let denominator = fieldElement(1);
  xs.forEach((xm, m) => {
    if (m === i) return;
    numerator = fieldMul(numerator, xm);
    denominator = fieldMul(denominator, fieldAdd(xm, xi));
  });
  return fieldMul(numerator, fieldInvert(denominator));
}

/**
 * Shares `secret` (16 bytes) down the tree as RO's DistributeShares does: each name receives one
 * share per occurrence, in the tree's depth-first (= text) order.
 */
export function splitSecret(tree: PredicateNode, secret: Uint8Array): Map<string, Uint8Array[]> {
  if (secret.length !== fieldSize) throw new RangeError(`an msp secret is ${fieldSize} bytes`);
  const out = new Map<string, Uint8Array[]>();
  const share = (node: PredicateNode, value: Uint8Array): void => {
    if (node.kind === 'name') {
      out.set(node.name, [...(out.get(node.name) ?? []), value.slice()]);
      return;
    }
    // s_0 = the gate's secret, s_1..s_{k-1} random; child j gets Σ s_t·j^t (Horner's rule).
    const coefficients = [value, ...Array.from({ length: node.threshold - 1 }, () => getRandomValues(new Uint8Array(fieldSize)))];
    node.children.forEach((child, index) => {
      const x = fieldElement(index + 1);
      let y: Uint8Array = new Uint8Array(fieldSize);
      for (let t = coefficients.length - 1; t >= 0; t--) {
        const product = fieldMul(y, x);
        wipe(y);
        y = fieldAdd(product, coefficients[t]!);
        wipe(product);
      }
      share(child, y);
      wipe(y);
    });
    wipe(...coefficients.slice(1));
  };
  share(tree, secret);
  return out;
}
