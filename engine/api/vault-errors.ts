// The vault's error codes (engine/api/error-codes.ts has the other namespaces). E_VAULT_*: the
// console's vault.* procedures (and the Red October API's `Code`); E_RO_*: reading Red October
// vaults and ciphertexts, and the Red October HTTPS API (`signalbox vault`), whose `Status` keeps
// Red October's own text where its clients compare it (engine/vault/http/README.md).

export const vaultErrors = {
  // Accounts and passwords.
  E_VAULT_AUTH: 'wrong name or password',
  E_VAULT_EXISTS: 'the vault already has accounts; an admin creates new ones',
  E_VAULT_USER_EXISTS: 'an account named {name} exists',
  E_VAULT_ADMIN_REQUIRED: 'an admin creates accounts here (engines.vault.registration is admin): ask one',
  E_VAULT_PENDING_FULL: "{count} accounts already wait for an admin's approval; ask an admin to approve or reject them first",
  E_VAULT_PENDING: "the account {name} waits for an admin's approval (until {time}); it can do nothing before",
  E_VAULT_NOT_ADMIN: '{name} is not an admin',
  E_VAULT_SELF: 'an admin cannot modify their own account; ask another admin',
  E_VAULT_NO_USER: 'no account named {names}',
  E_VAULT_NOT_PENDING: '{name} is not waiting for approval',
  E_VAULT_LAST_ADMIN: 'the last admin cannot be revoked or deleted',
  E_VAULT_BUSY: 'too many password checks at once; try again shortly (the Red October API only)',
  // Delegation persistence (engines.vault.persist).
  E_VAULT_PERSIST_DISABLED: 'persist: null store does not support delegations (engines.vault.persist is off)',
  E_VAULT_PERSIST_UNREADABLE: 'the stored delegations cannot be read: {reason}; an admin resets them',
  E_VAULT_PERSIST_NOT_OWNER: '{name} is not one of the owners the stored delegations are encrypted to ({rule}): ask them to restore',
  E_VAULT_PERSIST_OWNER: 'persist owner {name} has no (approved) account: create it, or change engines.vault.persist.owners',
  // Importing Red October vaults.
  E_VAULT_IMPORT: '{which} is not a Red October vault file we can import: {reason}; nothing was imported',
  E_VAULT_IMPORT_RENAME: '{problems}; nothing was imported',
  E_VAULT_IMPORT_CLASH:
    'Red October vault {id}: {name}: {reason}. Nothing was imported: …; give it a new name (--rename {name}=NEW, or the new-name field on the Vault page), or delete the existing account first',
  E_VAULT_WRITE: 'cannot write the vault file {path} ({code}); it is as it was and nothing changed — free disk space or fix the permissions, then try again',
  // Ciphertexts and decryption (engine/vault/crypto/errors.ts VaultCryptoCode).
  E_VAULT_FORMAT: 'not a signalbox.vault.v1 document: {field} {problem}',
  E_VAULT_TOO_LARGE: 'the ciphertext is {bytes} bytes; the vault accepts at most {max}',
  E_VAULT_WRONG_VAULT: 'the ciphertext belongs to vault {id}, not this one',
  E_VAULT_UNKNOWN_SIGNER: 'the ciphertext was signed by {name}, who has no account here',
  E_VAULT_SIGNATURE: 'the signature does not cover this ciphertext: it was altered or made by someone else',
  E_VAULT_ACCESS: 'the access structure cannot be used: {reason}',
  E_VAULT_UNKNOWN_OWNER: 'owner {name} has no public key here',
  E_VAULT_NOT_ENOUGH_OWNERS: 'the owners offered ({names}) do not satisfy {rule}',
  E_VAULT_MISSING_KEY: 'the private key of {name} is needed and was not supplied',
  E_VAULT_DECRYPT: '{what} did not decrypt: wrong key, or altered bytes',
  E_VAULT_INPUT: '{field}: {problem} (labels, usages, names or sizes outside what the format allows)',
  E_VAULT_KDF: 'stored password-hashing parameters {params} are too weak, absurd or malformed',
  E_VAULT_KEY: 'key material of the wrong type, size or encoding: {what}',
  E_VAULT_USAGE: 'this ciphertext may not be decrypted (its usages lack decrypt)',
  E_VAULT_USAGE_SIGN: 'this ciphertext may not sign (its usages lack ssh-sign-with)',
  E_VAULT_NEED_DELEGATIONS: 'need more delegated keys: {rule}; delegated for you now: {names}',
  E_VAULT_SSH_KEY: 'the ciphertext holds no SSH private key the vault can sign with: {reason}',
  // Orders.
  E_VAULT_TOO_MANY_ORDERS: '{name} has {count} open orders; cancel some first',
  E_VAULT_NO_ORDER: 'no order {id} (or: no open order {id} of yours for this ciphertext)',
  E_VAULT_ORDER_CLOSED: 'order {id} is {status}',
  E_VAULT_NOT_OWNER: '{name} is not an owner of the ciphertext of order {id}',
  // The vault file.
  E_VAULT_FILE: '{path} is not a vault file: {reason}',
  E_VAULT_VERSION: '{path} is vault format version {version}; this Signalbox reads version {supported} only',
  E_VAULT_LOCKED: 'the vault {path} is open in another process (pid {pid}) (or: cannot take the lock {path})',
  // Red October vault files and ciphertexts (engine/vault/redoctober/errors.ts RedOctoberCode).
  E_RO_VAULT_FORMAT: 'vault file: {field} {problem}',
  E_RO_MALFORMED: 'the ciphertext is not valid base64 / JSON, or {field} {problem}',
  E_RO_UNAUTHENTICATED: 'a Version 1 ciphertext without the outer HMAC is not accepted: re-encrypt it with Red October first',
  E_RO_UNKNOWN_VERSION: 'Unknown version',
  E_RO_SIGNATURE: 'Signature mismatch',
  E_RO_WRONG_VAULT: 'Wrong vault',
  E_RO_NEED_KEYS: 'need more delegated keys',
  E_RO_NOT_ENOUGH_SHARES: 'not enough shares to recover',
  E_RO_DECRYPT: '{what} did not decrypt to something well-formed',
  E_RO_KEY_MISMATCH: 'vault file: user "{name}": {what} (the password is right, the sealed key is damaged: restore the file from a backup)',
  // The Red October HTTPS API (`Code` beside Red October's `Status`).
  E_RO_REQUEST: '{problem} (a request body Red October would refuse: not JSON, or a Go duration it cannot read)',
  E_RO_FIELD: '{field}: {problem}',
  E_RO_ACCESS: 'Invalid access structure.',
  E_RO_USERS_REQUIRED: 'Users required when delegating: add -users NAME (or: Must specify at least one user per order.)',
  E_RO_ADMIN_REQUIRED: "an admin creates accounts here: add AdminName and AdminPassword (an admin's credentials) to the request",
  E_RO_UNSUPPORTED: '{what} is not supported: {why}',
  E_RO_NOT_CREATED: 'Vault is not created yet',
  E_RO_NOT_FOUND: "no such path: {path} (this server answers Red October's JSON API only, e.g. /summary)",
  E_RO_BODY_TOO_LARGE: 'the request body is larger than {size}, the most {path} accepts',
  E_RO_BUSY: 'the server is reading too many large requests at once; try again shortly',
  E_RO_BAD_HTTP: 'bad HTTP request: {reason}',
} as const;
