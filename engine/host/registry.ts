// The engines the host can run, by name: the one place the host imports engines from. Each brings
// its own parts (engine/<name>/definition.ts); the code an engine process runs is loaded lazily,
// so an engine process loads only its own and the host none.
import type { EngineCommand, EngineParts } from '../api/definition.ts';
import type { EngineName } from '../api/host.ts';
import { bundlerParts } from '../bundler/definition.ts';
import { dnsParts } from '../dns/definition.ts';
import { echoParts } from '../echo/definition.ts';
import { railgunParts } from '../railgun/definition.ts';
import { vaultParts } from '../vault/definition.ts';

export const engineParts: { [Name in EngineName]?: EngineParts<Name> } = {
  echo: echoParts,
  dns: dnsParts,
  railgun: railgunParts,
  vault: vaultParts,
  bundler: bundlerParts,
};

export function isAvailableEngine(name: string): name is EngineName {
  return Object.hasOwn(engineParts, name);
}

export function partsOf(name: EngineName): EngineParts {
  const parts = engineParts[name];
  if (!parts) throw new Error(`no engine named ${name}; the engines are ${Object.keys(engineParts).join(', ')}`);
  return parts as EngineParts;
}

/**
 * Node flags an engine's processes start with, where the defaults do not suit it; `processes` is
 * how many serve the engine, sharing the cores this process may use.
 */
export function engineNodeFlags(name: EngineName, processes: number): string[] {
  return partsOf(name).nodeFlags?.(processes) ?? [];
}

/** Whether an engine's processes share their listening sockets, so that one can be upgraded in place. */
export function sharesSockets(name: EngineName): boolean {
  return partsOf(name).sharesSockets === true;
}

/** Each engine's own `signalbox <command>`, in the registry's order (`signalbox --help` lists them so). */
export function engineCommands(): { engine: EngineName; command: EngineCommand }[] {
  return Object.values(engineParts).flatMap((parts) => (parts.command ? [{ engine: parts.name, command: parts.command }] : []));
}
