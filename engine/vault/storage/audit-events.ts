// The vault's audit log: the shared hash-chained log (engine/common/audit-log.ts) with the vault's
// event names. Entries name the account that acted and the ciphertext (by hash), never a secret.
import type { AuditLog } from '../../common/audit-log.ts';

export type AuditEvent =
  | 'create'
  | 'create-user'
  | 'delegate'
  | 'purge'
  | 'expire'
  | 'encrypt'
  | 're-encrypt'
  | 'decrypt'
  | 'ssh-sign'
  | 'deny'
  | 'order'
  | 'approve'
  | 'cancel-order'
  | 'password-change'
  | 'modify'
  | 'failed-login'
  | 'import'
  | 'register'
  | 'pending-expired'
  | 'persist-load'
  | 'persist-write'
  | 'persist-restore'
  | 'persist-restored'
  | 'persist-reset'
  | 'persist-error'
  | 'audit-recovered';

export type VaultAuditLog = AuditLog<AuditEvent>;
