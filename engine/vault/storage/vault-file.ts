// The vault file: accounts with their wrapped private keys, one JSON document, versioned. One
// process writes it (a lock file), one update at a time (a queue), each written atomically. An
// update that fails to reach the disk leaves memory as it was, so the file and memory agree.
import { randomBytes } from 'node:crypto';
import { readdir, readFile, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { writeFileAtomic } from '../../common/atomic-file.ts';
import { acquireWriterLock, type WriterLock } from './writer-lock.ts';

export const vaultFormat = 'signalbox.vault';
export const vaultFileVersion = 1;

export interface KdfRecord {
  algorithm: 'scrypt';
  N: number;
  r: number;
  p: number;
  /** base64 */
  salt: string;
}

export interface UserRecord {
  name: string;
  type: 'RSA' | 'ECC';
  admin: boolean;
  createdAt: string;
  passwordChangedAt: string;
  /** Absent while the account still carries its Red October record (until its first login). */
  kdf?: KdfRecord;
  /** base64: the password verifier derived with `kdf`. */
  verifier?: string;
  /** base64: SPKI DER (RSA) or the uncompressed P-256 point (ECC). */
  publicKey: string;
  keyId: string;
  /** base64: the private key sealed under the password-derived key. */
  wrappedPrivateKey?: string;
  /** The account's record from an imported Red October vault, as JSON text (big integers intact). */
  redOctoberRecord?: string;
  /** Registered without an admin and not approved yet: it can do nothing, and goes at expiresAt. */
  pending?: { requestedAt: string; expiresAt: string; source: string };
}

export interface VaultData {
  format: typeof vaultFormat;
  version: typeof vaultFileVersion;
  /** Random, hex; ciphertexts are bound to it. */
  vaultId: string;
  createdAt: string;
  users: Record<string, UserRecord>;
  /** From an imported Red October vault: what its ciphertexts are bound to (kept to read them). */
  redOctober: { vaultId: number; hmacKey: string } | null;
}

export class VaultFileError extends Error {
  readonly code: string;

  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

export class VaultFile {
  readonly path: string;
  private current: VaultData;
  private readonly lock: WriterLock;
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(path: string, data: VaultData, lock: WriterLock) {
    this.path = path;
    this.current = data;
    this.lock = lock;
  }

  /** Opens (or creates, empty) the vault at `path`, taking the writer lock. */
  static async open(path: string): Promise<VaultFile> {
    const lock = await acquireWriterLock(path);
    try {
      const text = await readFile(path, 'utf8').catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') return null;
        throw err;
      });
      const data = text === null ? emptyVault() : parseVault(path, text);
      await removeTempFiles(path);
      const file = new VaultFile(path, data, lock);
      if (text === null) await writeFileAtomic(path, serialize(data));
      return file;
    } catch (err) {
      await lock.release();
      throw err;
    }
  }

  /** The vault as it is on disk; treat it as read-only (change it with `update`). */
  get data(): Readonly<VaultData> {
    return this.current;
  }

  /** Applies `change` to a copy, writes it atomically, then makes it current. */
  update(change: (draft: VaultData) => void): Promise<void> {
    const run = this.queue.then(async () => {
      const draft = structuredClone(this.current);
      change(draft);
      await writeFileAtomic(this.path, serialize(draft));
      this.current = draft;
    });
    this.queue = run.catch(() => {});
    return run;
  }

  async close(): Promise<void> {
    await this.queue;
    await this.lock.release();
  }
}

/** Temp files of writes a crash interrupted; the lock makes sure nobody is writing one now. */
async function removeTempFiles(path: string): Promise<void> {
  const prefix = `.${basename(path)}.`;
  for (const name of await readdir(dirname(path))) {
    if (name.startsWith(prefix) && name.endsWith('.tmp')) await rm(join(dirname(path), name), { force: true });
  }
}

function emptyVault(): VaultData {
  return { format: vaultFormat, version: vaultFileVersion, vaultId: randomBytes(16).toString('hex'), createdAt: new Date().toISOString(), users: {}, redOctober: null };
}

function serialize(data: VaultData): string {
  return JSON.stringify(data, null, 2) + '\n';
}

function parseVault(path: string, text: string): VaultData {
  let data: Partial<VaultData>;
  try {
    data = JSON.parse(text) as Partial<VaultData>;
  } catch (err) {
    throw new VaultFileError('E_VAULT_FILE', `${path} is not a vault file: ${(err as Error).message}`);
  }
  if (data.format !== vaultFormat) throw new VaultFileError('E_VAULT_FILE', `${path} is not a Signalbox vault file (a Red October vault is imported, not opened)`);
  if (data.version !== vaultFileVersion) {
    throw new VaultFileError('E_VAULT_VERSION', `${path} is vault format version ${String(data.version)}; this Signalbox reads version ${vaultFileVersion} only`);
  }
  if (typeof data.vaultId !== 'string' || typeof data.users !== 'object' || data.users === null) {
    throw new VaultFileError('E_VAULT_FILE', `${path} lacks vaultId or users`);
  }
  return data as VaultData;
}
