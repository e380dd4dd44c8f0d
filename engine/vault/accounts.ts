// Accounts: who may use the vault, their key pairs, and the password checks that unlock them.
// Every check goes through the login guard first (rate limits), runs the KDF through the gate
// (bounded memory), and fails the same way and after the same work for an unknown name as for a
// wrong password. Accounts imported from Red October move to our KDF at their first login.
import { createPrivateKey } from 'node:crypto';
import { ApiError } from '../api/errors.ts';
import type { RedOctoberImportFile, RedOctoberImportPlan, VaultCredentials } from '../api/vault.ts';
import { fromBase64, toBase64, utf8 } from './crypto/bytes.ts';
import { deriveKeys, dummyDerive, newKdfParams, parseKdfParams, verify, type KdfOptions, type ScryptCost } from './crypto/kdf.ts';
import { generateUserKey, keyId, unwrapPrivateKey, wrapPrivateKey, type KeyType, type PrivateKeyRef, type PublicKeyRef } from './crypto/keys.ts';
import type { KdfGate, LoginGuard } from '../common/guard.ts';
import { unlockRedOctoberUser, type RedOctoberKey } from './redoctober/unlock.ts';
import { readRedOctoberVault, type RedOctoberUser } from './redoctober/vault-file.ts';
import { planRedOctoberImport, refuseUnlessClean } from './redoctober-import.ts';
import type { VaultAuditLog } from './storage/audit-events.ts';

/** Appends to the audit log (and tells the console). */
export type Recorder = (...entry: Parameters<VaultAuditLog['append']>) => Promise<void>;
import type { UserRecord, VaultFile } from './storage/vault-file.ts';

export type Registration = 'admin' | 'approval' | 'open';

export interface AccountOptions {
  /** scrypt cost for new passwords; tests lower it (never below kdf.minimumN). */
  kdfCost?: ScryptCost;
  kdf?: KdfOptions;
  /** Accounts asked for without an admin's credentials (engines.vault.registration); default approval. */
  registration?: Registration;
  /** How long a pending account waits for an admin; default 72 h. */
  pendingTtlMs?: number;
}

/** Pending accounts at most: anyone may ask for one, so their number (and the file) is bounded. */
const maxPending = 100;

export interface Unlocked {
  user: UserRecord;
  /** The account's private key; the caller wipes it (fill(0)) or hands it to a delegation. */
  key: PrivateKeyRef;
}

const wrongCredentials = () => new ApiError('E_VAULT_AUTH', 'wrong name or password');
const neverFires = 2 ** 31 - 1;

export class Accounts {
  private readonly file: VaultFile;
  private readonly record: Recorder;
  private readonly guard: LoginGuard;
  private readonly gate: KdfGate;
  private readonly options: AccountOptions;
  private readonly changed: () => void;
  private expiryTimer: NodeJS.Timeout | undefined;

  constructor(file: VaultFile, record: Recorder, guard: LoginGuard, gate: KdfGate, options: AccountOptions = {}, changed: () => void = () => {}) {
    this.file = file;
    this.record = record;
    this.guard = guard;
    this.gate = gate;
    this.options = options;
    this.changed = changed;
    this.scheduleExpiry();
  }

  get registration(): Registration {
    return this.options.registration ?? 'approval';
  }

  get initialized(): boolean {
    return Object.keys(this.file.data.users).length > 0;
  }

  get(name: string): UserRecord | undefined {
    return Object.hasOwn(this.file.data.users, name) ? this.file.data.users[name] : undefined;
  }

  list(): UserRecord[] {
    return Object.values(this.file.data.users).sort((a, b) => a.name.localeCompare(b.name));
  }

  /** The key to encrypt to; none for a pending account, which owns nothing until approved. */
  publicKeyOf(name: string): PublicKeyRef | undefined {
    const user = this.get(name);
    return user && !user.pending ? { type: user.type, publicKey: fromBase64(user.publicKey, 'a public key') } : undefined;
  }

  /** The first account of an empty vault, an admin (Red October's /create). */
  async create(name: string, password: string, type: KeyType): Promise<void> {
    if (this.initialized) throw new ApiError('E_VAULT_EXISTS', 'the vault already has accounts; an admin creates new ones');
    await this.add(name, password, type, true, true);
    await this.record('create', name, { type });
  }

  /** Only an admin creates accounts (Red October let anyone register). */
  async createUser(admin: VaultCredentials, source: string, name: string, password: string, type: KeyType): Promise<void> {
    await this.requireAdmin(admin, source);
    if (this.get(name)) throw new ApiError('E_VAULT_USER_EXISTS', `an account named ${name} exists`);
    await this.add(name, password, type, false);
    await this.record('create-user', admin.name, { target: name, type });
  }

