// Who can open a Red October ciphertext, told from its KeySet alone: RO does not record the access
// structure it was asked for, only the pair wraps it made (spec §3.2.3). The derivation:
//   Predicate present                         -> { kind: 'predicate' } (ShareSet was checked against it)
//   every entry names one user                -> owners, minimum 1. RO's Minimum 1 wraps for the
//                                                first owner only (§8.1), so only that owner appears.
//   entries are every unordered pair of a set -> owners, minimum 2 (owners in first-appearance order;
//                                                RO's sort lost the original Owners order)
//   entries are exactly {(l, r) : l in L, r in R, l != r}, L the first names, R the second names
//                                             -> left-right. A complete set of pairs also has this
//                                                shape; it is reported as owners, which means the same.
//   anything else (never written by RO)       -> { kind: 'key-set' } with the raw name lists; an
//                                                empty KeySet (e.g. Owners [a], Minimum 2) opens for nobody.
import type { PairWrap } from './ciphertext-parse.ts';

export type RedOctoberAccess =
  | { kind: 'owners'; owners: string[]; minimum: 1 | 2 }
  | { kind: 'left-right'; left: string[]; right: string[] }
  | { kind: 'predicate'; predicate: string }
  | { kind: 'key-set'; entries: string[][] };

export function deriveAccess(keySet: readonly PairWrap[], predicate: string): RedOctoberAccess {
  if (predicate !== '') return { kind: 'predicate', predicate };
  const entries = keySet.map((entry) => entry.names);
  const unique = <T>(items: T[]): T[] => [...new Set(items)];
  if (entries.length > 0 && entries.every((names) => names.length === 1)) return { kind: 'owners', owners: unique(entries.flat()), minimum: 1 };
  const pairs = entries.every((names) => names.length === 2 && names[0] !== names[1]) ? (entries as [string, string][]) : [];
  if (pairs.length === 0) return { kind: 'key-set', entries };
  const key = (a: string, b: string) => JSON.stringify([a, b]);
  const present = new Set(pairs.map(([a, b]) => key(a, b)));
  if (present.size !== pairs.length) return { kind: 'key-set', entries };

  const owners = unique(pairs.flat());
  const unordered = new Set(pairs.map(([a, b]) => key(...([a, b].sort() as [string, string]))));
  if (unordered.size === pairs.length && pairs.length === (owners.length * (owners.length - 1)) / 2) return { kind: 'owners', owners, minimum: 2 };

  const left = unique(pairs.map(([a]) => a));
  const right = unique(pairs.map(([, b]) => b));
  const expected = left.flatMap((l) => right.filter((r) => r !== l).map((r) => key(l, r)));
  if (expected.length === pairs.length && expected.every((pair) => present.has(pair))) return { kind: 'left-right', left, right };
  return { kind: 'key-set', entries };
}
