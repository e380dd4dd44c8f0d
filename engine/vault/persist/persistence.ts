// Red October's delegation persistence (spec §4.2; its persist package): when configured, the live
// delegations (private keys included) are stored on disk encrypted to a policy of its own, M of
// the persist owners, so that they survive a restart. After a restart the store is "inactive":
// delegations made meanwhile live in memory only, and the stored ones come back when enough of
// those owners send /restore (each one's key is held, on a timer, until the policy is met; then
// the stored file is decrypted with them, and their keys wiped). Then it is "active" again: every
// change of the live delegations rewrites the file, and the last one to end removes it. What is
// on disk opens only with M owners' private keys, which only their passwords unlock.
import { ApiError } from '../../api/errors.ts';
import type { PersistState } from '../../api/vault.ts';
import type { Recorder } from '../accounts.ts';
import { chooseOwners, decryptPayload, encryptPayload, inspectPayload } from '../crypto/envelope.ts';
import { keyId, publicKeyFromPrivate, type PublicKeyRef } from '../crypto/keys.ts';
import { DelegationStore, type DelegatedKey } from '../delegations.ts';
import { consoleOperator } from '../operator-context.ts';
import { decodeSnapshot, encodeSnapshot, type StoredDelegation } from './snapshot.ts';
import { readStoredFile, removeStoredFile, writeStoredFile } from './stored-file.ts';

export interface PersistOptions {
  owners: string[];
  minimum: number;
  path: string;
}

export interface PersistDeps {
  vaultId: string;
  /** The vault's live delegations: what is stored, and where restored ones go. */
  delegations: DelegationStore;
  publicKeyOf: (name: string) => PublicKeyRef | undefined;
  record: Recorder;
  /** The delegations or the persistence state changed (the console refreshes). */
  changed: () => void;
}

export interface PersistStatus {
  state: PersistState;
  owners: string[];
  minimum: number;
  restoring: string[];
  writtenAt: number | null;
  error: string | null;
}

type Policy = { owners: string[]; minimum: number };

/** The ciphertext's labels: Red October labels its persisted cache "restore" too. */
const labels = ['restore'];

export class DelegationPersistence {
  private readonly options: PersistOptions | undefined;
  private readonly deps: PersistDeps;
  private state: PersistState;
  /** The stored file waiting for /restore (inactive only), and the policy it is encrypted to. */
  private stored: { ciphertext: string; policy: Policy } | null = null;
  private writtenAt: number | null;
  private error: string | null = null;
  /** Restorers' keys, held until enough owners sent theirs (or their Time ends). */
  private readonly restorers: DelegationStore;
  private queued: Promise<void> | null = null;
  private writing: Promise<void> = Promise.resolve();
  private closed = false;

  private constructor(options: PersistOptions | undefined, deps: PersistDeps, state: PersistState, writtenAt: number | null) {
    this.options = options;
    this.deps = deps;
    this.state = state;
    this.writtenAt = writtenAt;
    this.restorers = new DelegationStore((delegation, reason) => {
      if (reason === 'expired') void consoleOperator.exit(() => this.deps.record('expire', delegation.owner, { restore: true }));
      this.deps.changed();
    });
  }

  /** Reads the stored file, if any: with one, persistence is inactive until restored. */
  static async open(options: PersistOptions | undefined, deps: PersistDeps): Promise<DelegationPersistence> {
    if (!options) return new DelegationPersistence(options, deps, 'disabled', null);
    let file: Awaited<ReturnType<typeof readStoredFile>> = null;
    let error: string | null = null;
    try {
      file = await readStoredFile(options.path);
    } catch (err) {
      error = `the stored delegations cannot be read (${message(err)}); an admin's /reset-persisted deletes them`;
    }
    const persistence = new DelegationPersistence(options, deps, file || error ? 'inactive' : 'active', file?.writtenAt ?? null);
    persistence.error = error;
    if (file) {
      try {
        // Verified now (vault, signature of an account's key, the policy's form), decrypted at /restore.
        const info = inspectPayload(file.ciphertext, { vaultId: deps.vaultId, publicKeyOf: deps.publicKeyOf });
        if (info.access.kind !== 'owners') throw new Error('it is not encrypted to owners and a minimum');
        persistence.stored = { ciphertext: file.ciphertext, policy: { owners: info.access.owners, minimum: info.access.minimum } };
      } catch (err) {
        persistence.error = `the stored delegations in ${options.path} do not verify (${message(err)}); an admin's /reset-persisted deletes them`;
      }
    }
    await deps.record('persist-load', null, { state: persistence.state, file: options.path, error: persistence.error });
    return persistence;
  }

