// The Railgun engine process: runs the ends its config asks for, keeps the savings across
// restarts of the ends, and answers the console.
import { ApiError } from '../api/errors.ts';
import type { EngineDefinition, RunningEngine } from '../api/engine.ts';
import { railgunConfig, type LinkState, type RailgunConfig, type RailgunStatus } from '../api/railgun.ts';
import { startEnds, type Ends } from './ends.ts';
import { SavingsBook } from './savings.ts';
import { redactedUrl } from './shared-store.ts';

const stoppedLink: LinkState = {
  state: 'stopped',
  address: null,
  rttMs: null,
  upSince: null,
  reconnects: 0,
  socketBytesSent: 0,
  socketBytesReceived: 0,
  lastError: null,
};

export const railgunEngine: EngineDefinition = {
  name: 'railgun',
  async start(ctx): Promise<RunningEngine> {
    let config = railgunConfig.parse(ctx.config ?? {});
    const book = new SavingsBook();
    let ends: Ends | null = null;
    let error: string | null = null;

    const apply = async (next: RailgunConfig) => {
      await ends?.stop();
      ends = null;
      error = null;
      config = next;
      if (!next.running) return;
      try {
        ends = await startEnds(next, book, ctx.dataDir, ctx.log);
      } catch (err) {
        error = (err as Error).message;
        ctx.log.error('railgun: the ends could not start', { role: next.role, error });
        throw err;
      }
    };
    await apply(config).catch(() => undefined);

    const status = (): RailgunStatus => {
      const store = ends?.sender?.store ?? ends?.listener?.store;
      return {
        since: book.since,
        role: config.role,
        running: ends !== null,
        error,
        origin: config.role === 'sender' ? null : config.origin,
        senderAddress: ends?.sender?.address ?? null,
        listenerAddress: ends?.listener?.address ?? null,
        link:
          ends?.link?.state ??
          (ends?.listener ? { ...stoppedLink, state: ends.listener.sessions > 0 ? 'up' : 'down', address: ends.listener.address } : stoppedLink),
        totals: { ...book.totals, errorsByKind: { ...book.totals.errorsByKind } },
        store: store?.stats ?? { keys: 0, versions: 0, bytes: 0 },
        clients: ends?.sender?.clients ?? {
          open: 0,
          refusedFull: 0,
          refusedPerAddress: 0,
          closedUnanswered: 0,
          headerTimeouts: 0,
          refusedBusy: 0,
          bodyBytes: 0,
          bufferedBytes: 0,
        },
      };
    };

    return {
      procedures: {
        'railgun.status': status,
        'railgun.urls': ({ limit }) => ({ urls: book.urls(limit ?? 1000) }),
        'railgun.history': ({ seconds }) => ({ seconds: book.history(seconds ?? 300) }),
        'railgun.configGet': () => ({ config: shown(config) }),
        'railgun.configSet': async (request) => {
          const next = keptSecret(railgunConfig.parse(request.config), config);
          const previous = config;
          // Only the limits changed: the ends keep running and keep their versions.
          if (ends && sameExceptLimits(previous, next)) {
            ends.sender?.setLimits(next.limits, next.clients);
            ends.listener?.setLimits(next.limits);
            config = next;
            return { config: shown(config) };
          }
          try {
            await apply(next);
          } catch (err) {
            await apply(previous).catch(() => undefined);
            throw new ApiError('E_RAILGUN_CONFIG_REJECTED', `the ends could not start with this config: ${(err as Error).message}`);
          }
          return { config: shown(config) };
        },
      },
      streams: {
        'railgun.seconds': (_params, emit) => book.subscribeSeconds(emit),
        'railgun.requests': (_params, emit) => book.subscribeRequests(emit),
      },
      async stop() {
        await ends?.stop();
        book.close();
      },
    };
  },
};

/** The config as the console sees it: a Redis password never leaves the engine (`redis://:***@host`). */
function shown(config: RailgunConfig): RailgunConfig {
  return config.store.kind === 'redis' ? { ...config, store: { ...config.store, url: redactedUrl(config.store.url) } } : config;
}

/** A config the console sent back with the password still hidden keeps the running one's password. */
function keptSecret(next: RailgunConfig, running: RailgunConfig): RailgunConfig {
  if (next.store.kind !== 'redis' || running.store.kind !== 'redis' || next.store.url !== redactedUrl(running.store.url)) return next;
  return { ...next, store: { ...next.store, url: running.store.url } };
}

function sameExceptLimits(a: RailgunConfig, b: RailgunConfig): boolean {
  return JSON.stringify({ ...a, limits: null, clients: null }) === JSON.stringify({ ...b, limits: null, clients: null });
}
