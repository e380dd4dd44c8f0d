// The module chain every query runs through, CoreDNS style: each module gets the query and the
// rest of the chain. The pipeline owns ordering and error isolation: a module that throws turns
// that one query into SERVFAIL, logged under the module's name; no query can crash the process.
import type { DnsTransport, QueryLogEntry } from '../api/dns.ts';
import type { Logger } from '../api/engine.ts';
import type { CookieVerdict } from './cookies.ts';
import { emptyResponse, Rcode, type ParsedQuery } from './wire.ts';

export interface QueryContext {
  /** The query as received. */
  readonly query: Buffer;
  readonly parsed: ParsedQuery;
  readonly client: { address: string; port: number };
  /** The listener's address the query came to. */
  readonly local: { address: string; port: number };
  readonly transport: DnsTransport;
  /** What the query's COOKIE option earned (RFC 7873): our answer's COOKIE and whether its server cookie was valid; null without one. */
  readonly cookie: CookieVerdict | null;
  /** The largest answer the client accepts (UDP: 512 or its EDNS size, capped; TCP: 65535). */
  readonly maxSize: number;
  /** performance.now() when the query arrived (latencies are measured from here). */
  readonly receivedAt: number;
  /** performance.now() by which the answer must be sent. */
  readonly deadline: number;
  /** What modules learned, for the query log and stats. */
  readonly meta: {
    upstream?: string;
    /** The zone of the route the query's name took (service.ts picks its chain by it). */
    route?: string;
    rrl?: 'slip' | 'drop';
    /** The rcode of the answer RRL slipped or dropped: what the client would have got. */
    limitedRcode?: number;
    /** The answer's rcode when it needs the OPT's upper bits (BADCOOKIE, RFC 7873 §8); the header holds the low 4. */
    extendedRcode?: number;
    flattened?: boolean;
    cache?: 'hit' | 'miss' | 'stale';
    /** The query log's entry, once recorded: the packet capture files the exchange under it. */
    logged?: QueryLogEntry;
  };
}

/** The wire answer, or null to send nothing (a dropped query). */
export type Answer = Buffer | null;
export type Next = (ctx: QueryContext) => Promise<Answer>;
/** The rest of the chain, asked to answer at once: undefined when it cannot without waiting. */
export type NextNow = (ctx: QueryContext) => Answer | undefined;

export interface DnsModule {
  readonly name: string;
  handle(ctx: QueryContext, next: Next): Promise<Answer> | Answer;
  /**
   * The fast path (a cache hit): answer synchronously, or return undefined, and the query goes
   * through `handle` as usual. Every module states it: null says it cannot answer at once, which
   * ends the fast path there (the modules before it then take the normal path).
   */
  readonly handleNow: ((ctx: QueryContext, next: NextNow) => Answer | undefined) | null;
}

class ModuleFailure extends Error {
  readonly module: string;
  override readonly cause: unknown;

  constructor(module: string, cause: unknown) {
    super(`${module}: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.module = module;
    this.cause = cause;
  }
}

/** One log line per module per this many ms; an outage must not flood the log at 10k q/s. */
const errorLogEveryMs = 1000;

export class Pipeline {
  readonly modules: readonly DnsModule[];
  private readonly log: Logger;
  private readonly onModuleError: (module: string) => void;
  /** Per module: when its last failure was logged, and how many were not logged since. */
  private readonly logged = new Map<string, { at: number; suppressed: number }>();
  /**
   * Per module, made once rather than per query: the rest of the chain after it (normal and fast
   * path), and what names it in a failure that comes out of it.
   */
  private readonly steps: Next[];
  private readonly nowSteps: NextNow[];
  private readonly blames: ((err: unknown) => never)[];

  constructor(modules: readonly DnsModule[], log: Logger, onModuleError: (module: string) => void = () => {}) {
    this.modules = modules;
    this.log = log;
    this.onModuleError = onModuleError;
    this.steps = modules.map((_, index) => (ctx: QueryContext) => this.step(index + 1, ctx));
    this.nowSteps = modules.map((_, index) => (ctx: QueryContext) => this.stepNow(index + 1, ctx));
    this.blames = modules.map((module) => (err: unknown) => {
      throw err instanceof ModuleFailure ? err : new ModuleFailure(module.name, err);
    });
  }

  run(ctx: QueryContext): Promise<Answer> {
    return this.step(0, ctx).then(undefined, (err: unknown) => {
      const failure = err instanceof ModuleFailure ? err : new ModuleFailure('pipeline', err);
      this.onModuleError(failure.module);
      this.logFailure(failure, ctx);
      return emptyResponse(ctx.query, ctx.parsed, Rcode.servFail);
    });
  }

  /**
   * The synchronous fast path: no promise, no await, for answers a module has at hand. Undefined
   * means "take the normal path"; so does a throw, which the normal path then isolates and logs.
   */
  runNow(ctx: QueryContext): Answer | undefined {
    try {
      return this.stepNow(0, ctx);
    } catch {
      return undefined;
    }
  }

  private stepNow(index: number, ctx: QueryContext): Answer | undefined {
    const module = this.modules[index];
    return module?.handleNow ? module.handleNow(ctx, this.nowSteps[index]!) : undefined;
  }

  private logFailure(failure: ModuleFailure, ctx: QueryContext): void {
    const now = performance.now();
    const last = this.logged.get(failure.module);
    if (last && now - last.at < errorLogEveryMs) {
      last.suppressed++;
      return;
    }
    this.log.error('module failed; answered SERVFAIL', {
      module: failure.module,
      error: failure.message,
      qname: ctx.parsed.name,
      qtype: ctx.parsed.type,
      ...(last?.suppressed ? { alsoFailedSinceLastLine: last.suppressed } : {}),
    });
    this.logged.set(failure.module, { at: now, suppressed: 0 });
  }

  /**
   * One module's turn. Not an async function on purpose: every query that misses the cache takes
   * this path once per module, and an async function's frame (its promise, generator object and
   * saved registers) was the largest allocation per miss (~2.9 KB, sampled), all of it garbage
   * the young-generation GC has to sweep at 10k q/s.
   */
  private step(index: number, ctx: QueryContext): Promise<Answer> {
    const module = this.modules[index];
    // Past the last module nobody answered: that is a server failure, not silence.
    if (!module) return Promise.resolve(emptyResponse(ctx.query, ctx.parsed, Rcode.servFail));
    let result: Promise<Answer> | Answer;
    try {
      result = module.handle(ctx, this.steps[index]!);
    } catch (err) {
      return Promise.reject(err instanceof ModuleFailure ? err : new ModuleFailure(module.name, err));
    }
    return result instanceof Promise ? result.then(undefined, this.blames[index]) : Promise.resolve(result);
  }
}
