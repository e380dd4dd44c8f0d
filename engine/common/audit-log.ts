// The audit log: append-only JSON lines, each carrying the hash of the one before, so that an
// edited, removed or reordered entry breaks the chain at a known place. It records who did what
// to what and whether it worked; never a password, key or plaintext.
// A line torn by a crash (the last one, incomplete) is cut off when the log is opened and the
// cut is itself recorded; any other break is reported, not repaired.
// Two logs use it, each with its own event names (the type parameter): the vault's
// (engine/vault/storage/audit-events.ts) and the host's operator log (engine/host/operator-audit.ts).
import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { open, readFile, truncate } from 'node:fs/promises';

export interface AuditEntry<Event extends string = string> {
  seq: number;
  at: string;
  event: Event;
  /** Who asked (an account name, possibly one that does not exist for failed logins). */
  actor: string | null;
  /** Plain facts: target user, ciphertext hash, labels, order id, result, reason. */
  details: Record<string, string | number | boolean | string[] | null>;
  prev: string;
  hash: string;
}

export interface ChainCheck {
  ok: boolean;
  entries: number;
  /** Where the chain breaks, when it does. */
  brokenAt: number | null;
  reason: string | null;
}

const genesis = '0'.repeat(64);

function entryHash(entry: Omit<AuditEntry<string>, 'hash'>): string {
  const { seq, at, event, actor, details, prev } = entry;
  return createHash('sha256')
    .update(JSON.stringify([seq, at, event, actor, details, prev]))
    .digest('hex');
}

export class AuditLog<Event extends string = string> {
  readonly path: string;
  private last: { seq: number; hash: string } = { seq: 0, hash: genesis };
  private check: ChainCheck = { ok: true, entries: 0, brokenAt: null, reason: null };
  /** Appends run one at a time so that each sees the previous hash. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(path: string) {
    this.path = path;
  }

  /** Reads and verifies the chain; cuts a torn last line (and records that it did). */
  async open(): Promise<ChainCheck> {
    const text = await readFile(this.path, 'utf8').catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return '';
      throw err;
    });
    const { entries, tornAt, check } = verifyChain(text);
    this.check = check;
    const newest = entries.at(-1);
    if (newest) this.last = { seq: newest.seq, hash: newest.hash };
    if (tornAt !== null) {
      await truncate(this.path, tornAt);
      await this.append('audit-recovered', null, {
        cutBytes: Buffer.byteLength(text) - tornAt,
        reason: 'an incomplete last line (a crash during a write) was removed',
      });
    }
    return this.check;
  }

  get status(): ChainCheck {
    return { ...this.check };
  }

  append(event: Event | 'audit-recovered', actor: string | null, details: AuditEntry['details'] = {}): Promise<AuditEntry<Event | 'audit-recovered'>> {
    const run = this.queue.then(async () => {
      const body = { seq: this.last.seq + 1, at: new Date().toISOString(), event, actor, details, prev: this.last.hash };
      const entry: AuditEntry<Event | 'audit-recovered'> = { ...body, hash: entryHash(body) };
      const file = await open(this.path, constants.O_WRONLY | constants.O_CREAT | constants.O_APPEND, 0o600);
      try {
        await file.write(JSON.stringify(entry) + '\n');
        await file.datasync();
      } finally {
        await file.close();
      }
      this.last = { seq: entry.seq, hash: entry.hash };
      this.check = { ...this.check, entries: this.check.entries + 1 };
      return entry;
    });
    this.queue = run.catch(() => {});
    return run;
  }

  /** The newest entries first, at most `limit`, older than `beforeSeq` when given. */
  async read(limit: number, beforeSeq?: number): Promise<AuditEntry<Event | 'audit-recovered'>[]> {
    await this.queue;
    const text = await readFile(this.path, 'utf8').catch(() => '');
    const { entries } = verifyChain<Event | 'audit-recovered'>(text);
    return entries
      .filter((entry) => beforeSeq === undefined || entry.seq < beforeSeq)
      .slice(-limit)
      .reverse();
  }
}

/** Parses and checks every line; a final line without its newline is a torn write, not tampering. */
export function verifyChain<Event extends string = string>(text: string): { entries: AuditEntry<Event>[]; tornAt: number | null; check: ChainCheck } {
  const entries: AuditEntry<Event>[] = [];
  let offset = 0;
  let prev = genesis;
  let broken: { at: number; reason: string } | null = null;
  while (offset < text.length) {
    const end = text.indexOf('\n', offset);
    if (end === -1) return { entries, tornAt: Buffer.byteLength(text.slice(0, offset)), check: summary(entries, broken) };
    const line = text.slice(offset, end);
    offset = end + 1;
    let entry: AuditEntry<Event>;
    try {
      entry = JSON.parse(line) as AuditEntry<Event>;
    } catch {
      broken ??= { at: entries.length + 1, reason: 'a line is not valid JSON' };
      continue;
    }
    if (!broken) {
      const { hash, ...body } = entry;
      if (entry.prev !== prev) broken = { at: entry.seq, reason: 'an entry does not follow the one before it (removed or reordered)' };
      else if (entryHash(body) !== hash) broken = { at: entry.seq, reason: 'an entry was altered' };
    }
    prev = entry.hash;
    entries.push(entry);
  }
  return { entries, tornAt: null, check: summary(entries, broken) };
}

function summary(entries: AuditEntry<string>[], broken: { at: number; reason: string } | null): ChainCheck {
  return { ok: broken === null, entries: entries.length, brokenAt: broken?.at ?? null, reason: broken?.reason ?? null };
}
