// What `serve` holds for an API client, bounded. Two things grow when a client sends calls and
// does not read the answers: the calls being served (read from the client, not answered yet) and
// the answers and events it has not read. So:
// - answers and events wait in a queue per connection and go to the socket only while it has
//   drained (at most `socketWindowBytes` handed to it and not yet flushed to the kernel);
// - the connection stops reading the client (TCP pushes back on it) while its queue holds
//   anything or while it has `maxPendingCalls` / `maxPendingCallBytes` of calls being served, and
//   every connection does while all of them together have `maxTotalPendingBytes` being served;
// - a queue that still passes its bound (events keep coming) closes the connection as too slow,
//   and so does the connection with most unread when all of them together pass the host's bound.
// Closing drops the queue at once; the close frame follows the little the socket still holds, so
// a client that reads again learns why.
import type { WebSocket } from 'ws';

export interface SendLimits {
  /** Messages one connection may have waiting (on top of what its socket holds). */
  maxQueuedMessages: number;
  /** Bytes one connection may have waiting; one message is always taken into a queue below this. */
  maxQueuedBytes: number;
  /** Bytes handed to a connection's socket and not yet flushed, before messages wait in the queue. */
  socketWindowBytes: number;
  /** Calls of one connection being served at once before it stops reading the client. */
  maxPendingCalls: number;
  /** Bytes of those calls (as received) before it stops reading the client. */
  maxPendingCallBytes: number;
  /** Bytes of calls being served for all connections together before none is read further. */
  maxTotalPendingBytes: number;
  /** Bytes of answers and events unread by all connections together. */
  maxTotalBytes: number;
}

export const defaultSendLimits: SendLimits = {
  maxQueuedMessages: 4096,
  maxQueuedBytes: 8 * 1024 * 1024,
  socketWindowBytes: 256 * 1024,
  maxPendingCalls: 16,
  maxPendingCallBytes: 1024 * 1024,
  maxTotalPendingBytes: 64 * 1024 * 1024,
  maxTotalBytes: 256 * 1024 * 1024,
};

/** RFC 6455 §7.4.1: 1008 "policy violation" for one slow client, 1013 "try again later" when the host is full. */
export const closeCodes = { tooSlow: 1008, hostFull: 1013 } as const;

export interface SlowClose {
  code: number;
  reason: string;
  unreadBytes: number;
  queuedMessages: number;
}

/** The bound shared by every connection of one server. */
export class SendBudget {
  readonly limits: SendLimits;
  private pending = 0;
  private unread = 0;
  private closedSlow = 0;
  private readonly queues = new Set<SendQueue>();

  constructor(limits: Partial<SendLimits> = {}) {
    this.limits = { ...defaultSendLimits, ...limits };
  }

  /** Bytes of answers and events all connections have not read yet. */
  get unreadBytes(): number {
    return this.unread;
  }

  /** Bytes held for all connections: unread, and calls being served. */
  get heldBytes(): number {
    return this.unread + this.pending;
  }

  /** Whether calls may be read from any connection: not while too many are being served. */
  get mayRead(): boolean {
    return this.pending < this.limits.maxTotalPendingBytes;
  }

  get connections(): number {
    return this.queues.size;
  }

  /** Connections closed because they did not read, since the server started. */
  get slowClosed(): number {
    return this.closedSlow;
  }

  /** @internal */
  join(queue: SendQueue): void {
    this.queues.add(queue);
  }

  /** @internal */
  leave(queue: SendQueue): void {
    this.queues.delete(queue);
  }

  /** @internal Answers and events not read yet. */
  changeUnread(bytes: number): void {
    this.unread += bytes;
    if (bytes <= 0 || this.unread <= this.limits.maxTotalBytes) return;
    // The one with most unread is shed: the host's bound is kept whoever asked last.
    let largest: SendQueue | undefined;
    for (const queue of this.queues) if (!queue.closing && (!largest || queue.unreadBytes > largest.unreadBytes)) largest = queue;
    largest?.closeSlow(closeCodes.hostFull, `the host holds ${this.unread} bytes unread by its clients`);
  }

  /** @internal Calls being served; crossing the bound pauses or resumes reading on every connection. */
  changePending(bytes: number): void {
    const before = this.mayRead;
    this.pending += bytes;
    if (this.mayRead !== before) for (const queue of this.queues) queue.flowChanged();
  }

  /** @internal */
  countSlow(): void {
    this.closedSlow++;
  }
}

/** One connection's outgoing messages and the calls it has being served. */
export class SendQueue {
  closing = false;
  private readonly queue: Buffer[] = [];
  private queuedBytes = 0;
  private socketBytes = 0;
  /** Sizes of the calls being served, by call id (a client may reuse an id). */
  private readonly pending = new Map<number, number[]>();
  private pendingCalls = 0;
  private pendingBytes = 0;
  private released = false;
  private readonly socket: WebSocket;
  private readonly budget: SendBudget;
  private readonly onSlow: (close: SlowClose) => void;
  private readonly onFlow: () => void;

