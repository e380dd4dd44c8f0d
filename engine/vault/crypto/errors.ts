// Errors of the vault's crypto carry a stable code (tests and the UI switch on it) and a message
// for a person. Its code is declared in engine/api/vault-errors.ts, so the error crosses the API as is
// (engine/api/error-codes.ts toApiError).

export const VaultCryptoCode = {
  /** Not a signalbox.vault.v1 document, or a field has the wrong shape. */
  format: 'E_VAULT_FORMAT',
  /** The encoded ciphertext is larger than the vault accepts. */
  tooLarge: 'E_VAULT_TOO_LARGE',
  /** The ciphertext belongs to another vault. */
  wrongVault: 'E_VAULT_WRONG_VAULT',
  /** The user who signed the ciphertext has no account (or no longer has one). */
  unknownSigner: 'E_VAULT_UNKNOWN_SIGNER',
  /** The signature does not cover this document: it was altered or minted by someone else. */
  signature: 'E_VAULT_SIGNATURE',
  /** The access structure (owners, minimum, left/right, predicate) cannot be used. */
  access: 'E_VAULT_ACCESS',
  /** An owner named by the access structure has no public key. */
  unknownOwner: 'E_VAULT_UNKNOWN_OWNER',
  /** The owners offered for a decryption do not satisfy the access structure. */
  notEnoughOwners: 'E_VAULT_NOT_ENOUGH_OWNERS',
  /** A private key needed for the decryption was not supplied. */
  missingKey: 'E_VAULT_MISSING_KEY',
  /** An authenticated decryption failed: wrong key, or altered bytes. */
  decrypt: 'E_VAULT_DECRYPT',
  /** Labels, usages, names or sizes outside what the format allows. */
  input: 'E_VAULT_INPUT',
  /** Stored password-hashing parameters that are too weak, absurd or malformed. */
  kdf: 'E_VAULT_KDF',
  /** Key material of the wrong type, size or encoding. */
  key: 'E_VAULT_KEY',
} as const;

export type VaultCryptoCode = (typeof VaultCryptoCode)[keyof typeof VaultCryptoCode];

export class VaultCryptoError extends Error {
  readonly code: VaultCryptoCode;

  constructor(code: VaultCryptoCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'VaultCryptoError';
    this.code = code;
  }
}
