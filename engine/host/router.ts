// Routes validated API traffic: the host namespace is answered here, every other namespace by the
// engine process of that name (or all of its worker processes, their answers merged). Subscriptions to an engine outlive its restarts: they are attached
// again each time the engine reports ready.
import { ApiError, ErrorCode } from '../api/errors.ts';
import type { EngineName } from '../api/host.ts';
import { namespaceOf } from '../api/index.ts';
import { fanOutCall, fanOutSubscribe } from './fan-out.ts';
import { HealthWatch } from './health.ts';
import type { QueryLogFilter } from '../api/dns.ts';
import type { HistoryQuery, QueryStore } from './history/query-store.ts';
import type { OperatorAudit } from './operator-audit.ts';
import type { RpcHandler } from './rpc.ts';
import type { Supervisor } from './supervisor.ts';

/** How often the engine-state stream repeats itself so that uptimes and memory stay fresh. */
const snapshotEveryMs = 1000;

export interface HostInfo {
  version: string;
  startedAt: number;
  /** Engines the config leaves off, with the YAML that turns each on (shown by host.health). */
  disabled?: { name: EngineName; enable: string }[];
  /** Where operator actions are recorded; none in hosts that keep no record (some tests). */
  audit?: OperatorAudit;
  /** The DNS query history, when the DNS engine runs. */
  history?: QueryStore;
}

/** Who a connection's calls are recorded as, when the transport does not say (the desktop app). */
export const defaultActor = 'desktop app';

/** The router as one connection sees it: its audited calls are recorded as `actor`. */
export function asActor(router: HostRouter, actor: string): RpcHandler {
  return { call: (method, params) => router.callAs(method, params, actor), subscribe: router.subscribe };
}

type ActorCall = (method: string, params: unknown, actor: string) => Promise<unknown>;

/** The host's router: `call` records audited actions as the desktop app, `callAs` as whom it is told. */
export type HostRouter = RpcHandler & { callAs: ActorCall };

export function createRouter(supervisor: Supervisor, info: HostInfo): HostRouter {
  const unavailable = (name: string) => {
    if (!supervisor.has(name)) {
      return new ApiError(ErrorCode.engineUnavailable, `the ${name} engine is not enabled in this host's config`);
    }
    const state = supervisor.snapshot().engines.find((engine) => engine.name === name);
    return new ApiError(ErrorCode.engineUnavailable, `the ${name} engine is ${state?.status ?? 'not running'}; try again in a moment`);
  };

  // Health calls the engines as any client does (the DNS engine's workers merged).
  const health = new HealthWatch(supervisor, (method, params) => router.call(method, params), info.disabled ?? []);

  const host: Record<string, (params: never) => unknown> = {
    'host.health': () => health.now(),
    'host.audit': async ({ limit, beforeSeq }: { limit: number; beforeSeq?: number }) => {
      if (!info.audit) throw new ApiError(ErrorCode.engineUnavailable, 'this host keeps no operator audit log');
      return { entries: await info.audit.read(limit, beforeSeq), check: info.audit.check };
    },
    'host.queryHistory': (request: HistoryQuery & { filter: QueryLogFilter }) => {
      if (!info.history) throw new ApiError(ErrorCode.engineUnavailable, 'this host keeps no query history: the DNS engine is not enabled in its config');
      // What is still waiting for its write is part of the history too.
      info.history.flush();
      return { ...info.history.search(request), top: info.history.top(request, 10) };
    },
    'host.info': () => ({ version: info.version, node: process.versions.node, platform: process.platform, startedAt: info.startedAt }),
    'host.engines': () => supervisor.snapshot(),
    'host.restartEngine': async ({ name }: { name: EngineName }) => {
      if (!supervisor.has(name)) throw unavailable(name);
      await supervisor.restart(name);
      return { ok: true };
    },
    'host.upgradeEngine': async ({ name }: { name: EngineName }) => {
      if (!supervisor.has(name)) throw unavailable(name);
      return supervisor.upgrade(name);
    },
  };

  const callAs: ActorCall = (method, params, actor) => {
    const audit = info.audit;
    if (!audit?.covers(method)) return call(method, params);
    return audit.around(method, params, actor, () => call(method, params), (read) => call(read, {}));
  };

  const call = async (method: string, params: unknown): Promise<unknown> => {
    const local = host[method];
    if (local) return local(params as never);
    const engine = namespaceOf(method);
    const workers = supervisor.workerClients(engine);
    if (!workers.some((client) => client)) throw unavailable(engine);
    const result = workers.length > 1 ? await fanOutCall(method, params, workers) : await workers[0]!.call(method, params);
    // A config applied live must survive the engine's next restart (a crash included).
    if (method === `${engine}.configSet`) supervisor.setConfig(engine as EngineName, (result as { config: unknown }).config);
    return result;
  };

  const router: HostRouter = {
    call: (method, params) => callAs(method, params, defaultActor),
    callAs,

    subscribe(stream, params, emit, end) {
      if (stream === 'host.watchHealth') return health.watch(emit);
      if (stream === 'host.watchEngines') {
        let queued = false;
        const send = () => {
          if (queued) return;
          queued = true;
          // Changes that happen together (exit, then crash record) go out as one snapshot.
          setImmediate(() => {
            queued = false;
            emit(supervisor.snapshot());
          });
        };
        send();
        supervisor.on('change', send);
        const timer = setInterval(send, snapshotEveryMs);
        return () => {
          supervisor.off('change', send);
          clearInterval(timer);
        };
      }

      const engine = namespaceOf(stream);
      if (!supervisor.has(engine)) throw unavailable(engine);
      let detach: (() => void) | undefined;
      // E_CLOSED means the engine went away: keep the subscription and attach on restart.
      const ended = (error?: ApiError) => {
        if (error && error.code !== ErrorCode.closed) end(error);
      };
      const attach = () => {
        detach?.();
        const clients = supervisor.clients(engine);
        detach = clients.length > 1 ? fanOutSubscribe(stream, params, clients, emit, ended) : clients[0]?.subscribe(stream, params, emit, ended);
      };
      const onReady = (name: EngineName) => {
        if (name === engine) attach();
      };
      attach();
      supervisor.on('ready', onReady);
      return () => {
        supervisor.off('ready', onReady);
        detach?.();
      };
    },
  };
  return router;
}
