// The one-time link that creates the first admin when no operator exists: a random token in the
// URL's fragment (browsers never send a fragment to the server, so it stays out of logs), valid
// for 15 minutes and for one use. It lives in this process only: a restart makes a new one.
import { randomBytes, timingSafeEqual } from 'node:crypto';

export const setupLinkLifetimeMs = 15 * 60_000;

export class SetupLink {
  readonly token = randomBytes(32).toString('base64url');
  readonly expiresAt: number;
  private used = false;

  constructor(now = Date.now(), lifetimeMs = setupLinkLifetimeMs) {
    this.expiresAt = now + lifetimeMs;
  }

  /** Why `offered` cannot be used, or null when it is the token, unexpired and unused (it is used now). */
  consume(offered: string, now = Date.now()): string | null {
    const given = Buffer.from(offered);
    const expected = Buffer.from(this.token);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'this is not the setup link serve printed';
    if (this.used) return 'this setup link was used already: sign in with the admin it created (or add one with signalbox operators add)';
    if (now >= this.expiresAt) return 'this setup link expired (15 minutes): restart serve for a new one, or add an admin with signalbox operators add';
    this.used = true;
    return null;
  }

  get pending(): boolean {
    return !this.used && Date.now() < this.expiresAt;
  }
}
