// What `serve` holds for API clients that do not read. Answers and events wait in a queue per
// connection and go to the socket only while it has drained (at most `socketWindowBytes` handed
// to it and not yet flushed to the kernel), so what a client leaves unread sits here, counted.
// A connection whose queue passes its bound, or the largest one when all of them together pass
// the host's bound, is closed as too slow: its queue is dropped at once and the close frame
// follows the little the socket still holds, so a client that reads again learns why.
import type { WebSocket } from 'ws';

export interface SendLimits {
  /** Messages one connection may have waiting (on top of what its socket holds). */
  maxQueuedMessages: number;
  /** Bytes one connection may have waiting; one message is always taken into a queue below this. */
  maxQueuedBytes: number;
  /** Bytes handed to a connection's socket and not yet flushed, before messages wait in the queue. */
  socketWindowBytes: number;
  /** Bytes unread by every connection together (queues and socket windows). */
  maxTotalBytes: number;
}

export const defaultSendLimits: SendLimits = {
  maxQueuedMessages: 4096,
  maxQueuedBytes: 8 * 1024 * 1024,
  socketWindowBytes: 256 * 1024,
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
  private total = 0;
  private closedSlow = 0;
  private readonly queues = new Set<SendQueue>();

  constructor(limits: Partial<SendLimits> = {}) {
    this.limits = { ...defaultSendLimits, ...limits };
  }

  /** Bytes unread by all connections now. */
  get unreadBytes(): number {
    return this.total;
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
  leave(queue: SendQueue, unread: number): void {
    if (this.queues.delete(queue)) this.total -= unread;
  }

  /** @internal */
  change(bytes: number): void {
    this.total += bytes;
    if (bytes <= 0 || this.total <= this.limits.maxTotalBytes) return;
    // The one holding most is shed: the host's bound is kept whoever asked last.
    let largest: SendQueue | undefined;
    for (const queue of this.queues) if (!queue.closing && (!largest || queue.unreadBytes > largest.unreadBytes)) largest = queue;
    largest?.closeSlow(closeCodes.hostFull, `the host holds ${this.total} bytes unread by its clients`);
  }

  /** @internal */
  countSlow(): void {
    this.closedSlow++;
  }
}

/** One connection's outgoing messages. */
export class SendQueue {
  closing = false;
  private readonly queue: Buffer[] = [];
  private queuedBytes = 0;
  private socketBytes = 0;
  private released = false;
  private readonly socket: WebSocket;
  private readonly budget: SendBudget;
  private readonly onSlow: (close: SlowClose) => void;

  constructor(socket: WebSocket, budget: SendBudget, onSlow: (close: SlowClose) => void) {
    this.socket = socket;
    this.budget = budget;
    this.onSlow = onSlow;
    budget.join(this);
  }

  get unreadBytes(): number {
    return this.queuedBytes + this.socketBytes;
  }

  send(text: string): void {
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
    this.budget.change(data.length);
  }

  /** Drops what waits and closes the connection with a reason that says how much was left unread. */
  closeSlow(code: number, why: string): void {
    if (this.closing || this.released) return;
    this.closing = true;
    // A close reason is at most 123 bytes (RFC 6455 §5.5: a control frame carries 125).
    const reason = `client too slow: ${this.unreadBytes} bytes unread${why ? `; ${why}` : ''}`.slice(0, 123);
    const close: SlowClose = { code, reason, unreadBytes: this.unreadBytes, queuedMessages: this.queue.length };
    this.budget.countSlow();
    this.dropQueue();
    this.onSlow(close);
    this.socket.close(code, reason);
  }

  /** Called once the connection closed: everything it still counted is given back. */
  release(): void {
    if (this.released) return;
    this.released = true;
    this.budget.leave(this, this.unreadBytes);
    this.queue.length = 0;
    this.queuedBytes = 0;
    this.socketBytes = 0;
  }

  private write(data: Buffer): void {
    this.socketBytes += data.length;
    this.budget.change(data.length);
    // The callback runs once the frame is flushed to the kernel, or with an error when the socket closed.
    this.socket.send(data, { binary: false }, () => {
      if (this.released) return;
      this.socketBytes -= data.length;
      this.budget.change(-data.length);
      this.pump();
    });
  }

  private pump(): void {
    while (!this.closing && this.queue.length > 0 && this.socketBytes < this.budget.limits.socketWindowBytes) {
      const data = this.queue.shift()!;
      this.queuedBytes -= data.length;
      this.budget.change(-data.length);
      this.write(data);
    }
  }

  private dropQueue(): void {
    this.budget.change(-this.queuedBytes);
    this.queue.length = 0;
    this.queuedBytes = 0;
  }
}
