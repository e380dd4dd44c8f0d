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

/** A zone in wire form, lower-cased (ASCII only): "corp.example." -> \x04corp\x07example\x00. */
function wireOf(zone: string): Buffer {
  const labels = zone === '.' ? [] : zone.slice(0, -1).split('.');
  return Buffer.concat([...labels.map((label) => Buffer.concat([Buffer.from([label.length]), Buffer.from(label.toLowerCase(), 'latin1')])), Buffer.from([0])]);
}

/**
 * FNV-1a over one label (its length octet and its octets), folded into the hash of the labels to
 * its right: a name's hash is built from the root leftwards, so every suffix of a query name has
 * its hash on the way, with no string made per query.
 */
function hashLabel(hash: number, bytes: Uint8Array, start: number): number {
  const end = start + 1 + bytes[start]!;
  for (let i = start; i < end; i++) hash = Math.imul(hash ^ bytes[i]!, 16777619);
  return hash >>> 0;
}

const fnvOffset = 2166136261;

interface Zone {
  wire: Buffer;
  route: CompiledRoute;
}

/** Where the question's name is lower-cased for the lookup, and where its labels start: one of each, not one per query. */
const scratch = Buffer.allocUnsafe(256);
const labelStarts = new Int32Array(128);

export class RouteTable {
  readonly routes: readonly CompiledRoute[];
  /** By the hash of their wire form (see hashLabel); a list, since two zones may share a hash. */
  private readonly byHash = new Map<number, Zone[]>();
  private readonly root: CompiledRoute;
  /** The most labels any zone has: suffixes longer than that cannot match. */
  private readonly maxLabels: number;

  constructor(routes: readonly Route[]) {
    const compiled = routes.map((route, index) => ({ ...route, index }));
    const root = compiled.find((route) => route.zone === '.');
    this.root = root ?? { zone: '.', pool: defaultPool, cache: true, rrl: true, index: compiled.length };
    this.routes = root ? compiled : [...compiled, this.root];
    let maxLabels = 0;
    for (const route of compiled) {
      if (route === root) continue;
      const wire = wireOf(route.zone);
      const starts: number[] = [];
      for (let at = 0; wire[at] !== 0; at += 1 + wire[at]!) starts.push(at);
      let hash = fnvOffset;
      for (let i = starts.length - 1; i >= 0; i--) hash = hashLabel(hash, wire, starts[i]!);
      this.byHash.set(hash, [...(this.byHash.get(hash) ?? []), { wire, route }]);
      maxLabels = Math.max(maxLabels, starts.length);
    }
    this.maxLabels = maxLabels;
  }

  /** The route of the name at `query[12..]` (the question, uncompressed as every query we accept). */
  match(query: Buffer): CompiledRoute {
    if (this.byHash.size === 0) return this.root;
    // Label starts, first to last, and the name lower-cased into the scratch buffer.
    let labels = 0;
    let at = 12;
    while (at < query.length && query[at]! !== 0) {
      const end = at + 1 + query[at]!;
      // Longer than a name may be (RFC 1035 §3.1): the parser refuses such queries; never read past the scratch.
      if (end - 12 >= scratch.length - 1 || labels === labelStarts.length) return this.root;
      labelStarts[labels++] = at - 12;
      scratch[at - 12] = query[at]!;
      for (let i = at + 1; i < end && i < query.length; i++) {
        const byte = query[i]!;
        scratch[i - 12] = byte >= 0x41 && byte <= 0x5a ? byte | 0x20 : byte;
      }
      at = end;
    }
    const nameEnd = at - 12;
    scratch[nameEnd] = 0;
    // From the root leftwards, one label at a time: the last zone found is the longest.
    let found = this.root;
    let hash = fnvOffset;
    for (let i = labels - 1; i >= 0 && labels - i <= this.maxLabels; i--) {
      const start = labelStarts[i]!;
      hash = hashLabel(hash, scratch, start);
      const zones = this.byHash.get(hash);
      if (!zones) continue;
      for (const zone of zones) if (sameBytes(zone.wire, start, nameEnd + 1)) found = zone.route;
    }
    return found;
  }
}

/** Whether the scratch bytes [start, end) are `wire`. */
function sameBytes(wire: Buffer, start: number, end: number): boolean {
  if (wire.length !== end - start) return false;
  for (let i = 0; i < wire.length; i++) if (wire[i] !== scratch[start + i]) return false;
  return true;
}
