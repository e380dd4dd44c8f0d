// The DNS engine as the host sees it: starts a DnsService from its config section and answers the
// dns.* procedures and streams with it.
import { dnsConfig, type DnsConfig } from '../api/dns.ts';
import type { EngineDefinition, RunningEngine } from '../api/engine.ts';
import { ApiError } from '../api/errors.ts';
import { cacheSetup } from './modules/cache/setup.ts';
import { decodeMessage } from './modules/querylog/decode.ts';
import { encodePcap } from './modules/querylog/pcap.ts';
import type { PassedAnswer } from './server.ts';
import { DnsService } from './service.ts';

export { systemResolvers } from './modules/forward/setup.ts';

export const dnsEngine: EngineDefinition = {
  name: 'dns',
  async start(ctx): Promise<RunningEngine> {
    const service = new DnsService(dnsConfig.parse(ctx.config ?? {}), ctx.log, ctx.passOn, ctx.worker, ctx.dataDir);
    await service.start();
    return {
      procedures: {
        'dns.stats': () => service.stats(),
        'dns.recentQueries': ({ filter, limit }) => ({ entries: service.querylog.recent(filter ?? {}, limit ?? 500) }),
        'dns.top': ({ limit }) => service.querylog.top(limit ?? 10),
        'dns.history': ({ seconds }) => ({ seconds: service.traffic.history(seconds ?? 300) }),
        'dns.setUpstream': ({ address, enabled, pool }) => {
          if (!service.modules.forward.setEnabled(address, enabled, pool)) {
            const where = pool === undefined ? '' : ` in pool ${pool}`;
            const known = service.modules.forward.stats().map((u) => `${u.address} (pool ${u.pool})`);
            throw new ApiError('E_DNS_UNKNOWN_UPSTREAM', `no upstream ${address}${where}; the upstreams are ${known.join(', ')}`);
          }
          return { ok: true as const };
        },
        'dns.cacheFlush': ({ name }) => ({ removed: service.modules.cache?.flush(name) ?? 0 }),
        'dns.configGet': () => ({ config: service.config }),
        'dns.configSet': async ({ config }) => {
          try {
            const { listenersChanged } = await service.apply(dnsConfig.parse(config));
            return { config: service.config, listenersChanged };
          } catch (err) {
            throw new ApiError('E_DNS_CONFIG_REJECTED', `config not applied, the old one still runs: ${err instanceof Error ? err.message : String(err)}`);
          }
        },
        'dns.packet': ({ seq }) => {
          const exchange = service.capture.get(seq);
          if (!exchange)
            throw new ApiError('E_DNS_NOT_CAPTURED', `query ${seq} is no longer in the capture (it keeps the last ${service.config.querylog.capture} queries)`);
          return { entry: exchange.entry, query: decodeMessage(exchange.query), answer: exchange.reply && decodeMessage(exchange.reply) };
        },
        'dns.pcap': ({ limit }) => {
          const exchanges = service.capture.last(limit ?? 1000);
          const stamp = new Date().toISOString().replace(/[:.]/g, '-');
          return {
            fileName: `signalbox-dns-${stamp}.pcap`,
            base64: encodePcap(exchanges).toString('base64'),
            packets: exchanges.reduce((count, exchange) => count + (exchange.reply ? 2 : 1), 0),
          };
        },
      },
      streams: {
        'dns.queryLog': (filter, emit) => service.querylog.subscribe(filter, emit),
        'dns.seconds': (_params, emit) => service.traffic.subscribe(emit),
      },
      handover: {
        probe: () => service.probe(),
        // Carried over rather than re-warmed: the new process answers hits at once and the
        // upstreams see no burst of misses; the entries are wire bytes, which no code change alters.
        exportState: async () => ({ cache: (await service.modules.cache?.exportSnapshot()) ?? null, shapedBy: cacheShape(service.config) }),
        importState: async (state) => {
          const { cache: snapshot, shapedBy } = (state ?? {}) as { cache?: Uint8Array | null; shapedBy?: string };
          // The entries are answers as the old cache and flatten config shaped them (as in a reload, modules.ts).
          if (shapedBy !== cacheShape(service.config)) {
            ctx.log.info('dns cache not carried over: the cache or flatten config changed, so it starts empty');
            return;
          }
          const taken = snapshot && service.modules.cache ? await service.modules.cache.importSnapshot(snapshot) : 0;
          ctx.log.info('dns cache carried over from the previous process', { entries: taken, bytes: snapshot?.byteLength ?? 0 });
        },
        drain: (timeoutMs) => service.drain(timeoutMs),
        takeOver: (work) => {
          if (!service.takeOver(work as PassedAnswer))
            ctx.log.warn('an answer passed on by the previous process had no listener here', { listen: (work as PassedAnswer).listen });
        },
      },
      stop: () => service.stop(),
    };
  },
};

/** What shapes the cache's entries (its config and flatten's): a new process takes the old one's cache only if this is unchanged. */
function cacheShape(config: DnsConfig): string {
  return JSON.stringify(cacheSetup.section(config));
}
