// Shamir's threshold secret sharing, byte by byte over GF(2^8): any `threshold` shares give the
// secret, fewer give no information about it. Red October shares over GF(2^128) with its own
// element encoding (spec §3.4); bytes need no encoding rules and allow up to 255 shares, more than
// the 64 owners the format allows.
import type { PredicateNode, PredicatePlan } from './predicate.ts';
import { randomBytes, wipe } from './bytes.ts';
import { gfDivide, gfMul } from './gf256.ts';

export interface Share {
  /** The evaluation point, 1..255 (never 0: f(0) is the secret). */
  x: number;
  y: Uint8Array;
}

/** Shares for x = 1..count; any `threshold` of them recover `secret`. */
export function split(secret: Uint8Array, threshold: number, count: number): Share[] {
  if (!Number.isInteger(threshold) || !Number.isInteger(count) || threshold < 1 || count < threshold || count > 255) {
    throw new RangeError(`Shamir sharing needs 1 <= threshold <= count <= 255 (got ${threshold} of ${count})`);
  }
  if (secret.length === 0) throw new RangeError('Shamir sharing needs a non-empty secret');
  // Byte i's polynomial: secret[i] + c[1][i]·x + ... + c[k-1][i]·x^(k-1), c uniformly random.
  const coefficients = randomBytes((threshold - 1) * secret.length);
  const shares: Share[] = [];
  for (let x = 1; x <= count; x++) {
    const y = new Uint8Array(secret.length);
    for (let i = 0; i < secret.length; i++) {
      let value = 0;
      for (let t = threshold - 1; t >= 1; t--) value = gfMul(value, x) ^ (coefficients[(t - 1) * secret.length + i] ?? 0);
      y[i] = gfMul(value, x) ^ (secret[i] ?? 0); // Horner's rule
    }
    shares.push({ x, y });
  }
  wipe(coefficients);
  return shares;
}

/**
 * Lagrange interpolation at 0 over the shares given. With at least `threshold` genuine shares this
 * is the secret; with fewer it is a random-looking value, which the caller's AEAD then refuses.
 */
export function combine(shares: readonly Share[]): Uint8Array {
  const first = shares[0];
  if (first === undefined) throw new RangeError('Shamir recovery needs at least one share');
  const seen = new Set<number>();
  for (const share of shares) {
    if (!Number.isInteger(share.x) || share.x < 1 || share.x > 255 || seen.has(share.x))
      throw new RangeError(`share x = ${share.x} is not a distinct point in 1..255`);
    if (share.y.length !== first.y.length) throw new RangeError('shares of one secret have the same length');
    seen.add(share.x);
  }
  const secret = new Uint8Array(first.y.length);
  for (const share of shares) {
    // Basis polynomial at 0: the product of x_m / (x_m - x_j) over the other points (- is XOR).
    let basis = 1;
    for (const other of shares) if (other !== share) basis = gfMul(basis, gfDivide(other.x, other.x ^ share.x));
    for (let i = 0; i < secret.length; i++) secret[i] = (secret[i] ?? 0) ^ gfMul(basis, share.y[i] ?? 0);
  }
  return secret;
}

/**
 * Shares `secret` down a predicate's threshold tree, as Red October's msp does: a gate (k, c_1..c_m)
 * splits its secret k-of-m and child c_j's share (x = j) becomes c_j's secret. A name's n-th
 * occurrence in the predicate receives the n-th entry of that name's list.
 */
export function splitByPredicate(tree: PredicateNode, secret: Uint8Array): Map<string, Uint8Array[]> {
  const sharesByName = new Map<string, Uint8Array[]>();
  const walk = (node: PredicateNode, value: Uint8Array): void => {
    if (node.kind === 'name') {
      const list = sharesByName.get(node.name) ?? [];
      list[node.occurrence] = new Uint8Array(value);
      sharesByName.set(node.name, list);
      return;
    }
    const shares = split(value, node.threshold, node.children.length);
    node.children.forEach((child, index) => walk(child, shares[index]!.y));
    wipe(...shares.map((share) => share.y));
  };
  walk(tree, secret);
  return sharesByName;
}

/**
 * Recovers the secret along a plan from predicate.ts's planPredicate: each gate interpolates its
 * chosen children's values at their 1-based positions. `sharesOf` returns a name's decrypted share
 * for one occurrence, or undefined when it does not have it (then this throws).
 */
export function recoverByPredicate(plan: PredicatePlan, sharesOf: (name: string, occurrence: number) => Uint8Array | undefined): Uint8Array {
  if (plan.kind === 'name') {
    const share = sharesOf(plan.name, plan.occurrence);
    if (share === undefined) throw new RangeError(`no share for ${plan.name} (occurrence ${plan.occurrence + 1})`);
    return new Uint8Array(share);
  }
  if (plan.children.length !== plan.threshold)
    throw new RangeError(`a plan for a ${plan.threshold}-of gate uses exactly ${plan.threshold} children (it has ${plan.children.length})`);
  const shares: Share[] = [];
  try {
    for (const child of plan.children) shares.push({ x: child.position, y: recoverByPredicate(child.plan, sharesOf) });
    return combine(shares);
  } finally {
    wipe(...shares.map((share) => share.y));
  }
}
