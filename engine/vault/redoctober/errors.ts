// Errors of the Red October reader. Each carries a stable code (tests and the UI switch on it). Where
// Red October itself answers with a fixed text (spec §2), the message is that text, byte for byte,
// so that the RO-compatible API can put it in `Status` unchanged; `hint` then says, for a person,
// what happened and what to do.

export const RedOctoberCode = {
  /** The vault file is not one Red October wrote, or a field has the wrong shape (spec §4.1). */
  vaultFormat: 'E_RO_VAULT_FORMAT',
  /** A ciphertext is not valid base64 / JSON, or a field has the wrong shape or size (spec §4.3). */
  malformed: 'E_RO_MALFORMED',
  /** A bare Version 1 ciphertext without the outer HMAC: RO accepts it as Secure=false, we never do. */
  unauthenticated: 'E_RO_UNAUTHENTICATED',
  /** "Unknown version": neither the outer -1 nor the inner 1. */
  unknownVersion: 'E_RO_UNKNOWN_VERSION',
  /** "Signature mismatch": the outer or the inner HMAC-SHA1 does not verify. */
  signature: 'E_RO_SIGNATURE',
  /** "Wrong vault": the ciphertext names another VaultId. */
  wrongVault: 'E_RO_WRONG_VAULT',
  /** "need more delegated keys": no KeySet entry has every owner's key at hand. */
  needKeys: 'E_RO_NEED_KEYS',
  /** "not enough shares to recover": the predicate cannot be satisfied with the keys at hand. */
  notEnoughShares: 'E_RO_NOT_ENOUGH_SHARES',
  /** A wrapped key, share or data block did not decrypt to something well-formed. */
  decrypt: 'E_RO_DECRYPT',
  /** An unlocked private key does not match the public key stored for the user. */
  keyMismatch: 'E_RO_KEY_MISMATCH',
} as const;

export type RedOctoberCode = (typeof RedOctoberCode)[keyof typeof RedOctoberCode];

export class RedOctoberError extends Error {
  readonly code: RedOctoberCode;
  /** For a person: what went wrong and what to do. Never contains secrets. */
  readonly hint: string;

  constructor(code: RedOctoberCode, message: string, hint: string = message, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RedOctoberError';
    this.code = code;
    this.hint = hint;
  }
}
