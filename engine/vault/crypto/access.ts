// Who may decrypt: the three access structures of Red October (spec §3.2), with its flaws fixed.
//   owners      any M of N named owners. M = 1 means any one of them (Red October wrapped for the
//               first owner only, §8.1); M > 2 works (Red October refused it).
//   left-right  one owner from each list, and two different people: a name in both lists
//               cannot decrypt alone (Red October's code comment promised otherwise).
//   predicate   a threshold tree in Red October's grammar (predicate.ts).
import { parsePredicate, planNames, planPredicate, PredicateError, predicateNames, type PredicateNode } from './predicate.ts';
import { VaultCryptoCode, VaultCryptoError } from './errors.ts';

export type Access =
  { kind: 'owners'; owners: string[]; minimum: number } | { kind: 'left-right'; left: string[]; right: string[] } | { kind: 'predicate'; predicate: string };

export const accessLimits = { maxOwners: 64, maxNameLength: 128 } as const;

/** Red October's user-name rule (spec §2 /create-user), which predicate.ts also applies. */
const namePattern = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

export function isUserName(name: unknown): name is string {
  return typeof name === 'string' && name.length <= accessLimits.maxNameLength && namePattern.test(name);
}

/**
 * Checks an access structure and puts it in canonical form (owner lists sorted; a predicate's text
 * is kept as written, because its order numbers the shares). Throws E_VAULT_ACCESS with the reason.
 */
export function normalizeAccess(value: unknown): Access {
  const fail = (why: string) => new VaultCryptoError(VaultCryptoCode.access, `access structure: ${why}`);
  if (typeof value !== 'object' || value === null) throw fail('expected { kind: "owners" | "left-right" | "predicate", ... }');
  const record = value as Record<string, unknown>;
  const names = (key: string): string[] => {
    const list = record[key];
    if (!Array.isArray(list) || list.length === 0) throw fail(`${key} must be a non-empty list of user names`);
    for (const name of list)
      if (!isUserName(name)) throw fail(`${key}: ${JSON.stringify(name)} is not a user name (letters, digits, _ and -, up to ${accessLimits.maxNameLength})`);
    const sorted = [...(list as string[])].sort();
    const duplicate = sorted.find((name, index) => sorted[index + 1] === name);
    if (duplicate !== undefined) throw fail(`${key} lists ${duplicate} twice`);
    if (sorted.length > accessLimits.maxOwners) throw fail(`${key} names ${sorted.length} owners; at most ${accessLimits.maxOwners}`);
    return sorted;
  };
  const expectKeys = (...keys: string[]) => {
    const extra = Object.keys(record).filter((key) => !keys.includes(key));
    if (extra.length > 0) throw fail(`unexpected field ${extra.join(', ')} for kind "${String(record.kind)}"`);
  };
  switch (record.kind) {
    case 'owners': {
      expectKeys('kind', 'owners', 'minimum');
      const owners = names('owners');
      const minimum = record.minimum;
      if (typeof minimum !== 'number' || !Number.isInteger(minimum) || minimum < 1 || minimum > owners.length) {
        throw fail(`minimum must be a whole number from 1 to ${owners.length} (the number of owners), not ${JSON.stringify(minimum)}`);
      }
      return { kind: 'owners', owners, minimum };
    }
    case 'left-right': {
      expectKeys('kind', 'left', 'right');
      const left = names('left');
      const right = names('right');
      if (new Set([...left, ...right]).size > accessLimits.maxOwners) throw fail(`left and right name more than ${accessLimits.maxOwners} owners together`);
      if (!left.some((l) => right.some((r) => r !== l))) throw fail('no two different people can satisfy it: left and right are the same single user');
      return { kind: 'left-right', left, right };
    }
    case 'predicate': {
      expectKeys('kind', 'predicate');
      if (typeof record.predicate !== 'string') throw fail('predicate must be a string such as "(2, alice, (1, bob, carol), dave)"');
      const tree = predicateTree(record.predicate);
      for (const name of predicateNames(tree))
        if (!isUserName(name)) throw fail(`predicate: "${name}" is longer than ${accessLimits.maxNameLength} characters`);
      return { kind: 'predicate', predicate: record.predicate };
    }
    default:
      throw fail(`kind ${JSON.stringify(record.kind)} is not "owners", "left-right" or "predicate"`);
  }
}

export function predicateTree(text: string): PredicateNode {
  try {
    return parsePredicate(text);
  } catch (cause) {
    if (cause instanceof PredicateError) throw new VaultCryptoError(VaultCryptoCode.access, `access structure: ${cause.message}`, { cause });
    throw cause;
  }
}

/** Every owner the structure names, once each, sorted. */
export function accessOwners(access: Access): string[] {
  switch (access.kind) {
    case 'owners':
      return [...access.owners].sort();
    case 'left-right':
      return [...new Set([...access.left, ...access.right])].sort();
    case 'predicate':
      return predicateNames(predicateTree(access.predicate)).sort();
  }
}

/**
 * The owners whose keys to use, given the owners available (e.g. delegated), or null when they do
 * not satisfy the structure. Minimal: exactly M owners; one left and one right owner who are two
 * people; the predicate's cheapest plan. Deterministic, so the caller knows whose uses it spends.
 */
export function chooseOwners(access: Access, available: ReadonlySet<string>): string[] | null {
  switch (access.kind) {
    case 'owners': {
      const present = [...access.owners].sort().filter((name) => available.has(name));
      return present.length >= access.minimum ? present.slice(0, access.minimum) : null;
    }
    case 'left-right': {
      const pair = chooseLeftRight(access, available);
      return pair === null ? null : [pair.left, pair.right];
    }
    case 'predicate': {
      const plan = planPredicate(predicateTree(access.predicate), available);
      return plan === null ? null : planNames(plan);
    }
  }
}

export function chooseLeftRight(access: { left: string[]; right: string[] }, available: ReadonlySet<string>): { left: string; right: string } | null {
  for (const left of [...access.left].sort()) {
    if (!available.has(left)) continue;
    for (const right of [...access.right].sort()) if (right !== left && available.has(right)) return { left, right };
  }
  return null;
}
