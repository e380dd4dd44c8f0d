// What one DNS module declares in the contract, in its own folder
// (engine/dns/modules/<name>/contract.ts): its config keys, its fields in dns.stats and the
// Prometheus series read from those fields. engine/dns/chain.ts lists the modules in order, and
// engine/api/dns.ts composes their parts into dnsConfig and dnsStats. Like engine/api itself, a
// contract file loads in a browser: it imports zod and engine/api only (test/architecture).
import type { z } from 'zod';
import type { MetricFactory } from './metric-factory.ts';

export interface DnsModuleContract<Name extends string, Config extends z.ZodRawShape, Stats extends z.ZodRawShape> {
  readonly name: Name;
  /** Its keys in dnsConfig (engine/api/dns.ts puts them next to the engine's own). */
  readonly config: Config;
  /** Its fields in dns.stats, merged across workers as their schemas say (engine/api/merge.ts). */
  readonly stats: Stats;
  /**
   * Declares its series once per registry; the function returned sets them from one merged
   * dns.stats answer, of which it reads its own fields. null: it exports none.
   */
  readonly metrics: ((metric: MetricFactory) => (stats: z.output<z.ZodObject<Stats>>) => void) | null;
}

/** Checks a module's contract and keeps its literal name and exact schemas in the type. */
export function dnsModuleContract<const Name extends string, Config extends z.ZodRawShape, Stats extends z.ZodRawShape>(
  contract: DnsModuleContract<Name, Config, Stats>,
): DnsModuleContract<Name, Config, Stats> {
  return contract;
}
