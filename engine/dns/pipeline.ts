// The module chain every query runs through, CoreDNS style: each module gets the query and the
// rest of the chain. The pipeline owns ordering and error isolation: a module that throws turns
// that one query into SERVFAIL, logged under the module's name; no query can crash the process.
import type { Logger } from '../api/engine.ts';
import { emptyResponse, Rcode, type ParsedQuery } from './wire.ts';

export interface QueryContext {
  /** The query as received. */
  readonly query: Buffer;
  readonly parsed: ParsedQuery;
  readonly client: { address: string; port: number };
  /** The listener's address the query came to. */
  readonly local: { address: string; port: number };
  readonly transport: 'udp' | 'tcp';
  /** The largest answer the client accepts (UDP: 512 or its EDNS size, capped; TCP: 65535). */
  readonly maxSize: number;
  /** performance.now() when the query arrived (latencies are measured from here). */
  readonly receivedAt: number;
  /** performance.now() by which the answer must be sent. */
  readonly deadline: number;
  /** What modules learned, for the query log and stats. */
  readonly meta: { upstream?: string; rrl?: 'slip' | 'drop'; flattened?: boolean; cache?: 'hit' | 'miss' | 'stale'; seq?: number };
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
   * Optional fast path (a cache hit): answer synchronously, or return undefined, and the query
   * goes through `handle` as usual. A module without it ends the fast path.
   */
  handleNow?(ctx: QueryContext, next: NextNow): Answer | undefined;
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
  /** The fast path's "rest of the chain" after each module, made once rather than per query. */
  private readonly nowSteps: NextNow[];

  constructor(modules: readonly DnsModule[], log: Logger, onModuleError: (module: string) => void = () => {}) {
    this.modules = modules;
    this.log = log;
    this.onModuleError = onModuleError;
    this.nowSteps = modules.map((_, index) => (ctx: QueryContext) => this.stepNow(index + 1, ctx));
  }

  async run(ctx: QueryContext): Promise<Answer> {
    try {
      return await this.step(0, ctx);
    } catch (err) {
      const failure = err instanceof ModuleFailure ? err : new ModuleFailure('pipeline', err);
      this.onModuleError(failure.module);
      this.logFailure(failure, ctx);
      return emptyResponse(ctx.query, ctx.parsed, Rcode.servFail);
    }
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

  private async step(index: number, ctx: QueryContext): Promise<Answer> {
    const module = this.modules[index];
    // Past the last module nobody answered: that is a server failure, not silence.
    if (!module) return emptyResponse(ctx.query, ctx.parsed, Rcode.servFail);
    try {
      return await module.handle(ctx, (next) => this.step(index + 1, next));
    } catch (err) {
      throw err instanceof ModuleFailure ? err : new ModuleFailure(module.name, err);
    }
  }
}