  status(): PersistStatus {
    const policy = this.policy();
    return {
      state: this.state,
      owners: policy?.owners ?? [],
      minimum: policy?.minimum ?? 0,
      restoring: this.restorers.general().map((d) => d.owner),
      writtenAt: this.writtenAt,
      error: this.error,
    };
  }

  get current(): PersistState {
    return this.state;
  }

  /**
   * Stores the live delegations as they are when the write starts (writes run one at a time; calls
   * while one waits share it). Resolves once they are on disk; never throws: a failure is audited,
   * shown in status(), and removes the stale file, since it may hold keys that have ended.
   */
  save(): Promise<void> {
    if (this.state !== 'active' || this.closed) return Promise.resolve();
    if (!this.queued) {
      const run = this.writing.then(() => {
        this.queued = null;
        return this.write().catch((err: unknown) => this.failed(err));
      });
      this.queued = run;
      this.writing = run;
    }
    return this.queued;
  }

  /**
   * One persist owner's key (already unlocked with their password) joins the restore. Answers the
   * state after it: inactive while more owners are needed, active once the stored delegations are back.
   */
  async restore(owner: string, key: DelegatedKey, seconds: number): Promise<PersistState> {
    if (this.state !== 'inactive') {
      key.privateKey.fill(0);
      await this.deps.record('persist-restore', owner, { state: this.state, result: 'nothing stored to restore' });
      return this.state;
    }
    if (!this.stored) {
      key.privateKey.fill(0);
      throw new ApiError('E_VAULT_PERSIST_UNREADABLE', this.error ?? 'the stored delegations cannot be read');
    }
    const { policy } = this.stored;
    if (!policy.owners.includes(owner)) {
      key.privateKey.fill(0);
      await this.deps.record('deny', owner, { reason: 'not a persist owner', policy: describe(policy) });
      throw new ApiError(
        'E_VAULT_PERSIST_NOT_OWNER',
        `${owner} is not one of the owners the stored delegations are encrypted to (${describe(policy)}): ask them to restore`,
      );
    }
    this.restorers.add({ owner, key, uses: 1, durationMs: seconds * 1000, users: [], anyone: true, labels: [], order: null });
    await this.deps.record('persist-restore', owner, { holding: this.restorers.general().map((d) => d.owner), policy: describe(policy), seconds });
    // Another owner's restore may have completed it (or an admin reset it) while this one was recorded.
    if (this.state !== 'inactive' || !this.stored) return this.state;
    const chosen = chooseOwners({ kind: 'owners', ...policy }, new Set(this.restorers.general().map((d) => d.owner)));
    if (chosen) await this.bringBack(owner, chosen);
    this.deps.changed();
    return this.state;
  }

  /** An admin deletes the stored delegations and any restore under way; from now on it stores again. */
  async reset(admin: string): Promise<void> {
    const was = this.state;
    this.restorers.purge();
    this.stored = null;
    this.error = null;
    await removeStoredFile(this.options!.path);
    this.writtenAt = null;
    this.state = 'active';
    await this.deps.record('persist-reset', admin, { was, file: this.options!.path });
    this.deps.changed();
    await this.save();
  }

  /** Lets a write under way finish and starts no other: the file keeps the delegations as they were. */
  async close(): Promise<void> {
    this.closed = true;
    this.restorers.purge();
    await this.writing;
  }

  private policy(): Policy | null {
    if (this.state === 'inactive') return this.stored?.policy ?? null;
    return this.options ? { owners: [...this.options.owners].sort(), minimum: this.options.minimum } : null;
  }

