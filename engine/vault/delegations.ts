// Delegations: private keys an owner unlocked with their password, held in this process's memory
// for a time and a number of uses, for named requesters (or, explicitly, anyone) and labels, and
// possibly for one order only. A timer ends each one on time (not at the next request, as Red
// October does) and the key bytes are overwritten when it ends, is spent, replaced or purged.

export interface DelegatedKey {
  type: 'RSA' | 'ECC';
  /** PKCS#8 DER (RSA) or the 32-byte P-256 scalar (ECC). Wiped when the delegation ends. */
  privateKey: Uint8Array;
}

export interface DelegationGrant {
  owner: string;
  key: DelegatedKey;
  uses: number;
  durationMs: number;
  /** Requesters allowed to use it; ignored when `anyone`. */
  users: string[];
  /** Red October's empty Users list, made explicit: every account may use it. */
  anyone: boolean;
  labels: string[];
  /** Bound to one order: usable only for its ciphertext, by its requester. */
  order: { id: string; ciphertextHash: string } | null;
}

export interface Delegation extends DelegationGrant {
  createdAt: number;
  /** Wall-clock end, for people; the timer and `deadline` decide. */
  expiresAt: number;
  deadline: number;
}

export interface UseRequest {
  requester: string;
  labels: readonly string[];
  ciphertextHash: string;
  orderId: string | null;
}

export type EndReason = 'expired' | 'spent' | 'replaced' | 'purged' | 'order-closed';

export interface LiveDelegation {
  owner: string;
  uses: number;
  expiresAt: number;
  secondsLeft: number;
  users: string[];
  anyone: boolean;
  labels: string[];
  orderId: string | null;
}

export class DelegationStore {
  /** One delegation per owner and order (a general one has order ''): a new one replaces it. */
  private readonly live = new Map<string, { delegation: Delegation; timer: ReturnType<typeof setTimeout> }>();
  private readonly onEnd: (delegation: Delegation, reason: EndReason) => void;
  private readonly now: () => number;

  constructor(onEnd: (delegation: Delegation, reason: EndReason) => void = () => {}, now: () => number = () => performance.now()) {
    this.onEnd = onEnd;
    this.now = now;
  }

  add(grant: DelegationGrant): Delegation {
    const slot = slotOf(grant.owner, grant.order?.id ?? null);
    this.end(slot, 'replaced');
    const delegation: Delegation = { ...grant, createdAt: Date.now(), expiresAt: Date.now() + grant.durationMs, deadline: this.now() + grant.durationMs };
    const timer = setTimeout(() => this.end(slot, 'expired'), grant.durationMs);
    timer.unref();
    this.live.set(slot, { delegation, timer });
    return delegation;
  }

  /**
   * The delegations that may serve this request, one per owner: a delegation bound to the
   * request's order first, else a general one. Nothing is spent here.
   */
  usable(request: UseRequest): Map<string, Delegation> {
    const byOwner = new Map<string, Delegation>();
    for (const { delegation } of this.live.values()) {
      if (!this.allows(delegation, request)) continue;
      const chosen = byOwner.get(delegation.owner);
      if (!chosen || (delegation.order && !chosen.order)) byOwner.set(delegation.owner, delegation);
    }
    return byOwner;
  }

  /** Spends one use of each; a delegation with none left ends (and its key is wiped). */
  spend(delegations: Iterable<Delegation>): void {
    for (const delegation of delegations) {
      delegation.uses--;
      if (delegation.uses <= 0) this.end(slotOf(delegation.owner, delegation.order?.id ?? null), 'spent');
    }
  }

  /** Ends every delegation bound to an order (it was fulfilled or cancelled). */
  closeOrder(orderId: string): void {
    for (const [slot, { delegation }] of this.live) if (delegation.order?.id === orderId) this.end(slot, 'order-closed');
  }

  purge(): number {
    const count = this.live.size;
    for (const slot of [...this.live.keys()]) this.end(slot, 'purged');
    return count;
  }

  list(): LiveDelegation[] {
    const now = this.now();
    return [...this.live.values()].map(({ delegation: d }) => ({
      owner: d.owner,
      uses: d.uses,
      expiresAt: d.expiresAt,
      secondsLeft: Math.max(0, Math.round((d.deadline - now) / 1000)),
      users: [...d.users],
      anyone: d.anyone,
      labels: [...d.labels],
      orderId: d.order?.id ?? null,
    }));
  }

  /**
   * The live delegations not bound to an order, keys included, sorted by owner: what persistence
   * stores (orders live in memory only, so their approvals end with a restart). Do not keep them.
   */
  general(): Delegation[] {
    const now = this.now();
    return [...this.live.values()]
      .map(({ delegation }) => delegation)
      .filter((d) => d.order === null && d.uses > 0 && d.deadline > now)
      .sort((a, b) => (a.owner < b.owner ? -1 : a.owner > b.owner ? 1 : 0));
  }

  private allows(d: Delegation, request: UseRequest): boolean {
    if (d.uses < 1 || d.deadline <= this.now()) return false;
    if (d.order && (d.order.id !== request.orderId || d.order.ciphertextHash !== request.ciphertextHash)) return false;
    if (!d.anyone && !d.users.includes(request.requester)) return false;
    // As Red October: a ciphertext with labels needs a delegation sharing one of them.
    return request.labels.length === 0 || d.labels.some((label) => request.labels.includes(label));
  }

  private end(slot: string, reason: EndReason): void {
    const entry = this.live.get(slot);
    if (!entry) return;
    clearTimeout(entry.timer);
    this.live.delete(slot);
    entry.delegation.key.privateKey.fill(0);
    this.onEnd(entry.delegation, reason);
  }
}

function slotOf(owner: string, orderId: string | null): string {
  return `${owner}\u0000${orderId ?? ''}`;
}
