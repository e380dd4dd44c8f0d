// Why a request failed, in kinds an operator can act on (the origin refused, timed out, could not
// be reached, answered 5xx; the link was down; the pair itself failed), and how the listener tells
// the sender over the link. The message is the socket's own ("connect ECONNREFUSED 127.0.0.1:8000"):
// it goes to the operator (the console, the log), never to clients.
import type { Failure, FailureKind } from '../api/railgun.ts';
import { failureKinds } from '../api/railgun.ts';

/** An origin request that failed before an answer, with its kind. */
export class OriginFailure extends Error {
  override readonly name = 'OriginFailure';
  readonly kind: FailureKind;

  constructor(kind: FailureKind, message: string) {
    super(message);
    this.kind = kind;
  }
}

/** The kind of a failed origin request: its socket error code, or the listener's own timeout. */
export function originFailure(err: Error, timedOut: boolean): OriginFailure {
  const code = (err as NodeJS.ErrnoException).code;
  if (timedOut || code === 'ETIMEDOUT') return new OriginFailure('origin-timeout', err.message);
  if (code === 'ECONNREFUSED') return new OriginFailure('origin-refused', err.message);
  return new OriginFailure('origin-unreachable', err.message);
}

/** An origin's 5xx answer: the client gets it as it is, the operator sees it counted. */
export function statusFailure(status: number, at: number = Date.now()): Failure | null {
  return status >= 500 && status <= 599 ? { at, kind: 'origin-5xx', message: `the origin answered ${status}` } : null;
}

/** A header value can hold neither line breaks nor much: the message is flattened and capped. */
const maxMessage = 300;

/** `origin-refused; connect ECONNREFUSED 127.0.0.1:8000`, the listener's `signalbox-failure` header. */
export function formatFailure(kind: FailureKind, message: string): string {
  return `${kind}; ${message.replace(/[^\x20-\x7e]+/g, ' ').slice(0, maxMessage)}`;
}

export function parseFailure(value: unknown, at: number = Date.now()): Failure | null {
  if (typeof value !== 'string') return null;
  const split = value.indexOf(';');
  const kind = (split < 0 ? value : value.slice(0, split)).trim() as FailureKind;
  if (!failureKinds.includes(kind)) return null;
  return { at, kind, message: split < 0 ? '' : value.slice(split + 1).trim() };
}
