// forward: sends the query to the pool its route names and returns that pool's answer. The route
// is looked up again for every query that reaches here, by its own name: a CNAME target flatten
// chases is asked of the pool of the target's zone, not of the name the client asked.
import type { DnsModule, QueryContext } from '../../pipeline.ts';
import { Pool, type PoolOptions, type PoolStats } from './pool.ts';
import type { RouteTable } from './routes.ts';
import type { ForwardTap, UpstreamStats } from './upstream.ts';

export class Forward implements DnsModule {
  /** Asks an upstream: never at once. */
  readonly handleNow = null;
  readonly name = 'forward';
  readonly routes: RouteTable;
  private readonly pools = new Map<string, Pool>();
  /** Each pool's options as built, to tell on the next config change whether it can be kept. */
  private readonly built = new Map<string, string>();

  /**
   * `pools`: by name, every pool a route names (the config check made sure each exists).
   * `previous`: the module this one replaces; a pool whose options did not change is shared with
   * it rather than built again, so one pool's change leaves the others' health and counters alone.
   */
  constructor(pools: Record<string, PoolOptions>, routes: RouteTable, previous?: Forward) {
    this.routes = routes;
    const used = new Set(routes.routes.map((route) => route.pool));
    // A pool no route leads to would only send health probes: it is not built.
    for (const [name, options] of Object.entries(pools)) {
      if (!used.has(name)) continue;
      const key = JSON.stringify(options);
      const kept = previous?.built.get(name) === key ? previous.pools.get(name) : undefined;
      this.pools.set(name, (kept ?? new Pool({ ...options, name })).retain());
      this.built.set(name, key);
    }
  }

  handle(ctx: QueryContext): Promise<Buffer | null> {
    return this.pools.get(this.routes.match(ctx.query).pool)!.resolve(ctx);
  }

  /** Takes an upstream out of rotation or back, in one pool or (no pool named) in every pool it is in; false when there is none. */
  setEnabled(address: string, enabled: boolean, pool?: string): boolean {
    let found = false;
    for (const each of this.pools.values()) if ((pool === undefined || each.name === pool) && each.setEnabled(address, enabled)) found = true;
    return found;
  }

  /** Tells `tap` of every upstream exchange from now on (null: nobody). */
  setTap(tap: ForwardTap | null): void {
    for (const pool of this.pools.values()) pool.setTap(tap);
  }

  stats(): UpstreamStats[] {
    return [...this.pools.values()].flatMap((pool) => pool.stats());
  }

  poolStats(): PoolStats[] {
    return [...this.pools.values()].map((pool) => pool.poolStats());
  }

  /** Lets go of its pools; those a newer module shares stay open for it. */
  close(): void {
    for (const pool of this.pools.values()) pool.release();
  }
}
