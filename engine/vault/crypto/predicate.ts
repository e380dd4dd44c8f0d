// Access predicates as Red October writes them, parsed into a threshold tree. Two spellings:
//   raw:       "alice & (bob | carol)"   (& binds tighter than |, both left-associative)
//   formatted: "(2, alice, (1, bob, carol), dave)"   (used whenever the text holds a comma)
// A raw formula becomes gates AND -> (2, L, R) and OR -> (1, L, R), with an AND of full ANDs (or
// an OR of ORs) merged into one gate exactly as Red October's msp package does (see compress);
// child order is kept because secret-sharing x-coordinates are the children's 1-based positions.
// A name's n-th occurrence in the text owns its n-th share.

export type PredicateNode = { kind: 'name'; name: string; occurrence: number } | { kind: 'gate'; threshold: number; children: PredicateNode[] };

/** Which children each gate uses to reach its threshold: the recipe for recovering the secret. */
export type PredicatePlan =
  { kind: 'name'; name: string; occurrence: number } | { kind: 'gate'; threshold: number; children: { position: number; plan: PredicatePlan }[] };

export const predicateLimits = { maxLength: 1024, maxLeaves: 64, maxDepth: 8 } as const;
const namePattern = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

export class PredicateError extends Error {}

/** Punctuation, or a run of anything else (a name, or a threshold in the formatted spelling). */
const tokenPattern = /[(),&|]|[^\s(),&|]+/g;

export function parsePredicate(text: string): PredicateNode {
  if (text.length === 0 || text.length > predicateLimits.maxLength) throw new PredicateError(`a predicate has 1 to ${predicateLimits.maxLength} characters`);
  const tokens = text.match(tokenPattern) ?? [];
  const parser = new Parser(tokens, text.includes(','));
  const tree = parser.parse();
  const occurrences = new Map<string, number>();
  let leaves = 0;
  const number = (node: PredicateNode, depth: number): void => {
    if (depth > predicateLimits.maxDepth) throw new PredicateError(`a predicate nests at most ${predicateLimits.maxDepth} levels`);
    if (node.kind === 'name') {
      if (++leaves > predicateLimits.maxLeaves) throw new PredicateError(`a predicate names at most ${predicateLimits.maxLeaves} owners`);
      node.occurrence = occurrences.get(node.name) ?? 0;
      occurrences.set(node.name, node.occurrence + 1);
    } else {
      for (const child of node.children) number(child, depth + 1);
    }
  };
  number(tree, 1);
  return tree;
}

/**
 * The same predicate text with each name replaced by `rename(name)`: spelling, spacing and shape
 * (so every share's position) stay as they were. In the formatted spelling the token right after
 * "(" is the gate's threshold, not a name.
 */
export function renamePredicateNames(text: string, rename: (name: string) => string): string {
  const formatted = text.includes(',');
  let previous = '';
  return text.replace(tokenPattern, (token) => {
    const isName = !'(),&|'.includes(token) && !(formatted && previous === '(');
    previous = token;
    return isName ? rename(token) : token;
  });
}

/** Every name the predicate mentions, once each, in text order. */
export function predicateNames(node: PredicateNode): string[] {
  if (node.kind === 'name') return [node.name];
  return [...new Set(node.children.flatMap(predicateNames))];
}

/**
 * The cheapest way to satisfy the predicate with the names available (fewest distinct names), or
 * null when they cannot. Exponential only in gate width, which the limits above bound.
 */
export function planPredicate(node: PredicateNode, available: ReadonlySet<string>): PredicatePlan | null {
  return cheapest(node, available)?.plan ?? null;
}

function cheapest(node: PredicateNode, available: ReadonlySet<string>): { plan: PredicatePlan; names: Set<string> } | null {
  if (node.kind === 'name') return available.has(node.name) ? { plan: { ...node }, names: new Set([node.name]) } : null;
  const options = node.children
    .map((child, index) => ({ position: index + 1, found: cheapest(child, available) }))
    .filter((option): option is { position: number; found: NonNullable<ReturnType<typeof cheapest>> } => option.found !== null)
    .sort((a, b) => a.found.names.size - b.found.names.size || a.position - b.position);
  if (options.length < node.threshold) return null;
  const chosen = options.slice(0, node.threshold).sort((a, b) => a.position - b.position);
  return {
    plan: { kind: 'gate', threshold: node.threshold, children: chosen.map(({ position, found }) => ({ position, plan: found.plan })) },
    names: new Set(chosen.flatMap(({ found }) => [...found.names])),
  };
}

