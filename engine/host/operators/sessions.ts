// Console sessions: a random id per sign-in, kept in sessions.json (0600) and sent to the browser
// as `id.HMAC(id)` under a signing key in session.key (0600), so sessions survive a `serve`
// restart and a cookie cannot be made up or altered. A session ends when idle too long, at its
// absolute lifetime, at sign-out, or when an admin revokes it (listeners close its connections).
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../../common/atomic-file.ts';

export const sessionsFileName = 'sessions.json';
export const sessionKeyFileName = 'session.key';

export interface SessionLimits {
  /** A session unused this long ends (default 30 min). */
  idleTimeoutMs: number;
  /** A session ends this long after sign-in, however busy (default 12 h). */
  absoluteLifetimeMs: number;
}
export const defaultSessionLimits: SessionLimits = { idleTimeoutMs: 30 * 60_000, absoluteLifetimeMs: 12 * 3600_000 };

const sessionRecord = z.object({
  id: z.string(),
  operator: z.string(),
  createdAt: z.number(),
  lastSeenAt: z.number(),
  /** Where the sign-in came from (address) and with what (User-Agent), for the admin's list. */
  source: z.string(),
  userAgent: z.string(),
});
export type Session = z.infer<typeof sessionRecord>;
const sessionsFile = z.object({ version: z.literal(1), sessions: z.record(z.string(), sessionRecord) });

/** lastSeenAt reaches the file at most this often per session (a busy console is no write storm). */
const persistSeenEveryMs = 60_000;

export class SessionStore {
  private readonly file: string;
  private readonly key: Buffer;
  private readonly limits: SessionLimits;
  private readonly sessions = new Map<string, Session>();
  private readonly persistedSeen = new Map<string, number>();
  private readonly revokeListeners = new Set<(session: Session) => void>();
  private writing: Promise<void> = Promise.resolve();

  private constructor(file: string, key: Buffer, limits: SessionLimits) {
    this.file = file;
    this.key = key;
    this.limits = limits;
  }

  static async open(dataDir: string, limits: Partial<SessionLimits> = {}): Promise<SessionStore> {
    const keyFile = join(dataDir, sessionKeyFileName);
    if (!existsSync(keyFile)) await writeFileAtomic(keyFile, randomBytes(32).toString('hex') + '\n');
    const key = Buffer.from(readFileSync(keyFile, 'utf8').trim(), 'hex');
    if (key.length < 32) throw new Error(`${keyFile} holds no 32-byte key; delete it (every session then ends) and start again`);
    const store = new SessionStore(join(dataDir, sessionsFileName), key, { ...defaultSessionLimits, ...limits });
    if (existsSync(store.file)) {
      const parsed = sessionsFile.safeParse(JSON.parse(readFileSync(store.file, 'utf8')));
      // A damaged file ends every session (everyone signs in again); it never stops the host.
      if (parsed.success) for (const session of Object.values(parsed.data.sessions)) store.sessions.set(session.id, session);
    }
    store.dropExpired();
    return store;
  }

  get limitsInUse(): SessionLimits {
    return this.limits;
  }

  /** Starts a session; returns it and the cookie value that names it. */
  async create(operator: string, source: string, userAgent: string): Promise<{ session: Session; cookie: string }> {
    const now = Date.now();
    const session = { id: randomBytes(18).toString('base64url'), operator, createdAt: now, lastSeenAt: now, source, userAgent: userAgent.slice(0, 200) };
    this.sessions.set(session.id, session);
    await this.persist();
    return { session, cookie: `${session.id}.${this.sign(session.id)}` };
  }

  /** The live session a cookie value names, its idle clock restarted; undefined if none. */
  check(cookie: string): Session | undefined {
    const dot = cookie.indexOf('.');
    if (dot < 1) return undefined;
    const id = cookie.slice(0, dot);
    const given = Buffer.from(cookie.slice(dot + 1));
    const expected = Buffer.from(this.sign(id));
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    return this.touch(id);
  }

  /** A call on a session's connection: the session if still live, its idle clock restarted. */
  touch(id: string): Session | undefined {
    const session = this.sessions.get(id);
    if (!session) return undefined;
    const now = Date.now();
    if (this.expired(session, now)) {
      this.end(session).catch(() => {});
      return undefined;
    }
    session.lastSeenAt = now;
    if (now - (this.persistedSeen.get(id) ?? session.createdAt) >= persistSeenEveryMs) {
      this.persistedSeen.set(id, now);
      this.persistLater();
    }
    return session;
  }

  list(): Session[] {
    this.dropExpired();
    return [...this.sessions.values()].sort((a, b) => b.lastSeenAt - a.lastSeenAt);
  }

  async revoke(id: string): Promise<boolean> {
    const session = this.sessions.get(id);
    if (!session) return false;
    await this.end(session);
    return true;
  }

  /** Ends every session of an operator (removed, or their role changed). */
  async revokeOperator(operator: string): Promise<number> {
    const theirs = [...this.sessions.values()].filter((session) => session.operator === operator);
    for (const session of theirs) await this.end(session);
    return theirs.length;
  }

  /** Ends sessions as they expire (closing their connections), every `everyMs`; returns the stop. */
  sweep(everyMs = 15_000): () => void {
    const timer = setInterval(() => this.dropExpired(), everyMs);
    timer.unref();
    return () => clearInterval(timer);
  }

  onRevoke(listener: (session: Session) => void): () => void {
    this.revokeListeners.add(listener);
    return () => this.revokeListeners.delete(listener);
  }

  /** When a session will end if nothing else happens (idle or absolute, whichever comes first). */
  endsAt(session: Session): number {
    return Math.min(session.lastSeenAt + this.limits.idleTimeoutMs, session.createdAt + this.limits.absoluteLifetimeMs);
  }

  private expired(session: Session, now: number): boolean {
    return now >= this.endsAt(session);
  }

  private dropExpired(): void {
    const now = Date.now();
    for (const session of this.sessions.values()) if (this.expired(session, now)) this.end(session).catch(() => {});
  }

  private async end(session: Session): Promise<void> {
    if (!this.sessions.delete(session.id)) return;
    this.persistedSeen.delete(session.id);
    for (const listener of this.revokeListeners) listener(session);
    await this.persist();
  }

  private sign(id: string): string {
    return createHmac('sha256', this.key).update(`signalbox session ${id}`).digest('base64url');
  }

  /** Writes one after another, each with the state at its turn, so the file ends with the latest. */
  private persist(): Promise<void> {
    const write = this.writing.then(() =>
      writeFileAtomic(this.file, JSON.stringify({ version: 1, sessions: Object.fromEntries(this.sessions) }, null, 1) + '\n'),
    );
    // A failed write (disk full) leaves the sessions in memory; the next change writes them again.
    this.writing = write.catch(() => {});
    return write;
  }

  private persistLater(): void {
    this.persist().catch(() => {});
  }
}
