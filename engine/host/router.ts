// Routes validated API traffic: the host namespace is answered here, every other namespace by the
// engine process of that name (or all of its worker processes, their answers merged). Subscriptions to an engine outlive its restarts: they are attached
// again each time the engine reports ready.
import { ApiError, ErrorCode } from '../api/errors.ts';
import type { EngineName } from '../api/host.ts';
import { hostCaller, type Caller } from '../api/identity.ts';
import { namespaceOf } from '../api/index.ts';
import { fanOutCall, fanOutSubscribe } from './fan-out.ts';
import { HealthWatch } from './health.ts';
import type { QueryLogFilter } from '../api/dns.ts';
import type { HistoryExportFormat } from '../api/host.ts';
import type { HistoryExports } from './history/exports.ts';
import type { HistoryStore } from './history/history-store.ts';
import type { HistoryTable, RequestSearch } from './history/schema.ts';
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
  /** The history of DNS queries and Railgun requests, when either engine runs, and its exports. */
  history?: { store: HistoryStore; exports: HistoryExports };
  /** Why there is no history, when there is none. */
  historyOff?: string;
}

/**
 * How an audit entry names who acted: the operator (or API token) and, for a console session, its
 * connection; the desktop app's own user and the host itself by what they are.
 */
export function actorOf(caller: Caller, connection?: string): string {
  if (caller.via === 'desktop') return 'desktop app';
  if (caller.via === 'host') return 'host';
  const kind = caller.via === 'session' ? 'console session' : 'API token';
  return `${caller.name} (${kind}${connection ? ` ${connection}` : ''})`;
}

/** The router as one connection sees it: its audited calls name the caller and the connection. */
export function asConnection(router: HostRouter, connection: string): RpcHandler {
  return {
    call: (method, params, caller) => router.callAs(method, params, caller, actorOf(caller, connection)),
    subscribe: (stream, params, emit, end, caller) => router.subscribe(stream, params, emit, end, caller),
  };
}

/**
 * The host's router is an RpcHandler whose caller may be left out by in-process callers (metrics,
 * tests): such a call is the host's own (hostCaller). Transports always say who calls. `callAs`
 * also says how the audit log names the one who acted.
 */
export interface HostRouter extends RpcHandler {
  call(method: string, params: unknown, caller?: Caller): Promise<unknown>;
  callAs(method: string, params: unknown, caller: Caller, actor: string): Promise<unknown>;
  subscribe(stream: string, params: unknown, emit: (data: unknown) => void, end: (error?: ApiError) => void, caller?: Caller): () => void;
}

/** Host procedures answered in this process besides the engine ones (the operators namespace). */
export type LocalProcedures = Record<string, (params: never, caller: Caller) => unknown>;

export function createRouter(supervisor: Supervisor, info: HostInfo, more: LocalProcedures = {}): HostRouter {
  const unavailable = (name: string) => {
    if (!supervisor.has(name)) {
      return new ApiError(ErrorCode.engineUnavailable, `the ${name} engine is not enabled in this host's config`);
    }
    const state = supervisor.snapshot().engines.find((engine) => engine.name === name);
    return new ApiError(ErrorCode.engineUnavailable, `the ${name} engine is ${state?.status ?? 'not running'}; try again in a moment`);
  };

  // Health calls the engines as any client does (the DNS engine's workers merged).
  const health = new HealthWatch(supervisor, (method, params) => router.call(method, params), info.disabled ?? []);

  const keptHistory = () => {
    if (!info.history) throw new ApiError(ErrorCode.engineUnavailable, `this host keeps no history: ${info.historyOff ?? 'none was opened'}`);
    return info.history;
  };

  // Host procedures get the caller too (the operator to name in an audit entry).
  const host: Record<string, (params: never, caller: Caller) => unknown> = {
    'host.health': () => health.now(),
    'host.audit': async ({ limit, beforeSeq }: { limit: number; beforeSeq?: number }) => {
      if (!info.audit) throw new ApiError(ErrorCode.engineUnavailable, 'this host keeps no operator audit log');
      return { entries: await info.audit.read(limit, beforeSeq), check: info.audit.check };
    },
    'host.queryHistory': async (request: { since: number; until?: number; filter: QueryLogFilter; limit: number; buckets: number }) => {
      const { store } = keptHistory();
      const until = request.until ?? Date.now();
      const search = { since: request.since, until, filter: request.filter };
      // Whole seconds, as the live chart's: at least 1 s, else the range over `buckets`.
      const bucketMs = Math.max(1000, Math.ceil((until - request.since) / request.buckets / 1000) * 1000);
      // What still waits for its batch is part of the history too.
      await store.flush();
      const [found, top, points] = await Promise.all([
        store.searchQueries(search, request.limit),
        store.topQueries(search, 10),
        store.chartQueries(search, bucketMs),
      ]);
      return { ...found, top, chart: { bucketMs, points }, dropped: store.dropped };
    },
    'host.requestHistory': async ({ limit, ...search }: RequestSearch & { limit: number }) => {
      const { store } = keptHistory();
      await store.flush();
      return store.searchRequests(search, limit);
    },
    'host.historyExport': async ({
      table,
      format,
      ...search
    }: RequestSearch & { table: HistoryTable; filter: QueryLogFilter; format: HistoryExportFormat }) => {
      const { store, exports } = keptHistory();
      await store.flush();
      return exports.start(table, { ...search, until: search.until ?? Date.now() }, format);
    },
    'host.historyExportStatus': ({ job }: { job: string }) => keptHistory().exports.status(job),
    'host.historyExportRead': ({ job, offset }: { job: string; offset: number }) => keptHistory().exports.read(job, offset),
    'host.historyExportCancel': ({ job }: { job: string }) => keptHistory().exports.cancel(job),
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
    ...more,
  };

  const callAs = (method: string, params: unknown, caller: Caller, actor: string): Promise<unknown> => {
    const audit = info.audit;
    if (!audit?.covers(method)) return call(method, params, caller);
    return audit.around(
      method,
      params,
      actor,
      () => call(method, params, caller),
      (read) => call(read, {}, caller),
    );
  };

  const call = async (method: string, params: unknown, caller: Caller): Promise<unknown> => {
    const local = host[method];
    if (local) return local(params as never, caller);
    const engine = namespaceOf(method);
    const workers = supervisor.workerClients(engine);
    if (!workers.some((client) => client)) throw unavailable(engine);
    // The engine gets the operator the call is made for (the vault names them in its audit log).
    const result = workers.length > 1 ? await fanOutCall(method, params, workers, caller) : await workers[0]!.call(method, params, undefined, caller);
    // A config applied live must survive the engine's next restart (a crash included).
    if (method === `${engine}.configSet`) supervisor.setConfig(engine as EngineName, (result as { config: unknown }).config);
    return result;
  };

  const router: HostRouter = {
    call: (method, params, caller = hostCaller) => callAs(method, params, caller, actorOf(caller)),
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
