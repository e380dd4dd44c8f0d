// How the chain builds forward (engine/dns/modules.ts): every pool a route leads to (the default
// one from the top-level upstreams, the system's resolvers when none are configured) and the
// route table. A new forward module keeps each pool of the one it replaces whose own options did
// not change (its health and counters); a replaced module is closed once the queries still on it
// are past their deadline (service.ts), and pools it shares stay open.
import { readFileSync } from 'node:fs';
import { defaultPool } from '../../../api/dns-routing.ts';
import type { DnsConfig } from '../../../api/dns.ts';
import type { ModuleSetup } from '../../modules.ts';
import { Forward } from './forward.ts';
import type { PoolOptions } from './pool.ts';
import { RouteTable } from './routes.ts';
import type { UpstreamOptions } from './upstream.ts';

/** The nameservers of /etc/resolv.conf, as ADDRESS:53: the default upstreams. */
export function systemResolvers(text = readFileSync('/etc/resolv.conf', 'utf8')): string[] {
  return [...text.matchAll(/^\s*nameserver\s+(\S+)/gm)].map(([, address]) => (address!.includes(':') ? `[${address}]:53` : `${address}:53`));
}

const upstreamOptions = (entry: DnsConfig['upstreams'][number]): UpstreamOptions => (typeof entry === 'string' ? { address: entry, weight: 1 } : entry);

/** The default pool's upstreams: as configured, else the system's resolvers. */
function defaultUpstreams(config: DnsConfig): UpstreamOptions[] {
  const configured = config.upstreams.map(upstreamOptions);
  // Routed elsewhere (a root route to another pool, none to default), it is never built: no need to read the file.
  const defaultUsed = !config.routes.some((route) => route.zone === '.') || config.routes.some((route) => route.pool === defaultPool);
  if (!defaultUsed || configured.length > 0) return configured;
  return systemResolvers().map((address) => ({ address, weight: 1 }));
}

/** Every pool by name: the default one (top-level keys) and those under `pools`. */
function poolsOf(config: DnsConfig): Record<string, PoolOptions> {
  const pools: Record<string, PoolOptions> = {
    [defaultPool]: { upstreams: defaultUpstreams(config), policy: config.policy, health: config.healthCheck, upstreamTimeoutMs: config.upstreamTimeoutMs },
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

export const forwardSetup: ModuleSetup<'forward', Forward, { pools: Record<string, PoolOptions>; routes: DnsConfig['routes'] }> = {
  section: (config) => ({ pools: poolsOf(config), routes: config.routes }),
  build: ({ pools, routes }, _parts, previous) => new Forward(pools, new RouteTable(routes), previous),
  stats: (forward) => ({
    upstreams: forward.stats(),
    pools: forward.poolStats(),
    routes: forward.routes.routes.map(({ zone, pool, cache, rrl }) => ({ zone, pool, cache, rrl })),
  }),
  close: (forward) => forward.close(),
};
