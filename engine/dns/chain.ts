// The DNS module chain, declared once and in order (like CoreDNS's plugin.cfg): a query goes
// through these modules from first to last. Each module lives in modules/<name>/: its contract
// (contract.ts: config keys, dns.stats fields, Prometheus series), its code, how it is built
// from the config (setup.ts, listed in modules.ts) and its README; engine/dns/README.md lists them
// in this order (test/engine/dns/chain.test.ts checks it). This file and the contracts load in a
// browser too: engine/api/dns.ts composes the contracts into dnsConfig and dnsStats.
import type { z } from 'zod';
import { cacheContract } from './modules/cache/contract.ts';
import { flattenContract } from './modules/flatten/contract.ts';
import { forwardContract } from './modules/forward/contract.ts';
import { querylogContract } from './modules/querylog/contract.ts';
import { rrlContract } from './modules/rrl/contract.ts';

export const moduleChain = [querylogContract, rrlContract, cacheContract, flattenContract, forwardContract] as const;

export type ModuleName = (typeof moduleChain)[number]['name'];

export const moduleNames: readonly ModuleName[] = moduleChain.map((module) => module.name);

/** The config keys (or dns.stats fields) of every module in the chain, as one shape. */
type Composed<Chain extends readonly unknown[], Part extends 'config' | 'stats'> = Chain extends readonly [infer First, ...infer Rest]
  ? (First extends Record<Part, infer Shape> ? Shape : never) & Composed<Rest, Part>
  : unknown;

function compose<Part extends 'config' | 'stats'>(part: Part): Composed<typeof moduleChain, Part> {
  const shape: Record<string, z.ZodType> = {};
  for (const module of moduleChain) {
    for (const [key, schema] of Object.entries(module[part])) {
      // Two modules reading one key would configure each other: refuse at load.
      if (key in shape) throw new Error(`engine/dns/chain.ts: ${module.name} declares ${part} key "${key}" another module declares too`);
      shape[key] = schema;
    }
  }
  return shape as Composed<typeof moduleChain, Part>;
}

export const moduleConfig = compose('config');
export const moduleStats = compose('stats');
