// Users' key pairs and what the vault does with them: wrap a symmetric key to an owner, sign a
// ciphertext's header, keep the private key sealed under the password's key-encryption key.
// P-256 and RSA because those are Red October's two user types (spec §3.1): migrated keys keep
// working unchanged. What changes is everything around them (spec §3.2, §10.4): ECIES with
// HKDF and an AEAD instead of SHA-256(x) + AES-CBC + HMAC-SHA1, OAEP with SHA-256 and a label
// instead of SHA-1 and none, and every wrap bound to associated data.
import {
  constants,
  createPrivateKey,
  createPublicKey,
  generateKeyPair,
  privateDecrypt,
  publicEncrypt,
  sign as cryptoSign,
  verify as cryptoVerify,
  type KeyObject,
} from 'node:crypto';
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { p256 } from '@noble/curves/nist.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bindTo, open, seal } from './aead.ts';
import { concat, ownBytes, utf8, wipe } from './bytes.ts';
import { VaultCryptoCode, VaultCryptoError } from './errors.ts';

export type KeyType = 'ECC' | 'RSA';

export interface PublicKeyRef {
  type: KeyType;
  /** ECC: 65-byte uncompressed P-256 point. RSA: SPKI DER. */
  publicKey: Uint8Array;
}

export interface PrivateKeyRef {
  type: KeyType;
  /** ECC: 32-byte scalar. RSA: PKCS#8 DER. A secret: wipe with fill(0) when done. */
  privateKey: Uint8Array;
}

export type UserKeyPair = PublicKeyRef & PrivateKeyRef;

export const rsaLimits = {
  /** NIST SP 800-57 puts 3072 bits at the 128-bit level, the strength of the rest of the format. */
  newBits: 3072,
  /** Red October made 2048-bit keys (spec §3.1); they must still work after migration. */
  minBits: 2048,
  maxBits: 8192,
} as const;

const eccPublicLength = 65;
const eccPrivateLength = 32;
const eciesInfo = utf8('signalbox.vault.v1 ecies p256 hkdf-sha256 xchacha20poly1305');

export async function generateUserKey(type: KeyType): Promise<UserKeyPair> {
  if (type === 'ECC') {
    const privateKey = p256.utils.randomSecretKey();
    return { type, privateKey, publicKey: p256.getPublicKey(privateKey, false) };
  }
  if (type === 'RSA') {
    const pair = await new Promise<{ publicKey: Buffer; privateKey: Buffer }>((resolve, reject) => {
      generateKeyPair(
        'rsa',
        {
          modulusLength: rsaLimits.newBits,
          publicExponent: 65537,
          publicKeyEncoding: { type: 'spki', format: 'der' },
          privateKeyEncoding: { type: 'pkcs8', format: 'der' },
        },
        (error, publicKey, privateKey) => (error ? reject(error) : resolve({ publicKey, privateKey })),
      );
    });
    return { type, publicKey: ownBytes(pair.publicKey), privateKey: ownBytes(pair.privateKey) };
  }
  throw new VaultCryptoError(VaultCryptoCode.key, `key type ${JSON.stringify(type)} is not "ECC" or "RSA"`);
}

/** A short fingerprint (128 bits of SHA-256 over type and public key) that names a key in headers. */
export function keyId(type: KeyType, publicKey: Uint8Array): string {
  return Buffer.from(sha256(concat(utf8(type), new Uint8Array([0]), publicKey)).subarray(0, 16)).toString('hex');
}

/** The public half of a private key (to name the signer's key in a header, or check a pair). */
export function publicKeyFromPrivate(key: PrivateKeyRef): PublicKeyRef {
  if (key.type === 'ECC') return { type: 'ECC', publicKey: p256.getPublicKey(eccPrivateKey(key.privateKey), false) };
  if (key.type === 'RSA')
    return { type: 'RSA', publicKey: new Uint8Array(createPublicKey(rsaPrivateKey(key.privateKey)).export({ type: 'spki', format: 'der' })) };
  throw unknownType(key.type);
}

/** Checks that a public key is well formed for its type (point on the curve, RSA size and exponent). */
export function checkPublicKey(key: PublicKeyRef): void {
  if (key.type === 'ECC') eccPublicKey(key.publicKey);
  else rsaPublicKey(key.publicKey);
}

/** Encrypts a symmetric key to a user; `associatedData` must be presented again to unwrap it. */
export function wrapKeyFor(recipient: PublicKeyRef, key: Uint8Array, associatedData: Uint8Array): Uint8Array {
  if (recipient.type === 'ECC') return eciesWrap(eccPublicKey(recipient.publicKey), key, associatedData);
  if (recipient.type === 'RSA') return rsaWrap(rsaPublicKey(recipient.publicKey), key, associatedData);
  throw unknownType(recipient.type);
}

