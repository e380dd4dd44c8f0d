// Orders: a requester asks to decrypt one ciphertext, for a reason, within a time; owners approve
// it from their consoles. Unlike Red October's advisory orders, an approval here is a delegation
// bound to the order id, the ciphertext's hash and the requester, ending with the order. Orders
// expire on a timer; a fulfilled, cancelled or expired order stays listed for a while as history.
import { randomBytes } from 'node:crypto';
import type { AccessStructure } from '../api/vault.ts';

export type OrderStatus = 'open' | 'fulfilled' | 'cancelled' | 'expired';

export interface Order {
  id: string;
  requester: string;
  ciphertextHash: string;
  owners: string[];
  /** The ciphertext's rule, shown to approvers and used to tell when the order is satisfied. */
  access: AccessStructure;
  labels: string[];
  reason: string;
  uses: number;
  createdAt: number;
  expiresAt: number;
  status: OrderStatus;
  approvals: { owner: string; at: number }[];
  /** The owners whose delegations a fulfilling decryption used (bound to the order or ordinary ones). */
  fulfilledBy: string[] | null;
}

export class OrderError extends Error {
  readonly code: string;

  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

const maxOpenPerRequester = 20;
/** Closed orders kept for the console's history. */
const closedKept = 200;

export class OrderBook {
  private readonly orders = new Map<string, { order: Order; timer: ReturnType<typeof setTimeout> | null }>();
  private readonly onClose: (order: Order) => void;

  constructor(onClose: (order: Order) => void = () => {}) {
    this.onClose = onClose;
  }

  place(request: {
    requester: string;
    ciphertextHash: string;
    owners: string[];
    access: AccessStructure;
    labels: string[];
    reason: string;
    uses: number;
    durationMs: number;
  }): Order {
    const open = this.list().filter((order) => order.status === 'open' && order.requester === request.requester);
    if (open.length >= maxOpenPerRequester)
      throw new OrderError('E_VAULT_TOO_MANY_ORDERS', `${request.requester} has ${open.length} open orders; cancel some first`);
    const { durationMs, ...fields } = request;
    const now = Date.now();
    const order: Order = {
      ...fields,
      id: randomBytes(12).toString('hex'),
      createdAt: now,
      expiresAt: now + durationMs,
      status: 'open',
      approvals: [],
      fulfilledBy: null,
    };
    const timer = setTimeout(() => this.close(order.id, 'expired'), durationMs);
    timer.unref();
    this.orders.set(order.id, { order, timer });
    return order;
  }

  /** The open order, or a typed error saying why it cannot be acted on. */
  openOrder(id: string): Order {
    const order = this.orders.get(id)?.order;
    if (!order) throw new OrderError('E_VAULT_NO_ORDER', `no order ${id}`);
    if (order.status !== 'open') throw new OrderError('E_VAULT_ORDER_CLOSED', `order ${id} is ${order.status}`);
    return order;
  }

  /** Records an owner's approval; the delegation itself is made by the vault. */
  approve(id: string, owner: string): Order {
    const order = this.openOrder(id);
    if (!order.owners.includes(owner)) throw new OrderError('E_VAULT_NOT_OWNER', `${owner} is not an owner of the ciphertext of order ${id}`);
    order.approvals = [...order.approvals.filter((approval) => approval.owner !== owner), { owner, at: Date.now() }];
    return order;
  }

  cancel(id: string, requester: string): Order {
    const order = this.openOrder(id);
    // The same answer whether the order exists for someone else or not at all.
    if (order.requester !== requester) throw new OrderError('E_VAULT_NO_ORDER', `no order ${id}`);
    return this.close(id, 'cancelled')!;
  }

  fulfil(id: string, delegates: string[]): void {
    const order = this.close(id, 'fulfilled');
    if (order) order.fulfilledBy = [...delegates];
  }

  /** Every order, newest first. */
  list(): Order[] {
    return [...this.orders.values()].map(({ order }) => ({ ...order, approvals: [...order.approvals] })).reverse();
  }

  close(id: string, status: Exclude<OrderStatus, 'open'>): Order | undefined {
    const entry = this.orders.get(id);
    if (!entry || entry.order.status !== 'open') return undefined;
    if (entry.timer) clearTimeout(entry.timer);
    entry.timer = null;
    entry.order.status = status;
    this.onClose(entry.order);
    this.forgetOldClosed();
    return entry.order;
  }

  closeAll(): void {
    for (const id of [...this.orders.keys()]) this.close(id, 'cancelled');
  }

  private forgetOldClosed(): void {
    const closed = [...this.orders.values()].filter(({ order }) => order.status !== 'open');
    for (const { order } of closed.slice(0, Math.max(0, closed.length - closedKept))) this.orders.delete(order.id);
  }
}
