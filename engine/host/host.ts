// The engine host as both `serve` and the Electron main process use it: a supervisor running the
// enabled engines and the router that answers the API on top of it.
import type { Logger } from '../api/engine.ts';
import type { EngineName } from '../api/host.ts';
import type { Config } from './config.ts';
import { isAvailableEngine } from './engines.ts';
import { createRouter, type HostRouter } from './router.ts';
import { Supervisor } from './supervisor.ts';

export interface Host {
  supervisor: Supervisor;
  router: HostRouter;
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
  const router = createRouter(supervisor, { version: options.version, startedAt: Date.now() });
  await supervisor.start();
  return { supervisor, router, stop: () => supervisor.stop() };
}
