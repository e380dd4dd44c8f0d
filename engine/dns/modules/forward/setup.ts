// How the chain builds forward (engine/dns/modules.ts): from the upstreams (the system's
// resolvers when none are configured), the policy, the health checks and the try timeout. A
// replaced pool is closed once the queries still on it are past their deadline (service.ts).
import { readFileSync } from 'node:fs';
import type { DnsConfig } from '../../../api/dns.ts';
import type { ModuleSetup } from '../../modules.ts';
import { Forward, type ForwardOptions } from './forward.ts';

/** The nameservers of /etc/resolv.conf, as ADDRESS:53: the default upstreams. */
export function systemResolvers(text = readFileSync('/etc/resolv.conf', 'utf8')): string[] {
  return [...text.matchAll(/^\s*nameserver\s+(\S+)/gm)].map(([, address]) => (address!.includes(':') ? `[${address}]:53` : `${address}:53`));
}

function upstreamsOf(config: DnsConfig): { address: string; weight: number }[] {
  const configured = config.upstreams.map((entry) => (typeof entry === 'string' ? { address: entry, weight: 1 } : entry));
  return configured.length > 0 ? configured : systemResolvers().map((address) => ({ address, weight: 1 }));
}

export const forwardSetup: ModuleSetup<'forward', Forward, ForwardOptions> = {
  section: (config) => ({ upstreams: upstreamsOf(config), policy: config.policy, health: config.healthCheck, upstreamTimeoutMs: config.upstreamTimeoutMs }),
  build: (options) => new Forward(options),
  stats: (forward) => ({ upstreams: forward.stats() }),
  close: (forward) => forward.close(),
};