  /** `onFlow` is told whenever `mayRead` may have changed. */
  constructor(socket: WebSocket, budget: SendBudget, onSlow: (close: SlowClose) => void, onFlow: () => void) {
    this.socket = socket;
    this.budget = budget;
    this.onSlow = onSlow;
    this.onFlow = onFlow;
    budget.join(this);
  }

  get unreadBytes(): number {
    return this.queuedBytes + this.socketBytes;
  }

  get heldBytes(): number {
    return this.unreadBytes + this.pendingBytes;
  }

  /** Whether to read more from the client: not while its answers wait or it has enough being served. */
  get mayRead(): boolean {
    const { limits } = this.budget;
    return this.queue.length === 0 && this.pendingCalls < limits.maxPendingCalls && this.pendingBytes < limits.maxPendingCallBytes && this.budget.mayRead;
  }

  /** @internal The host-wide reading bound was crossed. */
  flowChanged(): void {
    if (!this.released) this.onFlow();
  }

  /** A call was read from the client; it counts until its answer is sent. */
  callReceived(id: number, bytes: number): void {
    if (this.released) return;
    const sizes = this.pending.get(id);
    if (sizes) sizes.push(bytes);
    else this.pending.set(id, [bytes]);
    this.pendingCalls++;
    this.pendingBytes += bytes;
    this.budget.changePending(bytes);
  }

  /** Sends a message; `answers` is the id of the call it answers, if it does. */
  send(text: string, answers?: number): void {
    if (answers !== undefined) this.callAnswered(answers);
    if (this.closing || this.released || this.socket.readyState !== this.socket.OPEN) return;
    const data = Buffer.from(text);
    const { limits } = this.budget;
    if (this.queue.length === 0 && this.socketBytes < limits.socketWindowBytes) {
      this.write(data);
      return;
    }
    if (this.queue.length >= limits.maxQueuedMessages || this.queuedBytes >= limits.maxQueuedBytes) {
      this.closeSlow(closeCodes.tooSlow, '');
      return;
    }
    this.queue.push(data);
    this.queuedBytes += data.length;
    this.budget.changeUnread(data.length);
    if (this.queue.length === 1) this.onFlow();
  }

  /** Drops what waits and closes the connection with a reason that says how much was left unread. */
  closeSlow(code: number, why: string): void {
    if (this.closing || this.released) return;
    this.closing = true;
    // A close reason is at most 123 bytes (RFC 6455 §5.5: a control frame carries 125).
    const reason = `client too slow: ${this.unreadBytes} bytes unread${why ? `; ${why}` : ''}`.slice(0, 123);
    const close: SlowClose = { code, reason, unreadBytes: this.unreadBytes, queuedMessages: this.queue.length };
    this.budget.countSlow();
    this.budget.changeUnread(-this.queuedBytes);
    this.queue.length = 0;
    this.queuedBytes = 0;
    this.onSlow(close);
    this.socket.close(code, reason);
  }

  /** Called once the connection closed: everything it still counted is given back. */
  release(): void {
    if (this.released) return;
    this.budget.changeUnread(-this.unreadBytes);
    this.budget.changePending(-this.pendingBytes);
    this.released = true;
    this.budget.leave(this);
    this.queue.length = 0;
    this.queuedBytes = 0;
    this.socketBytes = 0;
    this.pending.clear();
    this.pendingCalls = 0;
    this.pendingBytes = 0;
  }

  private callAnswered(id: number): void {
    const sizes = this.pending.get(id);
    if (!sizes || this.released) return;
    const bytes = sizes.shift()!;
    if (sizes.length === 0) this.pending.delete(id);
    this.pendingCalls--;
    this.pendingBytes -= bytes;
    this.budget.changePending(-bytes);
    this.onFlow();
  }

  private write(data: Buffer): void {
    this.socketBytes += data.length;
    this.budget.changeUnread(data.length);
    // The callback runs once the frame is flushed to the kernel, or with an error when the socket closed.
    this.socket.send(data, { binary: false }, () => {
      if (this.released) return;
      this.socketBytes -= data.length;
      this.budget.changeUnread(-data.length);
      this.pump();
    });
  }

  private pump(): void {
    const waited = this.queue.length > 0;
    while (!this.closing && this.queue.length > 0 && this.socketBytes < this.budget.limits.socketWindowBytes) {
      const data = this.queue.shift()!;
      this.queuedBytes -= data.length;
      this.budget.changeUnread(-data.length);
      this.write(data);
    }
    if (waited && this.queue.length === 0) this.onFlow();
  }
}
