// The engine host as both `serve` and the Electron main process use it: a supervisor running the
// enabled engines and the router that answers the API on top of it.
import { mkdirSync } from 'node:fs';
import type { Logger } from '../api/engine.ts';
import { operatorProcedures, type OperatorProcedures } from './operators/procedures.ts';
import { SessionStore, type SessionLimits } from './operators/sessions.ts';
import { OperatorStore, type OperatorStoreOptions } from './operators/store.ts';
import type { EngineName } from '../api/host.ts';
import type { Config } from './config.ts';
import { isAvailableEngine } from './registry.ts';
import type { QueryLogEntry } from '../api/dns.ts';
import type { RailgunRequest } from '../api/railgun.ts';
import { HistoryExports } from './history/exports.ts';
import { serveHistorySocket } from './history/history-socket.ts';
import { HistoryStore } from './history/history-store.ts';
import { OperatorAudit } from './operator-audit.ts';
import { createRouter, type HostRouter, type LocalProcedures } from './router.ts';
import { Supervisor } from './supervisor.ts';

export interface Host {
  supervisor: Supervisor;
  router: HostRouter;
  /** Operator accounts and API tokens (operators.json), and console sessions, of this data folder. */
  operators: OperatorStore;
  sessions: SessionStore;
  stop(): Promise<void>;
}

export interface HostOptions {
  config: Config;
  dataDir: string;
  version: string;
  log: Logger;
  /** The engine-process script, where it is not beside the supervisor (the Electron bundle). */
  engineEntry?: string;
  /** Environment of engine processes, where it must differ from this process's. */
  engineEnv?: NodeJS.ProcessEnv;
  /** Password cost and guessing limits of operator sign-in (tests lower them). */
  operatorOptions?: OperatorStoreOptions;
  sessionLimits?: Partial<SessionLimits>;
}

/** The engines this host could run that the config leaves off, each with the YAML that turns it on. */
export function disabledEngines(config: Config): { name: EngineName; enable: string }[] {
  return Object.entries(config.engines)
    .filter(([name, section]) => isAvailableEngine(name) && name !== 'echo' && !section.enabled)
    .map(([name]) => ({ name: name as EngineName, enable: `engines:\n  ${name}:\n    enabled: true` }));
}

/** The engines the config enables, in config order. */
export function enabledEngines(config: Config): { name: EngineName; config: unknown }[] {
  return Object.entries(config.engines)
    .filter(([name, section]) => isAvailableEngine(name) && section.enabled)
    .map(([name, section]) => ({ name: name as EngineName, config: section }));
}

export async function startHost(options: HostOptions): Promise<Host> {
  const supervisor = new Supervisor({
    engines: enabledEngines(options.config),
    dataDir: options.dataDir,
    log: options.log.child('supervisor'),
    backoff: options.config.supervisor.restartBackoff,
    entry: options.engineEntry,
    env: options.engineEnv,
  });
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const operators = new OperatorStore(options.dataDir, options.operatorOptions);
  const sessions = await SessionStore.open(options.dataDir, options.sessionLimits);
  const accounts: OperatorProcedures = operatorProcedures(operators, sessions, options.log.child('operators'));
  const audit = await OperatorAudit.open(options.dataDir);
  const { history, historySocket, historyOff } = await openHistory(options, supervisor);
  const store = history?.store;
  const info = { version: options.version, startedAt: Date.now(), disabled: disabledEngines(options.config), audit, history, historyOff };
  const router = createRouter(supervisor, info, accounts as unknown as LocalProcedures);
  await supervisor.start();
  // The host's own subscriptions feed the history: batches after the answers went out, in this
  // process, so the engines' answer paths do not wait for the disk.
  const feed = (stream: string, params: object, keep: (batch: unknown) => void) =>
    router.subscribe(stream, params, keep, (error) => options.log.warn('history feed ended', { stream, error: error?.message }));
  const unsubscribe = store
    ? [
        supervisor.has('dns') && feed('dns.queryLog', { answers: true }, (batch) => store.addQueries((batch as { entries: QueryLogEntry[] }).entries)),
        supervisor.has('railgun') && feed('railgun.requests', {}, (batch) => store.addRequests((batch as { requests: RailgunRequest[] }).requests)),
      ]
    : [];
  return {
    supervisor,
    router,
    operators,
    sessions,
    stop: async () => {
      for (const stop of unsubscribe) if (stop) stop();
      await supervisor.stop();
      history?.exports.close();
      await new Promise((resolve) => (historySocket ? historySocket.close(resolve) : resolve(undefined)));
      await store?.close();
    },
  };
}

/**
 * The history store and its socket for `signalbox queries`, when the config keeps one. A store
 * that cannot open (the file held by another process, a full disk) leaves the host running
 * without it: the engines matter more; host.queryHistory then says why.
 */
async function openHistory(options: HostOptions, supervisor: Supervisor) {
  const kept = options.config.history;
  if (!kept.enabled) return { historyOff: 'history.enabled is false in the config' };
  if (!supervisor.has('dns') && !supervisor.has('railgun')) return { historyOff: 'neither the DNS nor the Railgun engine is enabled in the config' };
  let store: HistoryStore | undefined;
  try {
    store = await HistoryStore.open(options.dataDir, { limits: { maxAgeMs: kept.maxAgeDays * 86_400_000, maxBytes: kept.maxSizeMB * 1024 * 1024 } });
    const historySocket = await serveHistorySocket(options.dataDir, store);
    return { history: { store, exports: new HistoryExports(store) }, historySocket };
  } catch (error) {
    await store?.close();
    const message = (error as Error).message;
    options.log.error('the history store did not open; the host runs without it', { error: message, code: 'E_HISTORY_UNAVAILABLE' });
    return { historyOff: `the history store did not open: ${message}` };
  }
}