  /**
   * An account asked for without an admin's credentials (Red October's /create-user, which `ro`
   * sends with none): with `approval` a pending account that can do nothing until an admin
   * approves it, with `open` a full account at once (Red October's behaviour), with `admin` none.
   */
  async register(name: string, password: string, type: KeyType, source: string): Promise<{ pending: boolean }> {
    if (this.registration === 'admin')
      throw new ApiError('E_VAULT_ADMIN_REQUIRED', 'an admin creates accounts here (engines.vault.registration is admin): ask one');
    if (this.get(name)) throw new ApiError('E_VAULT_USER_EXISTS', `an account named ${name} exists`);
    const pending = this.registration === 'approval';
    if (pending && this.list().filter((user) => user.pending).length >= maxPending) {
      throw new ApiError('E_VAULT_PENDING_FULL', `${maxPending} accounts already wait for an admin's approval; ask an admin to approve or reject them first`);
    }
    const now = Date.now();
    const ttl = this.options.pendingTtlMs ?? 72 * 3600_000;
    await this.add(
      name,
      password,
      type,
      false,
      false,
      pending ? { requestedAt: new Date(now).toISOString(), expiresAt: new Date(now + ttl).toISOString(), source } : undefined,
    );
    await this.record('register', name, { target: name, type, source, pending });
    if (pending) this.scheduleExpiry();
    return { pending };
  }

  /** Checks the password and unlocks the account's private key. */
  async unlock(credentials: VaultCredentials, source: string): Promise<Unlocked> {
    const { name, password } = credentials;
    // Counted as a failure from here on, so that guesses already queued for the KDF count too.
    const attempt = this.guard.begin(name, source);
    if (!attempt.allowed) {
      throw new ApiError(
        'E_RATE_LIMITED',
        `too many failed attempts for this account from here, or from here overall; try again in ${Math.ceil(attempt.retryAfterMs / 1000)} s`,
      );
    }
    const user = this.get(name);
    let key: PrivateKeyRef | null;
    try {
      key = await this.gate.run(async () => {
        if (!user) {
          // The same work as a real check, so that the time taken does not tell who exists.
          await dummyDerive(password, newKdfParams(this.options.kdfCost, this.options.kdf), this.options.kdf);
          return null;
        }
        return user.redOctoberRecord !== undefined ? this.unlockLegacy(user, password) : this.unlockOwn(user, password);
      });
    } catch (err) {
      attempt.abandoned();
      throw err;
    }
    if (!key) {
      attempt.failed();
      await this.record('failed-login', name, { source });
      throw wrongCredentials();
    }
    attempt.succeeded();
    const pending = this.get(name)?.pending;
    if (pending) {
      // Told only once the password was right: to others a pending account looks like any other.
      key.privateKey.fill(0);
      throw new ApiError('E_VAULT_PENDING', `the account ${name} waits for an admin's approval (until ${pending.expiresAt}); it can do nothing before`);
    }
    return { user: this.get(name)!, key };
  }

  /** Checks the password only; the unlocked key is wiped at once. */
  async authenticate(credentials: VaultCredentials, source: string): Promise<UserRecord> {
    const { user, key } = await this.unlock(credentials, source);
    key.privateKey.fill(0);
    return user;
  }

  async requireAdmin(credentials: VaultCredentials, source: string): Promise<UserRecord> {
    const user = await this.authenticate(credentials, source);
    if (!user.admin) throw new ApiError('E_VAULT_NOT_ADMIN', `${user.name} is not an admin`);
    return user;
  }

  /** Re-wraps the same private key under the new password: old ciphertexts stay readable. */
  async changePassword(credentials: VaultCredentials, source: string, newPassword: string): Promise<void> {
    const { user, key } = await this.unlock(credentials, source);
    try {
      const sealed = await this.seal(user.name, user.type, key.privateKey, newPassword);
      await this.file.update((draft) => {
        draft.users[user.name] = { ...draft.users[user.name]!, ...sealed, passwordChangedAt: new Date().toISOString() };
      });
    } finally {
      key.privateKey.fill(0);
    }
    await this.record('password-change', user.name);
  }

