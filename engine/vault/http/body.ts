// Reading a request body with a ceiling (Red October had none, spec §10.14): a body declared larger
// than its path's limit is refused before a byte of it is read (and a client that asked with
// `Expect: 100-continue` never sends it); a body that grows past the limit is refused when it does.
// What a refused client still sends is read and dropped for a few seconds (closing at once would
// reset the connection under the answer before the client reads it), then the connection is cut.
// All bodies being read share one budget, so many large uploads at once are turned away instead of
// exhausting memory.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { StatusError } from './answers.ts';

export const MiB = 1024 * 1024;

export class BodyBudget {
  private readonly max: number;
  private used = 0;

  constructor(max: number) {
    this.max = max;
  }

  take(bytes: number): boolean {
    if (this.used + bytes > this.max) return false;
    this.used += bytes;
    return true;
  }

  give(bytes: number): void {
    this.used -= bytes;
  }
}

/** The size a request declares (Content-Length), or null for a chunked body. */
export function declaredLength(req: IncomingMessage): number | null {
  const header = req.headers['content-length'];
  return header === undefined ? null : Number(header);
}

export function tooLarge(path: string, limit: number): StatusError {
  return new StatusError('E_RO_BODY_TOO_LARGE', `the request body is larger than ${formatSize(limit)}, the most ${path} accepts`, { httpStatus: 413 });
}

/**
 * The whole body, at most `limit` bytes. Its bytes count against `budget` until the response is done;
 * the caller wipes the returned buffer once parsed (it holds passwords and plaintexts).
 */
export function readBody(req: IncomingMessage, res: ServerResponse, path: string, limit: number, budget: BodyBudget): Promise<Buffer> {
  const declared = declaredLength(req);
  if (declared !== null && declared > limit) {
    drop(req);
    return Promise.reject(tooLarge(path, limit));
  }
  let held = 0;
  res.once('close', () => budget.give(held));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const stop = (err: Error) => {
      req.off('data', onData).off('end', onEnd).off('error', onError);
      for (const chunk of chunks) chunk.fill(0);
      drop(req);
      reject(err);
    };
    const onData = (chunk: Buffer) => {
      if (held + chunk.length > limit) return stop(tooLarge(path, limit));
      if (!budget.take(chunk.length)) {
        return stop(new StatusError('E_RO_BUSY', 'the server is reading too many large requests at once; try again shortly', { httpStatus: 503 }));
      }
      held += chunk.length;
      chunks.push(chunk);
    };
    const onEnd = () => {
      req.off('data', onData).off('error', onError);
      const body = Buffer.concat(chunks, held);
      for (const chunk of chunks) chunk.fill(0);
      resolve(body);
    };
    const onError = (err: Error) => stop(err);
    req.on('data', onData).once('end', onEnd).once('error', onError);
  });
}

const lingerMs = 5000;

/** Reads and drops the rest of a refused body, for a few seconds at most. */
function drop(req: IncomingMessage): void {
  req.resume();
  const socket = req.socket;
  const cut = setTimeout(() => socket.destroy(), lingerMs);
  cut.unref();
  const done = () => clearTimeout(cut);
  req.once('end', done);
  socket.once('close', done);
}

function formatSize(bytes: number): string {
  return bytes % MiB === 0 ? `${bytes / MiB} MiB` : `${bytes} bytes`;
}