/** Reverses wrapKeyFor; throws E_VAULT_DECRYPT when the key, the bytes or the associated data differ. */
export function unwrapKeyWith(owner: PrivateKeyRef, wrapped: Uint8Array, associatedData: Uint8Array): Uint8Array {
  if (owner.type === 'ECC') return eciesUnwrap(owner.privateKey, wrapped, associatedData);
  if (owner.type === 'RSA') return rsaUnwrap(rsaPrivateKey(owner.privateKey), wrapped, associatedData);
  throw unknownType(owner.type);
}

/** ECDSA P-256 with SHA-256 (64-byte r‖s, low S so a signature has one form) or RSA-PSS SHA-256. */
export function sign(signer: PrivateKeyRef, message: Uint8Array): Uint8Array {
  if (signer.type === 'ECC') return p256.sign(message, eccPrivateKey(signer.privateKey), { prehash: true, lowS: true });
  if (signer.type === 'RSA') {
    return ownBytes(
      cryptoSign('sha256', message, {
        key: rsaPrivateKey(signer.privateKey),
        padding: constants.RSA_PKCS1_PSS_PADDING,
        saltLength: constants.RSA_PSS_SALTLEN_DIGEST,
      }),
    );
  }
  throw unknownType(signer.type);
}

export function verifySignature(signer: PublicKeyRef, message: Uint8Array, signature: Uint8Array): boolean {
  if (signer.type === 'ECC') {
    const point = eccPublicKey(signer.publicKey);
    try {
      return p256.verify(signature, message, point, { prehash: true, lowS: true, format: 'compact' });
    } catch {
      return false;
    }
  }
  if (signer.type === 'RSA') {
    const key = rsaPublicKey(signer.publicKey);
    return cryptoVerify('sha256', message, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }, signature);
  }
  throw unknownType(signer.type);
}

/**
 * Seals a private key under the key-encryption key from kdf.ts. The caller's associated data (user
 * name, key type, vault id) stops a sealed key from being swapped into another user's record.
 */
export function wrapPrivateKey(privateKey: Uint8Array, keyEncryptionKey: Uint8Array, associatedData: Uint8Array): Uint8Array {
  return seal(keyEncryptionKey, privateKey, bindTo('private key', associatedData));
}

export function unwrapPrivateKey(wrapped: Uint8Array, keyEncryptionKey: Uint8Array, associatedData: Uint8Array): Uint8Array {
  return open(keyEncryptionKey, wrapped, bindTo('private key', associatedData), 'the sealed private key');
}

// ECIES: an ephemeral P-256 key agrees a secret with the recipient (SEC 1 §3.3.1: the x
// coordinate); HKDF over secret ‖ ephemeral point ‖ recipient point (binding both public keys, as
// HPKE does) gives a one-time key and nonce for XChaCha20-Poly1305. The key is used once, so a
// derived nonce is safe. Wrapped form: ephemeral point (65) ‖ ciphertext ‖ tag (16).

function eciesWrap(recipient: Uint8Array, key: Uint8Array, associatedData: Uint8Array): Uint8Array {
  const ephemeral = p256.utils.randomSecretKey();
  const ephemeralPublic = p256.getPublicKey(ephemeral, false);
  const { aeadKey, nonce, secrets } = eciesKeys(ephemeral, recipient, ephemeralPublic, recipient);
  try {
    return concat(ephemeralPublic, xchacha20poly1305(aeadKey, nonce, associatedData).encrypt(key));
  } finally {
    wipe(ephemeral, ...secrets);
  }
}

function eciesUnwrap(privateKey: Uint8Array, wrapped: Uint8Array, associatedData: Uint8Array): Uint8Array {
  const scalar = eccPrivateKey(privateKey);
  if (wrapped.length < eccPublicLength + 16) throw new VaultCryptoError(VaultCryptoCode.decrypt, 'the wrapped key is too short for ECIES');
  const ephemeralPublic = wrapped.subarray(0, eccPublicLength);
  let derived: ReturnType<typeof eciesKeys>;
  try {
    derived = eciesKeys(scalar, ephemeralPublic, ephemeralPublic, p256.getPublicKey(scalar, false));
  } catch (cause) {
    throw new VaultCryptoError(VaultCryptoCode.decrypt, 'the wrapped key holds no valid ephemeral P-256 point', { cause });
  }
  try {
    return xchacha20poly1305(derived.aeadKey, derived.nonce, associatedData).decrypt(wrapped.subarray(eccPublicLength));
  } catch (cause) {
    throw new VaultCryptoError(VaultCryptoCode.decrypt, "the wrapped key does not decrypt with this ECC key: another owner's key, or altered bytes", { cause });
  } finally {
    wipe(...derived.secrets);
  }
}

