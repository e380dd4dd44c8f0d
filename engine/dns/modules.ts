// Builds the module chain from a config. On a reload, a module whose config section did not change
// is kept as it is (the cache keeps its entries, forward its health state, rrl its accounts); only
// changed modules are built anew (and the cache too when flatten or the routes changed, see below).
// A new forward module still keeps each pool whose own options did not change.
import { defaultPool } from '../api/dns-routing.ts';
import type { DnsConfig } from '../api/dns.ts';
import { Cache } from './modules/cache/cache.ts';
import { Flatten } from './modules/flatten/flatten.ts';
import { Forward } from './modules/forward/forward.ts';
import type { PoolOptions } from './modules/forward/pool.ts';
import { RouteTable } from './modules/forward/routes.ts';
import type { UpstreamOptions } from './modules/forward/upstream.ts';
import { ResponseRateLimit } from './modules/rrl/rrl.ts';

export interface Modules {
  forward: Forward;
  cache: Cache | null;
  rrl: ResponseRateLimit | null;
  flatten: Flatten | null;
}

const upstreamOptions = (entry: DnsConfig['upstreams'][number]): UpstreamOptions => (typeof entry === 'string' ? { address: entry, weight: 1 } : entry);

/** Every pool by name: the default one (top-level keys, `upstreams` as resolved) and those under `pools`. */
function poolsOf(config: DnsConfig, defaultUpstreams: UpstreamOptions[]): Record<string, PoolOptions> {
  const pools: Record<string, PoolOptions> = {
    [defaultPool]: { upstreams: defaultUpstreams, policy: config.policy, health: config.healthCheck, upstreamTimeoutMs: config.upstreamTimeoutMs },
  };
  for (const [name, pool] of Object.entries(config.pools)) {
    pools[name] = {
      upstreams: pool.upstreams.map(upstreamOptions),
      policy: pool.policy,
      health: pool.healthCheck,
      upstreamTimeoutMs: config.upstreamTimeoutMs,
    };
  }
  return pools;
}

/** The config each module is built from; equal sections mean the module can be kept. */
function sections(config: DnsConfig, upstreams: UpstreamOptions[]) {
  return {
    forward: { pools: poolsOf(config, upstreams), routes: config.routes },
    cache: config.cache,
    rrl: config.rrl,
    flatten: config.flatten,
    routes: config.routes,
  };
}

export function buildModules(
  config: DnsConfig,
  upstreams: UpstreamOptions[],
  previous?: { config: DnsConfig; upstreams: UpstreamOptions[]; modules: Modules },
): Modules {
  const next = sections(config, upstreams);
  const before = previous && sections(previous.config, previous.upstreams);
  const same = (key: keyof typeof next) => before !== undefined && JSON.stringify(before[key]) === JSON.stringify(next[key]);
  const { enabled: cacheEnabled, ...cacheOptions } = config.cache;
  const { enabled: rrlEnabled, ...rrlOptions } = config.rrl;
  return {
    forward: same('forward') ? previous!.modules.forward : new Forward(next.forward.pools, new RouteTable(config.routes), previous?.modules.forward),
    // The cache holds answers as flatten shaped them and as the routes' pools gave them: new flatten rules or routes need an empty cache.
    cache: same('cache') && same('flatten') && same('routes') ? previous!.modules.cache : cacheEnabled ? new Cache(cacheOptions) : null,
    rrl: same('rrl') ? previous!.modules.rrl : rrlEnabled ? new ResponseRateLimit(rrlOptions) : null,
    flatten: same('flatten') ? previous!.modules.flatten : config.flatten.names.length > 0 || config.flatten.apex ? new Flatten(config.flatten) : null,
  };
}