  /** Admin, revoke or delete an account; approve or reject (delete) a pending one. */
  async modify(admin: VaultCredentials, source: string, target: string, command: 'admin' | 'revoke' | 'delete' | 'approve' | 'reject'): Promise<void> {
    const caller = await this.requireAdmin(admin, source);
    if (target === caller.name) throw new ApiError('E_VAULT_SELF', 'an admin cannot modify their own account; ask another admin');
    const record = this.get(target);
    if (!record) throw new ApiError('E_VAULT_NO_USER', `no account named ${target}`);
    const decides = command === 'approve' || command === 'reject';
    if (decides && !record.pending) throw new ApiError('E_VAULT_NOT_PENDING', `${target} is not waiting for approval`);
    if (record.pending && (command === 'admin' || command === 'revoke'))
      throw new ApiError('E_VAULT_PENDING', `${target} waits for approval: approve or reject it first`);
    const admins = this.list().filter((user) => user.admin).length;
    if (record.admin && command !== 'admin' && admins <= 1) throw new ApiError('E_VAULT_LAST_ADMIN', 'the last admin cannot be revoked or deleted');
    await this.file.update((draft) => {
      if (command === 'delete' || command === 'reject') delete draft.users[target];
      else if (command === 'approve') delete draft.users[target]!.pending;
      else draft.users[target] = { ...draft.users[target]!, admin: command === 'admin' };
    });
    await this.record('modify', caller.name, { target, command });
    if (decides) this.scheduleExpiry();
  }

  /** Stops the timer that removes pending accounts. */
  close(): void {
    clearTimeout(this.expiryTimer);
  }

  /** What importing these Red October vault files would do (who is new, imported before, a clash), changing nothing. */
  planRedOctoberImport(files: readonly RedOctoberImportFile[]): RedOctoberImportPlan {
    return planRedOctoberImport(this.file.data, files).plan;
  }

  /**
   * Adds the accounts of Red October vault files, all or none: any clash (a name taken by another
   * key pair) or rename that cannot apply refuses them all, and the vault file is written once.
   * Their keys stay wrapped as Red October wrapped them until each account's first login, which
   * moves it to our KDF (we never learn passwords otherwise). Each file's vault id and HMAC key
   * are kept to verify its ciphertexts, with the renames that map its names to accounts here.
   */
  async importRedOctober(admin: VaultCredentials, source: string, files: readonly RedOctoberImportFile[]): Promise<RedOctoberImportPlan> {
    const caller = await this.requireAdmin(admin, source);
    let planned: RedOctoberImportPlan | undefined;
    await this.file.update((draft) => {
      // Planned in the writer's turn, so that no other change slips in between the plan and the write.
      const { plan, sources, additions } = planRedOctoberImport(draft, files);
      refuseUnlessClean(plan);
      draft.redOctober = sources;
      for (const record of additions) draft.users[record.name] = record;
      planned = plan;
    });
    const plan = planned!;
    for (const file of plan.files) {
      const of = (outcome: string) => file.accounts.filter((account) => account.outcome === outcome);
      await this.record('import', caller.name, {
        from: 'redoctober',
        vaultId: file.vaultId,
        imported: of('new').map((account) => account.as),
        renamed: of('new')
          .filter((account) => account.as !== account.name)
          .map((account) => `${account.name}=${account.as}`),
        skipped: of('imported-before').map((account) => account.as),
      });
    }
    return plan;
  }

  /** Removes the pending accounts whose time ran out, then waits for the next one. */
  private async expirePending(): Promise<void> {
    const now = Date.now();
    const expired = this.list()
      .filter((user) => user.pending && Date.parse(user.pending.expiresAt) <= now)
      .map((user) => user.name);
    if (expired.length > 0) {
      await this.file.update((draft) => {
        for (const name of expired) if (draft.users[name]?.pending) delete draft.users[name];
      });
      for (const name of expired) await this.record('pending-expired', null, { target: name });
      this.changed();
    }
  }

  private scheduleExpiry(): void {
    clearTimeout(this.expiryTimer);
    const next = Math.min(...this.list().flatMap((user) => (user.pending ? [Date.parse(user.pending.expiresAt)] : [])));
    if (next === Infinity) return;
    this.expiryTimer = setTimeout(
      () => {
        // A failed write (a full disk) is tried again in a minute.
        this.expirePending().then(
          () => this.scheduleExpiry(),
          () => (this.expiryTimer = setTimeout(() => this.scheduleExpiry(), 60_000).unref()),
        );
      },
      Math.min(Math.max(0, next - Date.now()), neverFires),
    ).unref();
  }

