// The route table: which route a query name takes. The longest configured zone that the name is
// equal to or under wins (CoreDNS picks its server block so, dnsdist's SuffixMatchNode too), and
// the root route, configured or implied, takes every other name. Names are compared on label
// boundaries, in wire form, so `xcorp.example.` is not under `corp.example.` and a label with a
// dot in it (`a\.corp.example.` is two labels) cannot pass for two; ASCII letters compare without
// case, other octets exactly (RFC 4343 §3).
import { defaultPool, type Route } from '../../../api/dns-routing.ts';

export interface CompiledRoute extends Route {
  /** Position in the config's list; the implied root route, when none is configured, is last. */
  index: number;
}

/** A name in wire form, lower-cased (ASCII only), as a string key: "corp.example." -> "\x04corp\x07example\x00". */
function wireKey(zone: string): string {
  if (zone === '.') return '\x00';
  return `${zone
    .slice(0, -1)
    .split('.')
    .map((label) => String.fromCharCode(label.length) + label.toLowerCase())
    .join('')}\x00`;
}

/** Where the question's name is lower-cased for the lookup: one buffer, not one per query. */
const scratch = Buffer.allocUnsafe(255);

export class RouteTable {
  readonly routes: readonly CompiledRoute[];
  private readonly byZone = new Map<string, CompiledRoute>();
  private readonly root: CompiledRoute;
  /** The most labels any zone has: suffixes longer than that cannot match. */
  private readonly maxLabels: number;

  constructor(routes: readonly Route[]) {
    const compiled = routes.map((route, index) => ({ ...route, index }));
    const root = compiled.find((route) => route.zone === '.');
    this.root = root ?? { zone: '.', pool: defaultPool, cache: true, rrl: true, index: compiled.length };
    this.routes = root ? compiled : [...compiled, this.root];
    for (const route of compiled) if (route !== root) this.byZone.set(wireKey(route.zone), route);
    this.maxLabels = Math.max(0, ...compiled.map((route) => (route.zone === '.' ? 0 : route.zone.split('.').length - 1)));
  }

  /** The route of the name at `query[12..]` (the question, uncompressed as every query we accept). */
  match(query: Buffer): CompiledRoute {
    if (this.byZone.size === 0) return this.root;
    // Label starts, first to last, and the name lower-cased into the scratch buffer.
    const starts: number[] = [];
    let at = 12;
    while (at < query.length && query[at]! !== 0) {
      starts.push(at - 12);
      const end = at + 1 + query[at]!;
      // Longer than a name may be (RFC 1035 §3.1): the parser refuses such queries; never read past the scratch.
      if (end - 12 >= scratch.length) return this.root;
      for (let i = at; i < end && i < query.length; i++) {
        const byte = query[i]!;
        // The length octets are below 64, never letters: lower-casing A-Z leaves them alone.
        scratch[i - 12] = i > at && byte >= 0x41 && byte <= 0x5a ? byte | 0x20 : byte;
      }
      at = end;
    }
    const nameEnd = at - 12;
    scratch[nameEnd] = 0;
    for (let first = Math.max(0, starts.length - this.maxLabels); first < starts.length; first++) {
      const route = this.byZone.get(scratch.toString('latin1', starts[first]!, nameEnd + 1));
      if (route) return route;
    }
    return this.root;
  }
}
