// Who is asking `serve`: a console session (cookie), an API token (Authorization: Bearer), or
// nobody. Serves the sign-in endpoints under /auth/: sign-in, sign-out, who am I, and the
// first-run setup. The cookie is HttpOnly (no script reads it), SameSite=Strict (no other site's
// page sends it) and Secure over TLS; POSTs must also come from the console's own origin.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { ApiError } from '../../api/errors.ts';
import type { Caller } from '../../api/identity.ts';
import type { Logger } from '../../api/engine.ts';
import type { SessionStore } from './sessions.ts';
import type { SetupLink } from './setup-link.ts';
import type { OperatorStore, TokenInfo } from './store.ts';

export const sessionCookie = 'signalbox_session';
export const authPath = '/auth/';
const maxBodyBytes = 16 * 1024;

export interface Authenticated {
  caller: Caller;
  /** The session it came from, so that revoking it closes its connections. */
  sessionId?: string;
  token?: TokenInfo;
}

export interface ConsoleAuthOptions {
  store: OperatorStore;
  sessions: SessionStore;
  /** Over TLS: the cookie gets Secure. */
  secure: boolean;
  /** Origins whose pages may POST sign-in and sign-out. */
  origins: Set<string>;
  setup?: SetupLink;
  log: Logger;
}

const credentials = z.object({ name: z.string().min(1).max(64), password: z.string().min(1).max(1024) }).strict();
const setupRequest = credentials.extend({ setupToken: z.string().min(1).max(200) }).strict();

export class ConsoleAuth {
  private readonly options: ConsoleAuthOptions;

  constructor(options: ConsoleAuthOptions) {
    this.options = options;
  }

  /** The caller of a request, from its session cookie or bearer token; null when neither is valid. */
  authenticate(req: IncomingMessage, purpose: 'api' | 'metrics'): Authenticated | null {
    const bearer = req.headers.authorization?.match(/^Bearer\s+(\S+)$/)?.[1];
    if (bearer) {
      const token = this.options.store.checkToken(bearer);
      if (!token || (purpose === 'api' && token.scope !== 'api')) return null;
      return { caller: { name: token.name, role: token.role, via: 'token' }, token };
    }
    const cookie = readCookie(req, sessionCookie);
    const session = cookie ? this.options.sessions.check(cookie) : undefined;
    if (!session) return null;
    const operator = this.options.store.get(session.operator);
    // An operator removed (say by the CLI) while signed in is out at once.
    if (!operator) return null;
    return { caller: { name: operator.name, role: operator.role, via: 'session' }, sessionId: session.id };
  }

  /** Answers /auth/... requests; false for any other path. */
  handle(req: IncomingMessage, res: ServerResponse): boolean {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (!path.startsWith(authPath)) return false;
    void this.route(path.slice(authPath.length), req, res).catch((err: unknown) => {
      const error = err instanceof ApiError ? err : new ApiError('E_INTERNAL', err instanceof Error ? err.message : String(err));
      const status = statusOf(error.code);
      if (status === 500) this.options.log.error('sign-in endpoint failed', { path, error: error.message });
      const retry = (err as { retryAfterMs?: number }).retryAfterMs;
      answer(res, status, error.toJSON(), retry ? { 'Retry-After': String(Math.ceil(retry / 1000)) } : {});
    });
    return true;
  }

  private async route(route: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (route === 'me' && req.method === 'GET') {
      const who = this.authenticate(req, 'api');
      // Not signed in is an answer, not an error: the console asks before it shows anything.
      if (!who) return answer(res, 200, { signedIn: false, setup: this.options.setup?.pending === true && !this.options.store.hasOperators() });
      return answer(res, 200, { signedIn: true, ...who.caller });
    }
    if (req.method !== 'POST') throw new ApiError('E_METHOD', `${req.method} ${authPath}${route}: use POST`);
    const origin = req.headers.origin;
    if (origin !== undefined && !this.options.origins.has(origin)) throw new ApiError('E_FORBIDDEN', `origin ${origin} may not sign in here`);
    const source = req.socket.remoteAddress ?? 'unknown';
    if (route === 'sign-in') {
      const { name, password } = parse(credentials, await readBody(req));
      const caller = await this.options.store.verify(name, password, source);
      this.options.log.info('operator signed in', { operator: caller.name, role: caller.role, remote: source });
      return this.startSession(req, res, caller, source);
    }
    if (route === 'sign-out') {
      const cookie = readCookie(req, sessionCookie);
      const session = cookie ? this.options.sessions.check(cookie) : undefined;
      if (session) {
        await this.options.sessions.revoke(session.id);
        this.options.log.info('operator signed out', { operator: session.operator, remote: source });
      }
      res.setHeader('Set-Cookie', this.cookie('', 0));
      return answer(res, 200, { signedIn: false });
    }
    if (route === 'setup') {
      const { setupToken, name, password } = parse(setupRequest, await readBody(req));
      const setup = this.options.setup;
      const refusal = setup ? setup.consume(setupToken) : 'this host has operators already: sign in';
      if (refusal) throw new ApiError('E_SETUP_REFUSED', refusal);
      if (this.options.store.hasOperators()) throw new ApiError('E_SETUP_REFUSED', 'this host has operators already: sign in');
      const created = await this.options.store.add(name, 'admin', password);
      this.options.log.info('first admin created through the setup link', { operator: created.name, remote: source });
      return this.startSession(req, res, { name: created.name, role: 'admin', via: 'session' }, source);
    }
    throw new ApiError('E_NOT_FOUND', `no endpoint ${authPath}${route}`);
  }

  private async startSession(req: IncomingMessage, res: ServerResponse, caller: Caller, source: string): Promise<void> {
    const { cookie } = await this.options.sessions.create(caller.name, source, req.headers['user-agent'] ?? '');
    res.setHeader('Set-Cookie', this.cookie(cookie, Math.floor(this.options.sessions.limitsInUse.absoluteLifetimeMs / 1000)));
    answer(res, 200, { signedIn: true, ...caller });
  }

  private cookie(value: string, maxAgeSeconds: number): string {
    return `${sessionCookie}=${value}; Path=/; Max-Age=${maxAgeSeconds}; HttpOnly; SameSite=Strict${this.options.secure ? '; Secure' : ''}`;
  }
}

export function readCookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

function statusOf(code: string): number {
  const statuses: Record<string, number> = {
    E_SIGN_IN: 401,
    E_RATE_LIMITED: 429,
    E_FORBIDDEN: 403,
    E_SETUP_REFUSED: 403,
    E_METHOD: 405,
    E_NOT_FOUND: 404,
    E_INVALID_PARAMS: 400,
    E_BAD_PASSWORD: 400,
    E_BAD_NAME: 400,
    E_OPERATOR_EXISTS: 409,
    E_TOO_LARGE: 413,
  };
  return statuses[code] ?? 500;
}

function parse<T>(schema: z.ZodType<T>, body: string): T {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new ApiError('E_INVALID_PARAMS', 'the body is not JSON: send {"name": ..., "password": ...}');
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success)
    throw new ApiError('E_INVALID_PARAMS', parsed.error.issues.map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`).join('; '));
  return parsed.data;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBodyBytes) {
        reject(new ApiError('E_TOO_LARGE', `a sign-in body is at most ${maxBodyBytes} bytes`));
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function answer(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', ...headers }).end(JSON.stringify(body));
}
