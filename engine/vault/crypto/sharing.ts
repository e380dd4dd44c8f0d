// How an access structure turns the data key into shares, each held by one owner in a named slot,
// and how the shares of the chosen owners give it back. Slots name a share's place in the
// structure, and the slot is authenticated with the share, so a share cannot be moved to another.
//   owners      slot "x:<i>"            one Shamir share per owner, M-of-N, x = owner's place (1-based) in the sorted list
//   left-right  slot "pair:<l>:<r>"     per (left l, right r) with l ≠ r a 2-of-2 split: l holds x = 1, r holds x = 2
//   predicate   slot "occurrence:<n>"   the share of the n-th (0-based) occurrence of the name in the predicate
import { chooseLeftRight, predicateTree, type Access } from './access.ts';
import { planPredicate } from './predicate.ts';
import { wipe } from './bytes.ts';
import { combine, recoverByPredicate, split, splitByPredicate, type Share } from './shamir.ts';

export interface ShareSlot {
  owner: string;
  slot: string;
}

export interface SlotShare extends ShareSlot {
  share: Uint8Array;
}

/** Shares of `secret` for the structure, sorted by owner then slot. The caller wipes them. */
export function shareSecret(access: Access, secret: Uint8Array): SlotShare[] {
  const out: SlotShare[] = [];
  switch (access.kind) {
    case 'owners': {
      const owners = [...access.owners].sort();
      split(secret, access.minimum, owners.length).forEach((share, index) => out.push({ owner: owners[index]!, slot: `x:${share.x}`, share: share.y }));
      break;
    }
    case 'left-right':
      for (const [left, right] of pairs(access)) {
        const [forLeft, forRight] = split(secret, 2, 2);
        out.push({ owner: left, slot: `pair:${left}:${right}`, share: forLeft!.y }, { owner: right, slot: `pair:${left}:${right}`, share: forRight!.y });
      }
      break;
    case 'predicate':
      for (const [owner, shares] of splitByPredicate(predicateTree(access.predicate), secret)) {
        shares.forEach((share, occurrence) => out.push({ owner, slot: `occurrence:${occurrence}`, share }));
      }
      break;
  }
  return out.sort(compareSlots);
}

/** The slots shareSecret fills for this structure, in the same order: what a document must hold. */
export function expectedSlots(access: Access): ShareSlot[] {
  const slots: ShareSlot[] = [];
  switch (access.kind) {
    case 'owners':
      [...access.owners].sort().forEach((owner, index) => slots.push({ owner, slot: `x:${index + 1}` }));
      break;
    case 'left-right':
      for (const [left, right] of pairs(access)) slots.push({ owner: left, slot: `pair:${left}:${right}` }, { owner: right, slot: `pair:${left}:${right}` });
      break;
    case 'predicate': {
      const count = new Map<string, number>();
      const visit = (node: ReturnType<typeof predicateTree>): void => {
        if (node.kind === 'name') count.set(node.name, (count.get(node.name) ?? 0) + 1);
        else node.children.forEach(visit);
      };
      visit(predicateTree(access.predicate));
      for (const [owner, n] of count) for (let occurrence = 0; occurrence < n; occurrence++) slots.push({ owner, slot: `occurrence:${occurrence}` });
      break;
    }
  }
  return slots.sort(compareSlots);
}

/**
 * The secret, from the shares of owners in `use`, choosing them as chooseOwners does; null when
 * `use` does not satisfy the structure. `shareOf` decrypts one share; this wipes what it returns.
 */
export function recoverSecret(access: Access, use: ReadonlySet<string>, shareOf: (owner: string, slot: string) => Uint8Array): Uint8Array | null {
  const fetched: Uint8Array[] = [];
  const fetch = (owner: string, slot: string) => {
    const share = shareOf(owner, slot);
    fetched.push(share);
    return share;
  };
  try {
    switch (access.kind) {
      case 'owners': {
        const owners = [...access.owners].sort();
        const present = owners.map((owner, index) => ({ owner, x: index + 1 })).filter(({ owner }) => use.has(owner));
        if (present.length < access.minimum) return null;
        const shares: Share[] = present.slice(0, access.minimum).map(({ owner, x }) => ({ x, y: fetch(owner, `x:${x}`) }));
        return combine(shares);
      }
      case 'left-right': {
        const pair = chooseLeftRight(access, use);
        if (pair === null) return null;
        const slot = `pair:${pair.left}:${pair.right}`;
        return combine([
          { x: 1, y: fetch(pair.left, slot) },
          { x: 2, y: fetch(pair.right, slot) },
        ]);
      }
      case 'predicate': {
        const plan = planPredicate(predicateTree(access.predicate), use);
        if (plan === null) return null;
        return recoverByPredicate(plan, (owner, occurrence) => fetch(owner, `occurrence:${occurrence}`));
      }
    }
  } finally {
    wipe(...fetched);
  }
}

/** Every (left, right) pair of two different people. */
function pairs(access: { left: string[]; right: string[] }): [string, string][] {
  return [...access.left].sort().flatMap((left) =>
    [...access.right]
      .sort()
      .filter((right) => right !== left)
      .map((right): [string, string] => [left, right]),
  );
}

export function compareSlots(a: ShareSlot, b: ShareSlot): number {
  if (a.owner !== b.owner) return a.owner < b.owner ? -1 : 1;
  return a.slot < b.slot ? -1 : a.slot > b.slot ? 1 : 0;
}