/** The names a plan uses, once each. */
export function planNames(plan: PredicatePlan): string[] {
  if (plan.kind === 'name') return [plan.name];
  return [...new Set(plan.children.flatMap((child) => planNames(child.plan)))];
}

class Parser {
  private position = 0;
  private readonly tokens: string[];
  private readonly formatted: boolean;

  constructor(tokens: string[], formatted: boolean) {
    this.tokens = tokens;
    this.formatted = formatted;
  }

  parse(): PredicateNode {
    const node = this.formatted ? this.threshold() : this.or();
    if (this.position < this.tokens.length) throw new PredicateError(`unexpected "${this.tokens[this.position]}" in the predicate`);
    return node;
  }

  private peek(): string | undefined {
    return this.tokens[this.position];
  }

  private take(expected?: string): string {
    const token = this.tokens[this.position++];
    if (token === undefined) throw new PredicateError('the predicate ends too early');
    if (expected !== undefined && token !== expected) throw new PredicateError(`expected "${expected}" but found "${token}" in the predicate`);
    return token;
  }

  private name(): PredicateNode {
    const token = this.take();
    if (!namePattern.test(token)) throw new PredicateError(`"${token}" is not a user name`);
    return { kind: 'name', name: token, occurrence: 0 };
  }

  /** "(k, child, child, ...)" where a child is a name or another such gate. */
  private threshold(): PredicateNode {
    if (this.peek() !== '(') return this.name();
    this.take('(');
    const k = Number(this.take());
    if (!Number.isInteger(k) || k < 1) throw new PredicateError('a threshold gate starts with a whole number of at least 1');
    const children: PredicateNode[] = [];
    while (this.peek() === ',') {
      this.take(',');
      children.push(this.threshold());
    }
    this.take(')');
    if (children.length < k) throw new PredicateError(`a gate needs ${k} of ${children.length} children: it can never be satisfied`);
    return { kind: 'gate', threshold: k, children };
  }

  private or(): PredicateNode {
    let left = this.and();
    while (this.peek() === '|') {
      this.take('|');
      left = merge(1, left, this.and());
    }
    return left;
  }

  private and(): PredicateNode {
    let left = this.atom();
    while (this.peek() === '&') {
      this.take('&');
      left = merge(2, left, this.atom());
    }
    return left;
  }

  private atom(): PredicateNode {
    if (this.peek() !== '(') return this.name();
    this.take('(');
    const node = this.or();
    this.take(')');
    return node;
  }
}

/** AND (threshold 2) or OR (threshold 1) of two nodes, compressed the way Red October does it. */
function merge(kind: 1 | 2, left: PredicateNode, right: PredicateNode): PredicateNode {
  return compress({ kind: 'gate', threshold: kind, children: [left, right] });
}

/**
 * Red October's msp Formatted.Compress, quirks included, because the x-coordinates of the shares
 * are the children's positions: a different shape cannot recover an RO ciphertext's key. A full AND
 * absorbs child full ANDs and an OR absorbs child ORs, each child being compressed again first; but
 * after absorbing a child, Compress skips as many following children as the absorbed one brought in
 * (it ranges over the slice as it was before the splice), so "(a & b) & (c & d)" stays
 * (3, a, b, (2, c, d)) while "a & b & c & d" becomes (4, a, b, c, d).
 */
function compress(gate: Extract<PredicateNode, { kind: 'gate' }>): Extract<PredicateNode, { kind: 'gate' }> {
  const and = gate.threshold === gate.children.length;
  if (!and && gate.threshold !== 1) return gate;
  let threshold = gate.threshold;
  const children: PredicateNode[] = [];
  let skip = 0;
  for (const child of gate.children) {
    if (skip > 0) {
      skip--;
      children.push(child);
      continue;
    }
    if (child.kind === 'name') {
      children.push(child);
      continue;
    }
    const again = compress(child);
    if (and ? again.threshold !== again.children.length : again.threshold !== 1) {
      children.push(again);
      continue;
    }
    if (and) threshold += again.threshold - 1;
    children.push(...again.children);
    skip = again.children.length - 1;
  }
  return { kind: 'gate', threshold, children };
}
