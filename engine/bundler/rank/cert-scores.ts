// Per-certificate score tables, as cfssl's ubiquity package defines them. "Ubiquity" scores say how
// widely clients understand an algorithm (older is better); "priority" scores say how strong and fast
// it is (newer is better). Both are read from the certificate's own signature hash and subject key.
import type { HashName, KeyInfo, PlatformHashAlgo, PlatformKeyAlgo } from './types.ts';

export const HASH_UBIQUITY = { sha1: 100, sha2: 70, none: 0 } as const;
export const KEY_UBIQUITY = { rsa: 100, dsa: 100, p256: 70, p384: 70, p521: 30, none: 0 } as const;

export function isSha2(hash: HashName): boolean {
  return hash === 'sha256' || hash === 'sha384' || hash === 'sha512';
}

/** SHA-1 100 > SHA-2 70 > MD2, MD5 and anything cfssl does not name 0. */
export function hashUbiquity(hash: HashName): number {
  if (hash === 'sha1') return HASH_UBIQUITY.sha1;
  if (isSha2(hash)) return HASH_UBIQUITY.sha2;
  return HASH_UBIQUITY.none;
}

/** The curve size of an EC key, or undefined for a curve cfssl does not score. */
export function curveSize(key: KeyInfo): 256 | 384 | 521 | undefined {
  if (key.type !== 'ec') return undefined;
  const name = key.curve?.toLowerCase();
  if (name === undefined) {
    return key.bits === 256 || key.bits === 384 || key.bits === 521 ? key.bits : undefined;
  }
  if (name === 'p-256' || name === 'prime256v1' || name === 'secp256r1') return 256;
  if (name === 'p-384' || name === 'secp384r1') return 384;
  if (name === 'p-521' || name === 'secp521r1') return 521;
  return undefined;
}

/** RSA >= 1024 bits and DSA 100, P-256 and P-384 70, P-521 30, anything else 0. */
export function keyUbiquity(key: KeyInfo): number {
  switch (key.type) {
    case 'rsa':
      return key.bits >= 1024 ? KEY_UBIQUITY.rsa : KEY_UBIQUITY.none;
    case 'dsa':
      return KEY_UBIQUITY.dsa;
    case 'ec': {
      const size = curveSize(key);
      if (size === 256) return KEY_UBIQUITY.p256;
      if (size === 384) return KEY_UBIQUITY.p384;
      if (size === 521) return KEY_UBIQUITY.p521;
      return KEY_UBIQUITY.none;
    }
    default:
      return KEY_UBIQUITY.none;
  }
}

/** Crypto quality, hash part: SHA-2 100, SHA-1 10, anything else 0. */
export function hashPriority(hash: HashName): number {
  if (isSha2(hash)) return 100;
  return hash === 'sha1' ? 10 : 0;
}

/**
 * Crypto quality, key part: P-256 100, P-384 120, P-521 140 (another curve 100, as cfssl's default),
 * RSA exactly 4096 70, 3072 50, 2048 30 (every other size 0), DSA, Ed25519 and unknown 0.
 */
export function keyPriority(key: KeyInfo): number {
  if (key.type === 'ec') {
    const size = curveSize(key);
    if (size === 384) return 120;
    if (size === 521) return 140;
    return 100;
  }
  if (key.type === 'rsa') {
    if (key.bits === 4096) return 70;
    if (key.bits === 3072) return 50;
    if (key.bits === 2048) return 30;
  }
  return 0;
}

/** The hash ubiquity a platform needs at least: a SHA-1-only platform needs every certificate on SHA-1. */
export function platformHashUbiquity(algo: PlatformHashAlgo): number {
  return algo === 'SHA1' ? HASH_UBIQUITY.sha1 : HASH_UBIQUITY.sha2;
}

/** The key ubiquity a platform needs at least: an RSA-only platform fails on any ECDSA key. */
export function platformKeyUbiquity(algo: PlatformKeyAlgo): number {
  switch (algo) {
    case 'RSA':
      return KEY_UBIQUITY.rsa;
    case 'ECDSA256':
      return KEY_UBIQUITY.p256;
    case 'ECDSA384':
      return KEY_UBIQUITY.p384;
    case 'ECDSA521':
      return KEY_UBIQUITY.p521;
  }
}

export function describeHash(hash: HashName): string {
  return hash === 'unknown' ? 'an unknown hash' : hash.toUpperCase().replace(/^SHA(\d)/, 'SHA-$1');
}

export function describeKey(key: KeyInfo): string {
  switch (key.type) {
    case 'rsa':
      return `RSA ${key.bits}`;
    case 'dsa':
      return `DSA ${key.bits}`;
    case 'ec': {
      const size = curveSize(key);
      return size === undefined ? `ECDSA ${key.curve ?? `${key.bits}-bit`} (unscored curve)` : `ECDSA P-${size}`;
    }
    case 'ed25519':
      return 'Ed25519';
    default:
      return 'an unknown key';
  }
}
