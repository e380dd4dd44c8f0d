// Rebuilds an RSA private key from what Red October stores (D, P, Q sealed; N, E in clear, spec
// §3.1.3) as a Node KeyObject. The CRT values Node needs (dp, dq, qi) are derived here, and the key
// is checked against the public half before anyone relies on it. node:crypto imports the key
// from its JWK form (RFC 7518 §6.3.2), so no DER is written by hand here.
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { bigintToBytes } from './bytes.ts';

function modInverse(value: bigint, modulus: bigint): bigint | null {
  let [oldR, r] = [((value % modulus) + modulus) % modulus, modulus];
  let [oldS, s] = [1n, 0n];
  while (r !== 0n) {
    const quotient = oldR / r;
    [oldR, r] = [r, oldR - quotient * r];
    [oldS, s] = [s, oldS - quotient * s];
  }
  return oldR === 1n ? ((oldS % modulus) + modulus) % modulus : null;
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

/** A JWK field (RFC 7518 §6.3): the unsigned big-endian integer, base64url without padding. */
function jwkInteger(value: bigint): string {
  return Buffer.from(bigintToBytes(value)).toString('base64url');
}

/**
 * The private key, or null when D, P, Q do not belong to N, E (wrong password that still unpadded,
 * or a tampered record). The JWK's strings, like the bigints, cannot be wiped; both are dropped
 * as soon as the KeyObject exists.
 */
export function rebuildRsaPrivateKey(n: bigint, e: bigint, d: bigint, p: bigint, q: bigint): KeyObject | null {
  if (p <= 1n || q <= 1n || p * q !== n) return null;
  const lambda = ((p - 1n) * (q - 1n)) / gcd(p - 1n, q - 1n);
  if ((d * e) % lambda !== 1n) return null;
  const qi = modInverse(q, p);
  if (qi === null) return null;
  // RFC 7518 §6.3.2 (the CRT values of RFC 8017 §3.2): dp = d mod (p-1), dq = d mod (q-1), qi = q^-1 mod p.
  const fields = { n, e, d, p, q, dp: d % (p - 1n), dq: d % (q - 1n), qi };
  const jwk = { kty: 'RSA', ...Object.fromEntries(Object.entries(fields).map(([name, value]) => [name, jwkInteger(value)])) };
  try {
    const key = createPrivateKey({ key: jwk, format: 'jwk' });
    return key.asymmetricKeyDetails?.modulusLength === n.toString(2).length ? key : null;
  } catch {
    return null;
  }
}
