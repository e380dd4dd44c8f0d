// The sender's answers that are not delta material: streamed to the client as they come over the
// link (zstd-decoded when the listener compressed them), with the headers clients get and the
// send timeout every answer has.
import type http from 'node:http';
import type { ServerResponse } from 'node:http';
import type { ClientHttp2Stream, IncomingHttpHeaders } from 'node:http2';
import zlib from 'node:zlib';
import type { Failure } from '../api/railgun.ts';
import { parseFailure, statusFailure } from './failures.ts';
import { endToEnd, withVia } from './http.ts';
import { linkHeaders, type LinkReport } from './protocol.ts';

/** Headers of the link that never reach a client. */
const linkResponseOnly = [linkHeaders.report, linkHeaders.length, linkHeaders.failure, linkHeaders.version];

/** What a pass-through answer was, for the savings book. */
export interface Passed {
  status: number;
  rawBytes: number;
  linkBytes: number;
  originMs: number | null;
  /** The listener's reason for its 502, or the origin's 5xx. */
  failure: Failure | null;
}

/**
 * A client that takes nothing of its answer for `sendTimeoutMs` is cut off (as nginx's
 * send_timeout): what it held goes back. The socket being idle is not enough: a pass-through
 * answer (an event stream, a long poll) may wait that long for its origin, so only a write that
 * is still waiting for the socket to drain counts. Node's keep-alive timeout takes over once the
 * answer is out.
 */
export function cutOffAfter(response: ServerResponse, ms: number): void {
  response.on('timeout', () => {
    if (response.writableNeedDrain) response.destroy();
    else response.setTimeout(ms);
  });
  response.setTimeout(ms);
}

/** The origin's headers as the client gets them: the link's own gone, the link coding taken off. */
export function clientHeaders(linkResponse: IncomingHttpHeaders): http.OutgoingHttpHeaders {
  const headers = withVia(endToEnd(linkResponse), '1.1');
  for (const name of linkResponseOnly) delete headers[name];
  const codings = String(headers['content-encoding'] ?? '')
    .split(',')
    .map((coding) => coding.trim())
    .filter(Boolean);
  codings.pop();
  if (codings.length > 0) headers['content-encoding'] = codings.join(', ');
  else delete headers['content-encoding'];
  return headers;
}

/** Streams a body that is not delta material to the client as it comes, decoding the link's zstd when the listener used it. */
export async function passThrough(
  stream: ClientHttp2Stream,
  linkResponse: IncomingHttpHeaders,
  response: ServerResponse,
  report: LinkReport | null,
  sendTimeoutMs: number,
): Promise<Passed> {
  const compressed = report?.coding === 'zstd';
  const headers = compressed ? clientHeaders(linkResponse) : withVia(endToEnd(linkResponse), '1.1');
  if (compressed && linkResponse[linkHeaders.length] !== undefined) headers['content-length'] = String(linkResponse[linkHeaders.length]);
  for (const name of linkResponseOnly) delete headers[name];
  const status = Number(linkResponse[':status']);
  const originMs = report?.originMs ?? null;
  headers['signalbox-railgun'] = `base=pass${compressed ? '; coding=zstd' : ''}${originMs !== null ? `; origin-ms=${originMs.toFixed(1)}` : ''}`;
  response.writeHead(status, headers);
  cutOffAfter(response, sendTimeoutMs);
  // The frame checksum is on: a body damaged on the way fails here, and the client's response is cut.
  const decoder = compressed ? zlib.createZstdDecompress() : null;
  const body = decoder ? stream.pipe(decoder) : stream;
  let linkBytes = 0;
  let rawBytes = 0;
  stream.on('data', (chunk: Buffer) => (linkBytes += chunk.length));
  if (decoder) decoder.on('data', (chunk: Buffer) => (rawBytes += chunk.length));
  // Not piped with end: a session that dies ends its streams as if they were complete (with
  // rstCode CANCEL), and ending the response then would hand the client a short page.
  body.pipe(response, { end: false });
  try {
    await new Promise<void>((resolve, reject) => {
      const broken = () => new Error(`the link stream closed mid-body${stream.rstCode ? ` (reset ${stream.rstCode})` : ''}`);
      body.once('end', () => (stream.rstCode ? reject(broken()) : resolve()));
      stream.once('error', reject);
      decoder?.once('error', (err) => reject(new Error(`the zstd body from the link could not be decoded: ${err.message}`)));
      stream.once('close', () => (stream.readableEnded && !stream.rstCode) || reject(broken()));
    });
  } finally {
    decoder?.destroy();
  }
  response.end();
  // The listener's 502 says why (the origin refused, timed out...); any other 5xx is the origin's own.
  const failure = parseFailure(linkResponse[linkHeaders.failure]) ?? statusFailure(status);
  return { status, rawBytes: decoder ? rawBytes : linkBytes, linkBytes, originMs, failure };
}
