// What the sender holds of page bodies for its clients, bounded in total, and how a body reaches a
// client: in slices, as its socket drains. A client that does not read holds one slice and the
// socket's buffer, not a copy of the page; the page itself is counted once however many clients
// are sent it, and given back when the last of them finishes or goes away.
import type { ServerResponse } from 'node:http';

/** A body is written in slices of this size, the next only once the socket has taken the last. */
export const sliceBytes = 64 * 1024;

/** The sender cannot take this request now: it is answered 503 with Retry-After. */
export class Busy extends Error {
  override readonly name = 'Busy';
}

export class BodyBudget {
  /** Bodies being sent, by identity: one buffer sent to many clients counts once. */
  readonly #sending = new Map<Buffer, number>();
  #reserved = 0;
  #sendingBytes = 0;
  #refused = 0;

  private limit: number;
  constructor(limit: number) {
    this.limit = limit;
  }

  setLimit(limit: number): void {
    this.limit = limit;
  }

  /** Bytes of bodies being read from the link, decoded or sent to clients. */
  get bytes(): number {
    return this.#reserved + this.#sendingBytes;
  }

  /** Requests turned away because the budget was spent. */
  get refused(): number {
    return this.#refused;
  }

  /** A request's share, given back in one call whatever it had reached. */
  open(): BodyShare {
    return new BodyShare(this);
  }

  /** @internal for BodyShare */
  take(bytes: number): void {
    if (this.bytes + bytes > this.limit) {
      this.#refused++;
      throw new Busy(`the sender holds ${this.bytes} bytes of bodies for its clients, ${bytes} more would pass clients.bufferBytes (${this.limit})`);
    }
    this.#reserved += bytes;
  }

  /** @internal for BodyShare */
  giveBack(bytes: number): void {
    this.#reserved -= bytes;
  }

  /** @internal for BodyShare */
  startSending(body: Buffer): void {
    const count = this.#sending.get(body) ?? 0;
    if (count === 0) this.#sendingBytes += body.length;
    this.#sending.set(body, count + 1);
  }

  /** @internal for BodyShare */
  stopSending(body: Buffer): void {
    const count = this.#sending.get(body) ?? 1;
    if (count > 1) return void this.#sending.set(body, count - 1);
    this.#sending.delete(body);
    this.#sendingBytes -= body.length;
  }
}

/** What one request holds of the budget: reservations while it reads and decodes, then the body it sends. */
export class BodyShare {
  #reserved = 0;
  #sending: Buffer | null = null;
  readonly #budget: BodyBudget;
  constructor(budget: BodyBudget) {
    this.#budget = budget;
  }

  /** Reserves `bytes` more, or throws Busy. */
  reserve(bytes: number): void {
    this.#budget.take(bytes);
    this.#reserved += bytes;
  }

  /** The reservations become the body being sent (which the budget may already count for another client). */
  send(body: Buffer): void {
    this.#budget.startSending(body);
    this.#sending = body;
    this.#budget.giveBack(this.#reserved);
    this.#reserved = 0;
  }

  release(): void {
    this.#budget.giveBack(this.#reserved);
    this.#reserved = 0;
    if (this.#sending) this.#budget.stopSending(this.#sending);
    this.#sending = null;
  }
}

/**
 * Writes `body` and ends the response, a slice at a time, waiting for 'drain' whenever write()
 * says the socket's buffer is full: a connection holds at most its high-water mark and one slice.
 * False when the client went away first.
 */
export async function writeBody(response: ServerResponse, body: Buffer): Promise<boolean> {
  for (let at = 0; at < body.length; at += sliceBytes) {
    if (response.destroyed) return false;
    const more = response.write(body.subarray(at, at + sliceBytes));
    if (!more && !(await drained(response))) return false;
  }
  if (response.destroyed) return false;
  response.end();
  return true;
}

/** True on 'drain', false when the response closes first. */
function drained(response: ServerResponse): Promise<boolean> {
  return new Promise((resolve) => {
    const onDrain = () => done(true);
    const onClose = () => done(false);
    const done = (value: boolean) => {
      response.off('drain', onDrain).off('close', onClose);
      resolve(value);
    };
    response.once('drain', onDrain).once('close', onClose);
  });
}
