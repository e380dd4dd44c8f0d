// Builds the module chain from a config, each module as its setup.ts says (which part of the
// config it is built from, how, and what it adds to dns.stats). On a reload, a module whose part
// did not change is kept as it is (the cache keeps its entries, forward its health state, rrl its
// accounts); only changed modules are built anew.
import type { z } from 'zod';
import type { DnsConfig } from '../api/dns.ts';
import { moduleNames, type moduleChain, type ModuleName, type moduleStats } from './chain.ts';
import { cacheSetup } from './modules/cache/setup.ts';
import { flattenSetup } from './modules/flatten/setup.ts';
import { forwardSetup } from './modules/forward/setup.ts';
import type { QueryLog } from './modules/querylog/querylog.ts';
import { querylogSetup } from './modules/querylog/setup.ts';
import type { Traffic } from './modules/querylog/traffic.ts';
import { rrlSetup } from './modules/rrl/setup.ts';
import type { DnsModule } from './pipeline.ts';

/** What the service makes once and keeps across reloads; setups may build from it. */
export interface ServiceParts {
  querylog: QueryLog;
  traffic: Traffic;
}

type ContractOf<Name extends ModuleName> = Extract<(typeof moduleChain)[number], { name: Name }>;

export interface ModuleSetup<Name extends ModuleName, Module extends DnsModule | null, Section> {
  /** The part of the config the module is built from: equal after a reload, the module is kept as it is. */
  section(config: DnsConfig): Section;
  /** The module, or null when the config leaves it out of the chain; `previous`: the one it replaces (forward keeps its unchanged pools). */
  build(section: Section, parts: ServiceParts, previous?: Module): Module;
  /** Its fields of dns.stats as its contract.ts declares them, also when it is left out (null). */
  stats(module: Module, parts: ServiceParts): z.output<z.ZodObject<ContractOf<Name>['stats']>>;
  /** Releases what it holds (sockets, timers) once no query can reach it any more. */
  close?(module: Module): void;
}

// Every module of the chain (engine/dns/chain.ts) has its setup here; the type says so.
const setups = {
  querylog: querylogSetup,
  rrl: rrlSetup,
  cache: cacheSetup,
  flatten: flattenSetup,
  forward: forwardSetup,
} satisfies { [Name in ModuleName]: ModuleSetup<Name, DnsModule | null, unknown> };

export type Modules = { [Name in ModuleName]: ReturnType<(typeof setups)[Name]['build']> };

/** Each module's part of the config it was built from (what a reload compares). */
export type Sections = Record<ModuleName, unknown>;

const setupOf = (name: ModuleName) => setups[name] as ModuleSetup<ModuleName, DnsModule | null, unknown>;

export function buildModules(
  config: DnsConfig,
  parts: ServiceParts,
  previous?: { sections: Sections; modules: Modules },
): { sections: Sections; modules: Modules } {
  const sections = {} as Sections;
  const modules = {} as Record<ModuleName, DnsModule | null>;
  for (const name of moduleNames) {
    const setup = setupOf(name);
    sections[name] = setup.section(config);
    const same = previous !== undefined && JSON.stringify(previous.sections[name]) === JSON.stringify(sections[name]);
    modules[name] = same ? previous.modules[name] : setup.build(sections[name], parts, previous?.modules[name] ?? undefined);
  }
  return { sections, modules: modules as Modules };
}

/** The modules of the chain, in its order, that the config left in. */
export function chainOf(modules: Modules): DnsModule[] {
  return moduleNames.map((name) => modules[name]).filter((module) => module !== null);
}

/** Every module's fields of dns.stats. */
export function statsOf(modules: Modules, parts: ServiceParts): z.output<z.ZodObject<typeof moduleStats>> {
  return Object.assign({}, ...moduleNames.map((name) => setupOf(name).stats(modules[name], parts)));
}

/** Closes the modules of `modules` that `kept` does not hold (all of them without `kept`). */
export function closeModules(modules: Modules, kept?: Modules): void {
  for (const name of moduleNames) {
    const module = modules[name];
    if (module !== null && module !== kept?.[name]) setupOf(name).close?.(module);
  }
}
