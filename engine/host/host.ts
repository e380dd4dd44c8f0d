// The engine host as both `serve` and the Electron main process use it: a supervisor running the
// enabled engines and the router that answers the API on top of it.
import { mkdirSync } from 'node:fs';
import type { Logger } from '../api/engine.ts';
import { operatorProcedures, type OperatorProcedures } from './operators/procedures.ts';
import { SessionStore, type SessionLimits } from './operators/sessions.ts';
import { OperatorStore, type OperatorStoreOptions } from './operators/store.ts';
import type { EngineName } from '../api/host.ts';
import type { Config } from './config.ts';
import { isAvailableEngine } from './engines.ts';
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
  const router = createRouter(supervisor, { version: options.version, startedAt: Date.now() }, accounts as unknown as LocalProcedures);
  await supervisor.start();
  return { supervisor, router, operators, sessions, stop: () => supervisor.stop() };
}
