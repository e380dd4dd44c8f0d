// The engines the host can run, by name. Loaded lazily so an engine process loads only its own.
import { availableParallelism } from 'node:os';
import type { EngineDefinition } from '../api/engine.ts';
import type { EngineName } from '../api/host.ts';
import { dnsNodeFlags } from '../dns/node-flags.ts';

export const engineLoaders: Partial<Record<EngineName, () => Promise<EngineDefinition>>> = {
  echo: async () => (await import('../echo/engine.ts')).echoEngine,
  dns: async () => (await import('../dns/engine.ts')).dnsEngine,
  railgun: async () => (await import('../railgun/engine.ts')).railgunEngine,
  vault: async () => (await import('../vault/engine.ts')).vaultEngine,
  bundler: async () => (await import('../bundler/engine.ts')).bundlerEngine,
};

/**
 * Node flags an engine's processes start with, where the defaults do not suit it; `processes` is
 * how many serve the engine, sharing the cores this process may use.
 */
export function engineNodeFlags(name: EngineName, processes: number): string[] {
  return name === 'dns' ? dnsNodeFlags(availableParallelism() / processes) : [];
}

/** Engines whose processes share their listening sockets, so that one can be upgraded in place. */
export const socketSharingEngines: ReadonlySet<EngineName> = new Set(['dns']);

export function isAvailableEngine(name: string): name is EngineName {
  return Object.hasOwn(engineLoaders, name);
}
