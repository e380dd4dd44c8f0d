// DNS cookies, server side (RFC 7873, RFC 9018): to its clients the proxy is the server, so it
// answers each client cookie with a server cookie of its own, made as RFC 9018 §4 says (version 1,
// a timestamp, SipHash-2-4 over the client cookie, those fields and the client's address under a
// secret), so a client can prove on its next query that it saw our answer. The secret changes
// every rotation period; cookies made with the previous one stay valid until the next change.
// With a master key (the engine's key file, shared by its worker processes and by the process
// that takes over in an upgrade) each period's secret is derived from it, so every process makes
// and accepts the same cookies; without one the secret is random per process.
import { createHmac, randomBytes } from 'node:crypto';
import { linkSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { addressBytes } from './ip.ts';
import { siphash24 } from './siphash.ts';
import { cookieOption } from './wire.ts';

const clientCookieBytes = 8;
/** version 1 | reserved (3) | timestamp (4) | hash (8): RFC 9018 §4.2. */
const serverCookieBytes = 16;
/** RFC 9018 §4.3: a cookie is no longer valid an hour after its timestamp, nor five minutes before it. */
const lifetimeSeconds = 3600;
const clockSkewSeconds = 300;
/** RFC 9018 §4.3: past half an hour a fresh one is handed out even for a valid cookie. */
const renewAfterSeconds = 1800;

export interface CookieOptions {
  /** A new secret this often (the previous one still validates until the next rotation). */
  rotateSeconds: number;
  /** Seconds since the Unix epoch (the cookie's timestamp is wall-clock time). */
  now?: () => number;
  /** The first secret (16 bytes), for test vectors; random otherwise. */
  secret?: Uint8Array;
  /** A key the secrets of every period are derived from (HMAC-SHA256 of the period number). */
  master?: Uint8Array;
}

export interface CookieVerdict {
  /** The query carried a server cookie that we made for this client, within its lifetime. */
  valid: boolean;
  /** The COOKIE option for the answer (code, length, client cookie, server cookie). */
  option: Buffer;
}

export class ServerCookies {
  private readonly rotateSeconds: number;
  private readonly now: () => number;
  private readonly master: Uint8Array | null;
  private current: Uint8Array;
  private previous: Uint8Array | null = null;
  /** When the current secret took over (random secrets), or its period number (derived ones). */
  private rotatedAt: number;
  /** client cookie (8) | version, reserved (4) | timestamp (4) | address (4 or 16): what is hashed. */
  private readonly message = new Uint8Array(clientCookieBytes + 8 + 16);
  private readonly hash = new Uint8Array(8);

  constructor(options: CookieOptions) {
    this.rotateSeconds = options.rotateSeconds;
    this.now = options.now ?? (() => Math.floor(Date.now() / 1000));
    this.master = options.master ?? null;
    if (this.master) {
      this.rotatedAt = Math.floor(this.now() / this.rotateSeconds);
      this.current = this.derive(this.rotatedAt);
      this.previous = this.derive(this.rotatedAt - 1);
    } else {
      this.current = options.secret ?? randomBytes(16);
      this.rotatedAt = this.now();
    }
  }

  private derive(period: number): Uint8Array {
    return createHmac('sha256', this.master!).update(`signalbox dns cookie secret ${period}`).digest().subarray(0, 16);
  }

  /** Moves to the next secret when its time has come. */
  private rotate(now: number): void {
    if (this.master) {
      const period = Math.floor(now / this.rotateSeconds);
      if (period === this.rotatedAt) return;
      this.previous = period === this.rotatedAt + 1 ? this.current : this.derive(period - 1);
      this.current = this.derive(period);
      this.rotatedAt = period;
    } else if (now - this.rotatedAt >= this.rotateSeconds) {
      this.previous = this.current;
      this.current = randomBytes(16);
      this.rotatedAt = now;
    }
  }

  /**
   * The answer's COOKIE option for the cookie a query carried at `at` (`length` bytes: 8 for a
   * client cookie alone, 16 to 40 with a server cookie; other lengths are the caller's FORMERR,
   * RFC 7873 §5.2.2). A valid server cookie made with the current secret less than half an hour
   * ago is echoed as it came; otherwise a fresh one is made (RFC 9018 §4.3).
   */
  answer(query: Uint8Array, at: number, length: number, clientAddress: string): CookieVerdict {
    const now = this.now() >>> 0;
    this.rotate(now);
    const address = addressBytes(clientAddress);
    const option = Buffer.allocUnsafe(4 + clientCookieBytes + serverCookieBytes);
    option.writeUInt16BE(cookieOption, 0);
    option.writeUInt16BE(clientCookieBytes + serverCookieBytes, 2);
    option.set(query.subarray(at, at + clientCookieBytes), 4);
    const server = at + clientCookieBytes;
    let valid = false;
    if (length === clientCookieBytes + serverCookieBytes && query[server] === 1) {
      const stamp = ((query[server + 4]! << 24) | (query[server + 5]! << 16) | (query[server + 6]! << 8) | query[server + 7]!) >>> 0;
      // Modulo 2^32 (RFC 9018 §4.3 serial arithmetic): the age is positive for the past.
      const age = (now - stamp) | 0;
      if (age <= lifetimeSeconds && age >= -clockSkewSeconds) {
        const byCurrent = this.matches(this.current, query, at, address);
        valid = byCurrent || (this.previous !== null && this.matches(this.previous, query, at, address));
        if (valid && byCurrent && age < renewAfterSeconds) {
          option.set(query.subarray(server, server + serverCookieBytes), 4 + clientCookieBytes);
          return { valid, option };
        }
      }
    }
    this.write(option, 4, now, address);
    return { valid, option };
  }

  /** Whether the server cookie at `at` + 8 is the hash `secret` gives for its fields and this address. */
  private matches(secret: Uint8Array, query: Uint8Array, at: number, address: Uint8Array): boolean {
    const message = this.message;
    message.set(query.subarray(at, at + clientCookieBytes + 8), 0);
    message.set(address, clientCookieBytes + 8);
    siphash24(secret, message.subarray(0, clientCookieBytes + 8 + address.length), this.hash);
    let difference = 0;
    for (let i = 0; i < 8; i++) difference |= this.hash[i]! ^ query[at + clientCookieBytes + 8 + i]!;
    return difference === 0;
  }

  /** Writes client cookie (already at `at`) + a new server cookie stamped `now` with the current secret. */
  private write(option: Buffer, at: number, now: number, address: Uint8Array): void {
    const server = at + clientCookieBytes;
    option[server] = 1;
    option[server + 1] = 0;
    option[server + 2] = 0;
    option[server + 3] = 0;
    option.writeUInt32BE(now, server + 4);
    const message = this.message;
    message.set(option.subarray(at, server + 8), 0);
    message.set(address, clientCookieBytes + 8);
    siphash24(this.current, message.subarray(0, clientCookieBytes + 8 + address.length), this.hash);
    option.set(this.hash, server + 8);
  }
}

/**
 * The engine's cookie master key from `file` (32 bytes), made (mode 0600) when it does not exist
 * yet; whichever process makes it first, the others read the same. Null when it cannot be had
 * (an unwritable data folder): cookies then use a random secret per process.
 */
export function cookieMasterKey(file: string): Uint8Array | null {
  // Written aside and linked into place, so that no process reads a half-written key.
  const aside = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(aside, randomBytes(32), { mode: 0o600 });
    linkSync(aside, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') return null;
  } finally {
    rmSync(aside, { force: true });
  }
  try {
    const key = readFileSync(file);
    return key.length === 32 ? key : null;
  } catch {
    return null;
  }
}
