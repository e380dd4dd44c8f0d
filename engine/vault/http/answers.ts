// What the Red October API answers (spec §1, §2): a JSON object whose `Status` is "ok" or the error
// text, HTTP 200 either way (404 for an unknown path, 413/503 for a refused body). `Response`, where
// there is one, is base64 of a document (Go's []byte), so clients decode twice. We add `Code`
// (a stable error code) and sometimes `Detail`; Go clients ignore fields they do not know.
import { GoDurationError } from './go-duration.ts';
import { GoJsonError } from './go-json.ts';

export type Answer = { Status: string } & Record<string, unknown>;

/** A refusal decided by the API layer itself (a bad field, an unsupported path). */
export class StatusError extends Error {
  readonly code: string;
  readonly httpStatus: number;
  readonly detail: string | undefined;

  constructor(code: string, message: string, options: { httpStatus?: number; detail?: string } = {}) {
    super(message);
    this.name = 'StatusError';
    this.code = code;
    this.httpStatus = options.httpStatus ?? 200;
    this.detail = options.detail;
  }
}

export function ok(): Answer {
  return { Status: 'ok' };
}

/** `{"Status":"ok","Response":base64(bytes)}`. */
export function withResponse(bytes: Uint8Array): Answer {
  return { Status: 'ok', Response: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('base64') };
}

/** `Response` = base64 of the JSON of `value`. */
export function withJsonResponse(value: unknown): Answer {
  return withResponse(Buffer.from(JSON.stringify(value), 'utf8'));
}

/**
 * Red October's clients compare a few Status texts exactly: `ro decrypt` retries while the answer is
 * "need more delegated keys". Those, and refusals Red October words in one fixed text (an access
 * structure it cannot use, spec §2 /encrypt), keep RO's text; our explanation goes to Detail.
 */
const redOctoberTexts: Record<string, string> = {
  E_VAULT_NEED_DELEGATIONS: 'need more delegated keys',
  E_VAULT_NOT_ENOUGH_OWNERS: 'need more delegated keys',
  E_RO_NEED_KEYS: 'need more delegated keys',
  E_VAULT_ACCESS: 'Invalid access structure.',
  // Red October without persistence answers /restore so (its null store).
  E_VAULT_PERSIST_DISABLED: 'persist: null store does not support delegations',
};

export interface ErrorAnswer {
  httpStatus: number;
  answer: Answer;
  /** Not one of ours: logged in full on the server, told to the client in general terms. */
  internal: boolean;
}

export function errorAnswer(err: unknown): ErrorAnswer {
  if (err instanceof StatusError) {
    return { httpStatus: err.httpStatus, answer: withDetail({ Status: err.message, Code: err.code }, err.detail), internal: false };
  }
  if (err instanceof GoJsonError || err instanceof GoDurationError)
    return { httpStatus: 200, answer: { Status: err.message, Code: 'E_RO_REQUEST' }, internal: false };
  const code = (err as { code?: unknown } | null)?.code;
  const message = err instanceof Error ? err.message : String(err);
  if (typeof code === 'string' && code.startsWith('E_') && code !== 'E_INTERNAL') {
    const fixed = redOctoberTexts[code];
    const hint = (err as { hint?: unknown }).hint;
    if (fixed) return { httpStatus: 200, answer: { Status: fixed, Code: code, Detail: message }, internal: false };
    return { httpStatus: 200, answer: withDetail({ Status: message, Code: code }, typeof hint === 'string' ? hint : undefined), internal: false };
  }
  // The KDF gate's refusal is a plain Error, but it is load, not a fault: say so.
  if (/^too many password checks at once/.test(message)) return { httpStatus: 200, answer: { Status: message, Code: 'E_VAULT_BUSY' }, internal: false };
  return { httpStatus: 200, answer: { Status: 'internal error: the server logged it; try again, or tell its operator', Code: 'E_INTERNAL' }, internal: true };
}

function withDetail(answer: Answer, detail: string | undefined): Answer {
  return detail === undefined ? answer : { ...answer, Detail: detail };
}
