// Opens a Red October user's private key with their password (spec §3.1): scrypt(N=2^14, r=8, p=1,
// 16 bytes) over PasswordSalt must equal HashedPassword, and scrypt over KeySalt is the AES-128 key
// that seals the private key. Every opened key is checked against the public key in the record.
import { createPrivateKey, createPublicKey, scrypt, type KeyObject } from 'node:crypto';
import { p256 } from '@noble/curves/nist.js';
import { bigintToBytes, bytesToBigint, concat, equalBytes, owned, utf8, wipe } from './bytes.ts';
import { RedOctoberCode, RedOctoberError } from './errors.ts';
import { rebuildRsaPrivateKey } from './rsa-key.ts';
import { decryptCbc, unpad } from './symmetric.ts';
import type { RedOctoberEccUser, RedOctoberRsaUser, RedOctoberUser, SealedBlob } from './vault-file.ts';

export type RedOctoberKey = { type: 'RSA'; privateKey: KeyObject } | { type: 'ECC'; privateKey: Uint8Array };

export type RedOctoberPublicKey = { type: 'RSA'; publicKey: KeyObject } | { type: 'ECC'; publicKey: Uint8Array };

// RO's fixed parameters (passvault.go). 128·N·r = 16 MiB of memory per derivation.
const roScrypt = { N: 16384, r: 8, p: 1, maxmem: 64 * 1024 * 1024 } as const;

/** node:crypto's scrypt runs on libuv's thread pool, so unlocking never blocks the event loop. */
function deriveKey(password: Uint8Array, salt: Uint8Array): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, 16, roScrypt, (error, key) => (error ? reject(error) : resolve(owned(key))));
  });
}

/**
 * The user's private key, or null when the password is wrong. Both scrypt runs always happen (in
 * parallel), so a wrong password takes as long as a right one, and the hash is compared in
 * constant time (RO uses bytes.Compare, spec §10.3). Throws E_RO_KEY_MISMATCH when the password is
 * right but the sealed key does not open to the record's public key: the record is damaged.
 */
export async function unlockRedOctoberUser(user: RedOctoberUser, password: string): Promise<RedOctoberKey | null> {
  const secret = utf8(password);
  let hash: Uint8Array | undefined;
  let passKey: Uint8Array | undefined;
  try {
    [hash, passKey] = await Promise.all([deriveKey(secret, user.passwordSalt), deriveKey(secret, user.keySalt)]);
    if (!equalBytes(hash, user.hashedPassword)) return null;
    return user.type === 'RSA' ? openRsa(user, passKey) : openEcc(user, passKey);
  } finally {
    wipe(secret, hash, passKey);
  }
}

/** The public key as stored in the record, for moving the user's key pair into our own format. */
export function redOctoberPublicKey(user: RedOctoberUser): RedOctoberPublicKey {
  if (user.type === 'RSA') {
    const jwk = { kty: 'RSA', n: Buffer.from(bigintToBytes(user.n)).toString('base64url'), e: Buffer.from(bigintToBytes(user.e)).toString('base64url') };
    return { type: 'RSA', publicKey: createPublicKey({ key: jwk, format: 'jwk' }) };
  }
  return { type: 'ECC', publicKey: eccPoint(user) };
}

function eccPoint(user: RedOctoberEccUser): Uint8Array {
  return concat(Uint8Array.of(4), bigintToBytes(user.x, 32), bigintToBytes(user.y, 32));
}

function damaged(user: RedOctoberUser, what: string): RedOctoberError {
  return new RedOctoberError(
    RedOctoberCode.keyMismatch,
    `vault file: user "${user.name}": ${what}`,
    `the password of "${user.name}" is right but their sealed private key is damaged (${what}); restore the vault file from a backup`,
  );
}

/** Decrypts and unpads one sealed field; the padded plaintext is wiped, the result is the caller's to wipe. */
function open(user: RedOctoberUser, blob: SealedBlob, passKey: Uint8Array, field: string): Uint8Array {
  const padded = decryptCbc(passKey, blob.iv, blob.ciphertext);
  const plain = padded && unpad(padded);
  wipe(padded);
  if (!plain || plain.length === 0) throw damaged(user, `${field} does not decrypt to padded data`);
  return plain;
}

function openRsa(user: RedOctoberRsaUser, passKey: Uint8Array): RedOctoberKey {
  const parts: Uint8Array[] = [];
  try {
    // One at a time, so that a failure still leaves the parts already opened in `parts` to wipe.
    parts.push(open(user, user.exponent, passKey, 'RSAExp'));
    parts.push(open(user, user.primeP, passKey, 'RSAPrimeP'));
    parts.push(open(user, user.primeQ, passKey, 'RSAPrimeQ'));
    const [d, p, q] = parts.map(bytesToBigint) as [bigint, bigint, bigint];
    const privateKey = rebuildRsaPrivateKey(user.n, user.e, d, p, q);
    if (privateKey === null) throw damaged(user, 'D, P, Q do not form the private key of the stored N, E');
    return { type: 'RSA', privateKey };
  } finally {
    wipe(...parts);
  }
}

/**
 * SEC1 ECPrivateKey (RFC 5915) as Go's x509.MarshalECPrivateKey writes it for RO's ECC users, read
 * by node:crypto. Only P-256 exists in RO, so another curve is refused. The scalar comes out of the
 * key's JWK (its `d`, a string that cannot be wiped, dropped at once); the point of the JWK is the
 * one embedded in the DER when there is one, and must be the stored point too.
 */
function readSec1P256(der: Uint8Array): { scalar: Uint8Array; point: Uint8Array } | null {
  try {
    const key = createPrivateKey({ key: Buffer.from(der.buffer, der.byteOffset, der.length), format: 'der', type: 'sec1' });
    const jwk = key.export({ format: 'jwk' });
    if (jwk.crv !== 'P-256' || !jwk.d || !jwk.x || !jwk.y) return null;
    const scalar = owned(Buffer.from(jwk.d, 'base64url'));
    return { scalar, point: concat(Uint8Array.of(4), Buffer.from(jwk.x, 'base64url'), Buffer.from(jwk.y, 'base64url')) };
  } catch {
    return null;
  }
}

function openEcc(user: RedOctoberEccUser, passKey: Uint8Array): RedOctoberKey {
  const der = open(user, user.privateKey, passKey, 'ECPriv');
  const key = readSec1P256(der);
  wipe(der);
  if (key === null) throw damaged(user, 'ECPriv is not a P-256 SEC1 private key');
  const stored = eccPoint(user);
  const matches =
    key.scalar.length === 32 &&
    p256.utils.isValidSecretKey(key.scalar) &&
    equalBytes(p256.getPublicKey(key.scalar, false), stored) &&
    equalBytes(key.point, stored);
  if (!matches) {
    wipe(key.scalar);
    throw damaged(user, 'ECPriv does not belong to the stored public point');
  }
  return { type: 'ECC', privateKey: key.scalar };
}
