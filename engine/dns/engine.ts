// The DNS engine: listeners, the module pipeline and the dns.* procedures.
import { readFileSync } from 'node:fs';
import { dnsConfig } from '../api/dns.ts';
import type { EngineDefinition, RunningEngine } from '../api/engine.ts';
import { ApiError } from '../api/errors.ts';
import { Cache } from './modules/cache/cache.ts';
import { Flatten } from './modules/flatten/flatten.ts';
import { Forward } from './modules/forward/forward.ts';
import { QueryLog } from './modules/querylog/querylog.ts';
import { ResponseRateLimit } from './modules/rrl/rrl.ts';
import { Pipeline } from './pipeline.ts';
import { DnsServer } from './server.ts';

/** The nameservers of /etc/resolv.conf, as ADDRESS:53: the default upstreams. */
export function systemResolvers(text = readFileSync('/etc/resolv.conf', 'utf8')): string[] {
  return [...text.matchAll(/^\s*nameserver\s+(\S+)/gm)].map(([, address]) => (address!.includes(':') ? `[${address}]:53` : `${address}:53`));
}

export const dnsEngine: EngineDefinition = {
  name: 'dns',
  async start(ctx): Promise<RunningEngine> {
    const config = dnsConfig.parse(ctx.config ?? {});
    const configured = config.upstreams.map((entry) => (typeof entry === 'string' ? { address: entry, weight: 1 } : entry));
    const upstreams = configured.length > 0 ? configured : systemResolvers().map((address) => ({ address, weight: 1 }));
    const moduleErrors: Record<string, number> = {};
    let servfail = 0;
    const forward = new Forward({ upstreams, upstreamTimeoutMs: config.upstreamTimeoutMs, policy: config.policy, health: config.healthCheck });
    const { enabled: cacheEnabled, ...cacheOptions } = config.cache;
    const cache = cacheEnabled ? new Cache(cacheOptions) : null;
    const { enabled: rrlEnabled, ...rrlOptions } = config.rrl;
    const rrl = rrlEnabled ? new ResponseRateLimit(rrlOptions) : null;
    const flatten = config.flatten.names.length > 0 ? new Flatten(config.flatten) : null;
    const querylog = new QueryLog(config.querylog);
    const modules = [querylog, rrl, cache, flatten, forward].filter((module) => module !== null);
    const pipeline = new Pipeline(modules, ctx.log, (module) => {
      moduleErrors[module] = (moduleErrors[module] ?? 0) + 1;
      servfail++;
    });
    const server = new DnsServer({
      listen: config.listen,
      queryTimeoutMs: config.queryTimeoutMs,
      tcpIdleTimeoutMs: config.tcp.idleTimeoutMs,
      tcpMaxConnections: config.tcp.maxConnections,
      resolve: (query) => pipeline.run(query),
    });
    await server.start();
    ctx.log.info('dns engine listening', { listen: server.listening.map((l) => `${l.transport}/${l.address}`), upstreams: upstreams.map((u) => u.address) });
    return {
      procedures: {
        'dns.stats': () => ({
          ...server.counters,
          servfail,
          moduleErrors: { ...moduleErrors },
          cache: cache?.stats() ?? null,
          rrl: rrl?.stats() ?? null,
          listening: [...server.listening],
          upstreams: forward.stats(),
        }),
        'dns.recentQueries': ({ filter, limit }) => ({ entries: querylog.recent(filter ?? {}, limit ?? 500) }),
        'dns.top': ({ limit }) => querylog.top(limit ?? 10),
        'dns.setUpstream': ({ address, enabled }) => {
          if (!forward.setEnabled(address, enabled)) throw new ApiError('E_DNS_UNKNOWN_UPSTREAM', `no upstream ${address}; the upstreams are ${upstreams.map((u) => u.address).join(', ')}`);
          return { ok: true as const };
        },
        'dns.cacheFlush': ({ name }) => ({ removed: cache?.flush(name) ?? 0 }),
      },
      streams: {
        'dns.queryLog': (filter, emit) => querylog.subscribe(filter, emit),
      },
      async stop() {
        await server.stop();
        querylog.close();
        forward.close();
      },
    };
  },
};
