// Opens KeySetRSA[name].Key, the 16-byte per-owner key k_n wrapped to the owner's public key
// (spec §3.2.2): RSA-OAEP with SHA-1 for RSA users, RO's own ECIES for ECC users.
import { constants, createHmac, privateDecrypt, type KeyObject } from 'node:crypto';
import { p256 } from '@noble/curves/nist.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { equalBytes, owned, wipe } from './bytes.ts';
import { decryptCbc, unpad } from './symmetric.ts';
import type { RedOctoberKey } from './unlock.ts';

/** k_n, or null when the blob was not wrapped to this key or is malformed. The caller wipes k_n. */
export function unwrapOwnerKey(wrapped: Uint8Array, key: RedOctoberKey): Uint8Array | null {
  const ownerKey = key.type === 'RSA' ? unwrapRsa(wrapped, key.privateKey) : unwrapEcies(wrapped, key.privateKey);
  if (ownerKey !== null && ownerKey.length !== 16) {
    wipe(ownerKey);
    return null;
  }
  return ownerKey;
}

function unwrapRsa(wrapped: Uint8Array, privateKey: KeyObject): Uint8Array | null {
  try {
    // Go's rsa.EncryptOAEP(sha1.New(), ..., nil): SHA-1 for both the hash and MGF1, empty label.
    return owned(privateDecrypt({ key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' }, wrapped));
  } catch {
    return null;
  }
}

// 1 length byte (65) ‖ ephemeral point 04‖X‖Y ‖ IV ‖ AES-128-CBC blocks ‖ HMAC-SHA1 tag.
const pointLength = 65;
const ivLength = 16;
const tagLength = 20;

/**
 * RO's ECIES (ecdh.Decrypt): x = X of scalar·E as a big-endian integer without leading zero bytes
 * (Go's big.Int.Bytes), h = SHA-256(x), AES key h[0:16], MAC key h[16:32]. As RO does, the point
 * is checked to be on the curve and the tag (over IV ‖ blocks) is checked in constant time before
 * anything is decrypted.
 */
function unwrapEcies(wrapped: Uint8Array, scalar: Uint8Array): Uint8Array | null {
  const blocks = wrapped.length - 1 - pointLength - ivLength - tagLength;
  if (wrapped[0] !== pointLength || blocks <= 0 || blocks % 16 !== 0) return null;
  const point = wrapped.subarray(1, 1 + pointLength);
  const body = wrapped.subarray(1 + pointLength, wrapped.length - tagLength); // IV ‖ blocks
  const tag = wrapped.subarray(wrapped.length - tagLength);
  if (point[0] !== 4) return null; // Go's elliptic.Unmarshal takes only the uncompressed form
  let shared: Uint8Array;
  try {
    p256.Point.fromBytes(point).assertValidity();
    shared = p256.getSharedSecret(scalar, point, true);
  } catch {
    return null;
  }
  const h = sha256(withoutLeadingZeros(shared.subarray(1)));
  wipe(shared);
  const aesKey = h.slice(0, 16);
  const macKey = h.slice(16, 32);
  wipe(h);
  const expected = owned(createHmac('sha1', macKey).update(body).digest());
  wipe(macKey);
  let padded: Uint8Array | null = null;
  try {
    if (!equalBytes(expected, tag)) return null;
    padded = decryptCbc(aesKey, body.subarray(0, ivLength), body.subarray(ivLength));
    return padded && unpad(padded);
  } finally {
    wipe(aesKey, expected, padded);
  }
}

/** Go's big.Int.Bytes(): RO hashes X without its leading zero bytes (1 time in 256 there is one). */
function withoutLeadingZeros(bytes: Uint8Array): Uint8Array {
  let start = 0;
  while (start < bytes.length && bytes[start] === 0) start++;
  return bytes.subarray(start);
}
