// The Red October reader's public surface: what the vault's core uses to migrate an RO vault and
// to serve RO ciphertexts. Everything else in this folder is an implementation detail.
export { decryptRedOctoberCiphertext, inspectRedOctoberCiphertext, planRedOctoberDecryption, type RedOctoberCiphertextInfo, type RedOctoberPlaintext } from './ciphertext.ts';
export type { RedOctoberAccess } from './access.ts';
export { RedOctoberCode, RedOctoberError } from './errors.ts';
export { redOctoberPublicKey, unlockRedOctoberUser, type RedOctoberKey, type RedOctoberPublicKey } from './unlock.ts';
export { readRedOctoberVault, type RedOctoberEccUser, type RedOctoberRsaUser, type RedOctoberUser, type RedOctoberVault, type SealedBlob } from './vault-file.ts';