  private async add(name: string, password: string, type: KeyType, admin: boolean, first = false, pending?: UserRecord['pending']): Promise<void> {
    const pair = await generateUserKey(type);
    try {
      const sealed = await this.gate.run(() => this.seal(name, type, pair.privateKey, password));
      const now = new Date().toISOString();
      await this.file.update((draft) => {
        // Checked again in the writer's turn: two concurrent calls (two first /create over HTTPS)
        // both passed the check before the KDF; the second must not add a second first admin.
        if (first && Object.keys(draft.users).length > 0) throw new ApiError('E_VAULT_EXISTS', 'the vault already has accounts; an admin creates new ones');
        if (Object.hasOwn(draft.users, name)) throw new ApiError('E_VAULT_USER_EXISTS', `an account named ${name} exists`);
        draft.users[name] = {
          name,
          type,
          admin,
          createdAt: now,
          passwordChangedAt: now,
          publicKey: toBase64(pair.publicKey),
          keyId: keyId(type, pair.publicKey),
          ...sealed,
          ...(pending ? { pending } : {}),
        };
      });
    } finally {
      pair.privateKey.fill(0);
    }
  }

  /** The private key wrapped under a key derived from `password`, with fresh KDF parameters. */
  private async seal(
    name: string,
    type: KeyType,
    privateKey: Uint8Array,
    password: string,
  ): Promise<Pick<UserRecord, 'kdf' | 'verifier' | 'wrappedPrivateKey' | 'redOctoberRecord'>> {
    const kdf = newKdfParams(this.options.kdfCost, this.options.kdf);
    const { verifier, keyEncryptionKey } = await deriveKeys(password, kdf, this.options.kdf);
    try {
      return {
        kdf,
        verifier: toBase64(verifier),
        wrappedPrivateKey: toBase64(wrapPrivateKey(privateKey, keyEncryptionKey, this.binding(name, type))),
        redOctoberRecord: undefined,
      };
    } finally {
      keyEncryptionKey.fill(0);
    }
  }

  private async unlockOwn(user: UserRecord, password: string): Promise<PrivateKeyRef | null> {
    const params = parseKdfParams(user.kdf, this.options.kdf);
    const { verifier, keyEncryptionKey } = await deriveKeys(password, params, this.options.kdf);
    try {
      if (!verify(verifier, fromBase64(user.verifier!, 'a verifier'))) return null;
      return {
        type: user.type,
        privateKey: unwrapPrivateKey(fromBase64(user.wrappedPrivateKey!, 'a wrapped key'), keyEncryptionKey, this.binding(user.name, user.type)),
      };
    } finally {
      keyEncryptionKey.fill(0);
    }
  }

  /** A Red October account: its own scrypt check, then the move to our KDF with the same key pair. */
  private async unlockLegacy(user: UserRecord, password: string): Promise<PrivateKeyRef | null> {
    const legacy = legacyUser(user);
    const key = await unlockRedOctoberUser(legacy, password);
    if (!key) return null;
    const privateKey = ourPrivateKey(key);
    const sealed = await this.seal(user.name, user.type, privateKey, password);
    await this.file.update((draft) => {
      draft.users[user.name] = { ...draft.users[user.name]!, ...sealed, passwordChangedAt: new Date().toISOString() };
      delete draft.users[user.name]!.redOctoberRecord;
    });
    await this.record('password-change', user.name, { migrated: 'from Red October to scrypt N=2^17 + XChaCha20-Poly1305' });
    return { type: user.type, privateKey };
  }

  /** What a wrapped private key is bound to: moving it to another account or vault fails. */
  private binding(name: string, type: KeyType): Uint8Array {
    return utf8(JSON.stringify(['signalbox.vault.v1 private key', this.file.data.vaultId, name, type]));
  }
}

/**
 * The account's Red October record, read as Red October's vault file holds it. Unlocking uses only
 * the record (spec §3.1): the vault id and HMAC key the reader wants are placeholders here.
 */
function legacyUser(user: UserRecord): RedOctoberUser {
  const text = `{"Version":1,"VaultId":0,"HmacKey":"AAAAAAAAAAAAAAAAAAAAAA==","Passwords":{${JSON.stringify(user.name)}:${user.redOctoberRecord}}}`;
  return readRedOctoberVault(text).users.get(user.name)!;
}

function ourPrivateKey(key: RedOctoberKey): Uint8Array {
  return key.type === 'ECC' ? key.privateKey : new Uint8Array(key.privateKey.export({ format: 'der', type: 'pkcs8' }));
}

/** A delegated key as the Red October decryptor takes it. */
export function redOctoberKeyOf(key: PrivateKeyRef): RedOctoberKey {
  return key.type === 'ECC'
    ? { type: 'ECC', privateKey: key.privateKey }
    : { type: 'RSA', privateKey: createPrivateKey({ key: Buffer.from(key.privateKey), format: 'der', type: 'pkcs8' }) };
}