function eciesKeys(scalar: Uint8Array, peer: Uint8Array, ephemeralPublic: Uint8Array, recipientPublic: Uint8Array) {
  const shared = p256.getSharedSecret(scalar, peer, true);
  const input = concat(shared.subarray(1), ephemeralPublic, recipientPublic);
  const okm = hkdf(sha256, input, undefined, eciesInfo, 32 + 24);
  return { aeadKey: okm.subarray(0, 32), nonce: okm.subarray(32), secrets: [shared, input, okm] };
}

// RSA-OAEP with SHA-256 for hash and MGF1 (RFC 8017 §7.1). OAEP authenticates its label, so
// label = SHA-256(associated data) binds the wrap to its context the way an AEAD's AD does.

function rsaWrap(recipient: KeyObject, key: Uint8Array, associatedData: Uint8Array): Uint8Array {
  return ownBytes(publicEncrypt({ key: recipient, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256', oaepLabel: sha256(associatedData) }, key));
}

function rsaUnwrap(owner: KeyObject, wrapped: Uint8Array, associatedData: Uint8Array): Uint8Array {
  try {
    return ownBytes(privateDecrypt({ key: owner, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256', oaepLabel: sha256(associatedData) }, wrapped));
  } catch (cause) {
    throw new VaultCryptoError(VaultCryptoCode.decrypt, "the wrapped key does not decrypt with this RSA key: another owner's key, or altered bytes", { cause });
  }
}

function eccPublicKey(publicKey: Uint8Array): Uint8Array {
  if (publicKey.length !== eccPublicLength || publicKey[0] !== 0x04 || !p256.utils.isValidPublicKey(publicKey, false)) {
    throw new VaultCryptoError(VaultCryptoCode.key, 'an ECC public key is a 65-byte uncompressed P-256 point (04 ‖ X ‖ Y) on the curve');
  }
  return publicKey;
}

function eccPrivateKey(privateKey: Uint8Array): Uint8Array {
  if (privateKey.length !== eccPrivateLength || !p256.utils.isValidSecretKey(privateKey)) {
    throw new VaultCryptoError(VaultCryptoCode.key, 'an ECC private key is a 32-byte P-256 scalar in [1, n-1]');
  }
  return privateKey;
}

function rsaPublicKey(spki: Uint8Array): KeyObject {
  let key: KeyObject;
  try {
    key = createPublicKey({ key: view(spki), format: 'der', type: 'spki' });
  } catch (cause) {
    throw new VaultCryptoError(VaultCryptoCode.key, 'an RSA public key is SubjectPublicKeyInfo DER; these bytes do not parse', { cause });
  }
  return checkRsa(key);
}

function rsaPrivateKey(pkcs8: Uint8Array): KeyObject {
  let key: KeyObject;
  try {
    // OpenSSL keeps its own copy of the key inside the KeyObject, freed when it is collected;
    // JavaScript cannot wipe that copy, so it lives only as long as this one operation.
    key = createPrivateKey({ key: view(pkcs8), format: 'der', type: 'pkcs8' });
  } catch (cause) {
    throw new VaultCryptoError(VaultCryptoCode.key, 'an RSA private key is PKCS#8 DER; these bytes do not parse', { cause });
  }
  return checkRsa(key);
}

function checkRsa(key: KeyObject): KeyObject {
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (key.asymmetricKeyType !== 'rsa' || bits < rsaLimits.minBits || bits > rsaLimits.maxBits || key.asymmetricKeyDetails?.publicExponent !== 65537n) {
    throw new VaultCryptoError(
      VaultCryptoCode.key,
      `an RSA key must be rsaEncryption with ${rsaLimits.minBits} to ${rsaLimits.maxBits} bits and e = 65537 (this one: ${key.asymmetricKeyType ?? 'unknown'}, ${bits} bits)`,
    );
  }
  return key;
}

/** A Buffer over the same memory (no copy that would outlive a wipe). */
function view(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
}

function unknownType(type: unknown): VaultCryptoError {
  return new VaultCryptoError(VaultCryptoCode.key, `key type ${JSON.stringify(type)} is not "ECC" or "RSA"`);
}
