// Rebuilds an RSA private key from what Red October stores (D, P, Q sealed; N, E in clear, spec
// §3.1.3) as a Node KeyObject. The CRT values Node needs (dp, dq, qi) are derived here, and the key
// is checked against the public half before anyone relies on it.
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { wipe } from './bytes.ts';
import { derInteger, derSequence } from './der.ts';

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

/**
 * The private key, or null when D, P, Q do not belong to N, E (wrong password that still unpadded,
 * or a tampered record). Imported through PKCS#1 DER rather than JWK so that the encoding holding
 * the secret is a buffer we can wipe, not immutable base64 strings. (The bigints themselves cannot
 * be wiped; they are dropped as soon as the KeyObject exists.)
 */
export function rebuildRsaPrivateKey(n: bigint, e: bigint, d: bigint, p: bigint, q: bigint): KeyObject | null {
  if (p <= 1n || q <= 1n || p * q !== n) return null;
  const lambda = ((p - 1n) * (q - 1n)) / gcd(p - 1n, q - 1n);
  if ((d * e) % lambda !== 1n) return null;
  const qi = modInverse(q, p);
  if (qi === null) return null;
  // RFC 8017 §A.1.2: version 0, n, e, d, p, q, d mod (p-1), d mod (q-1), q^-1 mod p.
  const der = derSequence([0n, n, e, d, p, q, d % (p - 1n), d % (q - 1n), qi].map(derInteger));
  try {
    const key = createPrivateKey({ key: Buffer.from(der.buffer, der.byteOffset, der.length), format: 'der', type: 'pkcs1' });
    return key.asymmetricKeyDetails?.modulusLength === n.toString(2).length ? key : null;
  } catch {
    return null;
  } finally {
    wipe(der);
  }
}