  private async bringBack(lastRestorer: string, chosen: string[]): Promise<void> {
    const keys = new Map(this.restorers.general().map((d) => [d.owner, d.key]));
    let plaintext: Uint8Array | undefined;
    let stored: StoredDelegation[];
    try {
      plaintext = decryptPayload(this.stored!.ciphertext, {
        vaultId: this.deps.vaultId,
        publicKeyOf: this.deps.publicKeyOf,
        privateKeyOf: (name) => keys.get(name),
        use: chosen,
      });
      stored = decodeSnapshot(plaintext);
    } catch (err) {
      this.error = `the stored delegations do not decrypt with ${chosen.join(' and ')}'s keys (${message(err)}); an admin's /reset-persisted deletes them`;
      await this.deps.record('persist-error', lastRestorer, { reason: this.error });
      throw new ApiError('E_VAULT_PERSIST_UNREADABLE', this.error);
    } finally {
      plaintext?.fill(0);
      this.restorers.purge();
    }
    const now = Date.now();
    const delegatedSinceRestart = new Set(this.deps.delegations.general().map((d) => d.owner));
    const restored: string[] = [];
    const skipped: string[] = [];
    for (const d of stored) {
      const reason =
        d.expiresAt <= now
          ? 'its time ended'
          : delegatedSinceRestart.has(d.owner)
            ? 'delegated again since the restart'
            : this.keyMatches(d)
              ? null
              : 'not the key of that account now';
      if (reason) {
        d.key.privateKey.fill(0);
        skipped.push(`${d.owner}: ${reason}`);
        continue;
      }
      this.deps.delegations.add({
        owner: d.owner,
        key: d.key,
        uses: d.uses,
        durationMs: d.expiresAt - now,
        users: d.users,
        anyone: d.anyone,
        labels: d.labels,
        order: null,
      });
      restored.push(d.owner);
    }
    this.stored = null;
    this.error = null;
    this.state = 'active';
    await this.deps.record('persist-restored', lastRestorer, { restorers: chosen, restored, skipped });
    await this.save();
  }

  /** A stored key is restored only for the account whose public key it matches (and that can still act). */
  private keyMatches(d: StoredDelegation): boolean {
    const account = this.deps.publicKeyOf(d.owner);
    if (!account || account.type !== d.key.type) return false;
    try {
      const own = publicKeyFromPrivate(d.key);
      return keyId(own.type, own.publicKey) === keyId(account.type, account.publicKey);
    } catch {
      return false;
    }
  }

  private async write(): Promise<void> {
    if (this.state !== 'active' || this.closed) return;
    const { path, owners, minimum } = this.options!;
    const live = this.deps.delegations.general();
    if (live.length === 0) {
      if (this.writtenAt === null) return;
      await removeStoredFile(path);
      this.writtenAt = null;
      await this.deps.record('persist-write', null, { delegations: 0, owners: [], file: path });
      return;
    }
    const recipients = new Map<string, PublicKeyRef>();
    for (const name of owners) {
      const publicKey = this.deps.publicKeyOf(name);
      if (!publicKey)
        throw new ApiError('E_VAULT_PERSIST_OWNER', `persist owner ${name} has no (approved) account: create it, or change engines.vault.persist.owners`);
      recipients.set(name, publicKey);
    }
    const plaintext = encodeSnapshot(
      live.map((d) => ({ owner: d.owner, key: d.key, uses: d.uses, expiresAt: d.expiresAt, users: d.users, anyone: d.anyone, labels: d.labels })),
    );
    let ciphertext: string;
    try {
      // Signed with one of the stored keys: the envelope needs an author, and the vault has no key of its own.
      const signer = live[0]!;
      ciphertext = encryptPayload({
        vaultId: this.deps.vaultId,
        access: { kind: 'owners', owners, minimum },
        labels,
        usages: ['decrypt'],
        plaintext,
        owners: recipients,
        signer: { name: signer.owner, ...signer.key },
        now: new Date(),
      });
    } finally {
      plaintext.fill(0);
    }
    const writtenAt = Date.now();
    await writeStoredFile(path, ciphertext, writtenAt);
    this.writtenAt = writtenAt;
    this.error = null;
    await this.deps.record('persist-write', null, {
      delegations: live.length,
      owners: live.map((d) => d.owner),
      policy: describe({ owners, minimum }),
      file: path,
    });
  }

  private async failed(err: unknown): Promise<void> {
    this.error = `the delegations could not be stored (${message(err)}); the stored file was removed`;
    try {
      await removeStoredFile(this.options!.path);
      this.writtenAt = null;
      await this.deps.record('persist-error', null, { reason: this.error });
    } catch {
      // The error stays in status(); there is nothing better to do with a disk that refuses both.
    }
    this.deps.changed();
  }
}

function describe(policy: Policy): string {
  return `${policy.minimum} of ${[...policy.owners].sort().join(', ')}`;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
