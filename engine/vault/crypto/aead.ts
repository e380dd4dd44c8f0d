// XChaCha20-Poly1305 (draft-irtf-cfrg-xchacha) for every symmetric encryption of the vault. Its
// 24-byte nonce is safe to draw at random for any number of messages under one key, so no nonce
// counter has to be stored or kept in step.
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { concat, randomBytes, utf8 } from './bytes.ts';
import { VaultCryptoCode, VaultCryptoError } from './errors.ts';

export const keyLength = 32;
export const nonceLength = 24;
export const tagLength = 16;

/** Encrypts under a fresh random nonce; the result is nonce ‖ ciphertext ‖ tag. */
export function seal(key: Uint8Array, plaintext: Uint8Array, associatedData: Uint8Array): Uint8Array {
  const nonce = randomBytes(nonceLength);
  return concat(nonce, xchacha20poly1305(key, nonce, associatedData).encrypt(plaintext));
}

/** Reverses seal; any change to key, nonce, ciphertext, tag or associated data throws E_VAULT_DECRYPT. */
export function open(key: Uint8Array, sealed: Uint8Array, associatedData: Uint8Array, what: string): Uint8Array {
  if (sealed.length < nonceLength + tagLength) throw new VaultCryptoError(VaultCryptoCode.decrypt, `${what} is too short to be sealed data`);
  try {
    return xchacha20poly1305(key, sealed.subarray(0, nonceLength), associatedData).decrypt(sealed.subarray(nonceLength));
  } catch (cause) {
    throw new VaultCryptoError(VaultCryptoCode.decrypt, `${what} does not decrypt: wrong key, or the bytes were altered`, { cause });
  }
}

/**
 * Associated data for one purpose: the purpose's name, then each part with a 4-byte big-endian
 * length, so that no two different (purpose, parts) lists give the same bytes and data sealed for
 * one purpose can never be opened as another.
 */
export function bindTo(purpose: string, ...parts: Uint8Array[]): Uint8Array {
  const framed = parts.flatMap((part) => {
    const length = new Uint8Array(4);
    new DataView(length.buffer).setUint32(0, part.length);
    return [length, part];
  });
  return concat(utf8(`signalbox.vault.v1 ${purpose}`), new Uint8Array([0]), ...framed);
}
