// Operator accounts and API tokens, in operators.json in the data folder (0600, written atomically).
// The file is read again whenever it changed on disk, so `signalbox operators ...` run beside a
// running `serve` takes effect at the next sign-in. Sign-in goes through the login guard the vault uses too
// (engine/common/guard.ts: per account and source, never a lockout of the right password from an
// innocent source) and a gate that bounds scrypt's memory.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { ApiError } from '../../api/errors.ts';
import { role, type Caller, type Role } from '../../api/identity.ts';
import { KdfGate, LoginGuard, type GuardOptions } from '../../common/guard.ts';
import { writeFileAtomic } from '../../common/atomic-file.ts';
import { defaultCost, hashPassword, passwordHash, passwordProblem, verifyPassword, type ScryptCost } from './passwords.ts';

export const operatorsFileName = 'operators.json';
export const operatorName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/, 'a name is 1-32 letters, digits, . _ or -, starting with a letter or digit');
/** What an API token may open: /metrics only (Prometheus), or the API (and /metrics) as its role. */
export const tokenScope = z.enum(['metrics', 'api']);
export type TokenScope = z.infer<typeof tokenScope>;

const operatorRecord = z.object({ name: operatorName, role, password: passwordHash, createdAt: z.number() });
const tokenRecord = z.object({ name: operatorName, role, scope: tokenScope, sha256: z.string(), createdAt: z.number(), createdBy: z.string() });
const operatorsFile = z.object({
  version: z.literal(1),
  operators: z.record(z.string(), operatorRecord),
  tokens: z.record(z.string(), tokenRecord),
});
type OperatorsFile = z.infer<typeof operatorsFile>;
export type OperatorRecord = z.infer<typeof operatorRecord>;

export interface OperatorInfo {
  name: string;
  role: Role;
  createdAt: number;
}
export interface TokenInfo {
  name: string;
  role: Role;
  scope: TokenScope;
  createdAt: number;
  createdBy: string;
}

export interface OperatorStoreOptions {
  /** scrypt cost of new passwords; tests lower it. */
  cost?: ScryptCost;
  guard?: Partial<GuardOptions>;
}

/** API tokens read `sbx_` + 43 base64url characters (256 random bits): high entropy, so SHA-256 is their hash. */
const tokenPrefix = 'sbx_';

export class OperatorStore {
  readonly file: string;
  private readonly cost: ScryptCost;
  private readonly guard: LoginGuard;
  private readonly gate = new KdfGate(2);
  private cached: { stamp: string; data: OperatorsFile } | undefined;
  /** A derivation for unknown names, so that the time taken does not tell who exists. */
  private decoy: Promise<z.infer<typeof passwordHash>> | undefined;

  constructor(dataDir: string, options: OperatorStoreOptions = {}) {
    this.file = join(dataDir, operatorsFileName);
    this.cost = options.cost ?? defaultCost;
    this.guard = new LoginGuard(options.guard);
  }

  private read(): OperatorsFile {
    let stamp: string;
    try {
      const stat = statSync(this.file);
      stamp = `${stat.mtimeMs}:${stat.size}:${stat.ino}`;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, operators: {}, tokens: {} };
      throw err;
    }
    if (this.cached?.stamp === stamp) return this.cached.data;
    const parsed = operatorsFile.safeParse(JSON.parse(readFileSync(this.file, 'utf8')));
    if (!parsed.success)
      throw new ApiError(
        'E_OPERATORS_FILE',
        `${this.file} is not a valid operators file (${parsed.error.issues[0]?.message}); restore it from a backup or move it away to start over`,
      );
    this.cached = { stamp, data: parsed.data };
    return parsed.data;
  }

  private async write(change: (data: OperatorsFile) => void): Promise<void> {
    const data = structuredClone(this.read());
    change(data);
    await writeFileAtomic(this.file, JSON.stringify(data, null, 2) + '\n');
    this.cached = undefined;
  }

  hasOperators(): boolean {
    return Object.keys(this.read().operators).length > 0;
  }

  list(): OperatorInfo[] {
    return Object.values(this.read().operators)
      .map(({ name, role, createdAt }) => ({ name, role, createdAt }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  get(name: string): OperatorInfo | undefined {
    return this.list().find((operator) => operator.name === name);
  }

  async add(name: string, role: Role, password: string): Promise<OperatorInfo> {
    checkName(name);
    checkPassword(password);
    if (this.get(name)) throw new ApiError('E_OPERATOR_EXISTS', `operator ${name} exists already; pick another name, or use set-role / reset-password`);
    const hashed = await hashPassword(password, this.cost);
    const record = { name, role, password: hashed, createdAt: Date.now() };
    await this.write((data) => {
      data.operators[name] = record;
    });
    return { name, role, createdAt: record.createdAt };
  }

  async setRole(name: string, role: Role): Promise<void> {
    const operator = this.mustGet(name);
    if (operator.role === 'admin' && role !== 'admin') this.refuseLastAdmin(name, 'take the admin role from');
    await this.write((data) => {
      data.operators[name]!.role = role;
    });
  }

  async remove(name: string): Promise<void> {
    const operator = this.mustGet(name);
    if (operator.role === 'admin') this.refuseLastAdmin(name, 'remove');
    await this.write((data) => {
      delete data.operators[name];
    });
  }

  async resetPassword(name: string, password: string): Promise<void> {
    this.mustGet(name);
    checkPassword(password);
    const hashed = await hashPassword(password, this.cost);
    await this.write((data) => {
      data.operators[name]!.password = hashed;
    });
  }

  /**
   * Checks a sign-in from `source` (the client's address). Wrong name and wrong password answer
   * alike, after the same work; too many failures from this source answer E_RATE_LIMITED.
   */
  async verify(name: string, password: string, source: string): Promise<Caller> {
    const attempt = this.guard.begin(name, source);
    if (!attempt.allowed) {
      throw Object.assign(
        new ApiError('E_RATE_LIMITED', `too many failed sign-ins for ${name} from here; try again in ${Math.ceil(attempt.retryAfterMs / 1000)} s`),
        { retryAfterMs: attempt.retryAfterMs },
      );
    }
    let ok: boolean;
    let record: OperatorRecord | undefined;
    try {
      record = Object.hasOwn(this.read().operators, name) ? this.read().operators[name] : undefined;
      ok = await this.gate.run(async () => {
        if (!record) {
          this.decoy ??= hashPassword('not a password of anyone', this.cost);
          await verifyPassword(password, await this.decoy);
          return false;
        }
        return verifyPassword(password, record.password);
      });
    } catch (err) {
      attempt.abandoned();
      throw err;
    }
    if (!ok || !record) {
      attempt.failed();
      throw new ApiError('E_SIGN_IN', 'wrong name or password');
    }
    attempt.succeeded();
    return { name: record.name, role: record.role, via: 'session' };
  }

  /** Makes an API token; the secret is returned this once and only its SHA-256 is kept. */
  async createToken(name: string, role: Role, scope: TokenScope, createdBy: string): Promise<{ token: string; info: TokenInfo }> {
    checkName(name);
    if (this.listTokens().some((token) => token.name === name))
      throw new ApiError('E_TOKEN_EXISTS', `an API token named ${name} exists; revoke it first or pick another name`);
    const token = tokenPrefix + randomBytes(32).toString('base64url');
    const info = { name, role, scope, createdAt: Date.now(), createdBy };
    await this.write((data) => {
      data.tokens[name] = { ...info, sha256: sha256(token) };
    });
    return { token, info };
  }

  listTokens(): TokenInfo[] {
    return Object.values(this.read().tokens).map(({ name, role, scope, createdAt, createdBy }) => ({ name, role, scope, createdAt, createdBy }));
  }

  async revokeToken(name: string): Promise<void> {
    if (!Object.hasOwn(this.read().tokens, name)) throw new ApiError('E_NO_TOKEN', `no API token named ${name}; see the list of tokens`);
    await this.write((data) => {
      delete data.tokens[name];
    });
  }

  /** The token a presented secret belongs to, or undefined. */
  checkToken(secret: string): TokenInfo | undefined {
    if (!secret.startsWith(tokenPrefix)) return undefined;
    const digest = Buffer.from(sha256(secret), 'hex');
    for (const token of Object.values(this.read().tokens)) {
      if (timingSafeEqual(digest, Buffer.from(token.sha256, 'hex')))
        return { name: token.name, role: token.role, scope: token.scope, createdAt: token.createdAt, createdBy: token.createdBy };
    }
    return undefined;
  }

  private mustGet(name: string): OperatorInfo {
    const operator = this.get(name);
    if (!operator) throw new ApiError('E_NO_OPERATOR', `no operator named ${name}; signalbox operators list shows who exists`);
    return operator;
  }

  private refuseLastAdmin(name: string, action: string): void {
    if (this.list().filter((operator) => operator.role === 'admin').length <= 1) {
      throw new ApiError('E_LAST_ADMIN', `${name} is the last admin; make another operator admin before you ${action} ${name}`);
    }
  }
}

function checkName(name: string): void {
  const parsed = operatorName.safeParse(name);
  if (!parsed.success) throw new ApiError('E_BAD_NAME', `"${name}": ${parsed.error.issues[0]!.message}`);
}

function checkPassword(password: string): void {
  const problem = passwordProblem(password);
  if (problem) throw new ApiError('E_BAD_PASSWORD', problem);
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
