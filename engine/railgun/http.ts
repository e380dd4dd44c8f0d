// HTTP rules both ends share: which headers cross a proxy (RFC 9110 §7.6.1), what may serve as a
// delta base, and the cache key that keeps one user's page from being another user's dictionary.
import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';

/** Connection-specific headers: never forwarded, and forbidden in HTTP/2 (RFC 9113 §8.2.2). */
const hopByHop = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'proxy-authenticate',
  'proxy-authorization',
  'http2-settings',
  'host',
]);

/** The end-to-end headers of a message: hop-by-hop ones, those its Connection names, and pseudo-headers removed. */
export function endToEnd(headers: IncomingHttpHeaders | OutgoingHttpHeaders): OutgoingHttpHeaders {
  const named = new Set(
    String(headers.connection ?? '')
      .split(',')
      .map((token) => token.trim().toLowerCase())
      .filter(Boolean),
  );
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || name.startsWith(':') || hopByHop.has(name) || named.has(name)) continue;
    out[name] = value;
  }
  return out;
}

/** Appends this hop to Via (RFC 9110 §7.6.3). */
export function withVia(headers: OutgoingHttpHeaders, httpVersion: string): OutgoingHttpHeaders {
  const hop = `${httpVersion} signalbox-railgun`;
  const via = headers.via;
  return { ...headers, via: via ? `${Array.isArray(via) ? via.join(', ') : String(via)}, ${hop}` : hop };
}

export function withForwardedFor(headers: OutgoingHttpHeaders, clientAddress: string | undefined): OutgoingHttpHeaders {
  if (!clientAddress) return headers;
  const client = clientAddress.startsWith('::ffff:') ? clientAddress.slice(7) : clientAddress;
  const prior = headers['x-forwarded-for'];
  return { ...headers, 'x-forwarded-for': prior ? `${String(prior)}, ${client}` : client };
}

const textual =
  /^(text\/|application\/(json|javascript|ecmascript|x-javascript|xml|xhtml\+xml|ld\+json|manifest\+json)\b|application\/[\w.+-]+\+(json|xml)\b|image\/svg\+xml\b)/i;

/** Whether a request could get a delta: a plain GET of the whole resource, not an upgrade. */
export function isDeltaRequest(method: string | undefined, headers: IncomingHttpHeaders): boolean {
  return method === 'GET' && headers.range === undefined && headers.upgrade === undefined;
}

/**
 * Whether a response may be stored as a version and sent as a delta: a 200 of text (binary types
 * gain nothing), not `Vary: *`, and not `no-store` when the operator honours it as a cache would
 * (`honourNoStore`; else its versions are kept per user, in memory, for an idle time: README).
 */
export function isDeltaResponse(status: number, headers: IncomingHttpHeaders | OutgoingHttpHeaders, honourNoStore: boolean): boolean {
  if (status !== 200) return false;
  const type = String(headers['content-type'] ?? '');
  // An event stream never repeats as a page, and waiting for its end to encode it would hold every event back.
  if (!textual.test(type) || /^text\/event-stream\b/i.test(type)) return false;
  if (honourNoStore && isNoStore(headers)) return false;
  return !String(headers.vary ?? '')
    .split(',')
    .some((name) => name.trim() === '*');
}

/**
 * Whether a body that streams through is worth compressing on the link: text the origin did not
 * encode itself (binary types and encoded bodies gain nothing), and a body there is (not HEAD,
 * 1xx, 204, 304, or an empty one).
 */
export function compressesOnLink(method: string, status: number, headers: IncomingHttpHeaders): boolean {
  if (method === 'HEAD' || status < 200 || status === 204 || status === 304 || headers['content-length'] === '0') return false;
  const encoding = String(headers['content-encoding'] ?? '')
    .trim()
    .toLowerCase();
  if (encoding !== '' && encoding !== 'identity') return false;
  return textual.test(String(headers['content-type'] ?? ''));
}

/** `Cache-Control: no-store` (RFC 9111 §5.2.2.5), in any of the header's lines. */
export function isNoStore(headers: IncomingHttpHeaders | OutgoingHttpHeaders): boolean {
  const value = headers['cache-control'];
  return /(^|,)\s*no-store\s*(,|$)/i.test(Array.isArray(value) ? value.join(',') : String(value ?? ''));
}

/**
 * The key versions are kept under: the URL, the values of the request headers the response
 * varies on, and a hash of the credentials (cookies, authorization), so that a page personalised
 * for one user is never the base of another user's page.
 */
export function cacheKey(url: string, request: IncomingHttpHeaders, vary: string | undefined): string {
  const credentials = createHash('sha256')
    .update(String(request.cookie ?? ''))
    .update('\0')
    .update(String(request.authorization ?? ''))
    .digest('base64');
  const varied = String(vary ?? '')
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name && name !== 'cookie' && name !== 'authorization')
    .sort()
    .map((name) => `${name}=${String(request[name] ?? '')}`);
  return [url, credentials, ...varied].join('\n');
}

/** The Vary each URL answered with last, so a sender can pick its base before the response comes. */
export class VaryMemo {
  readonly #vary = new Map<string, string>();
  readonly #capacity: number;
  constructor(capacity = 10_000) {
    this.#capacity = capacity;
  }

  get(url: string): string | undefined {
    return this.#vary.get(url);
  }

  remember(url: string, vary: string | string[] | number | undefined): void {
    this.#vary.delete(url);
    this.#vary.set(url, Array.isArray(vary) ? vary.join(', ') : String(vary ?? ''));
    if (this.#vary.size > this.#capacity) this.#vary.delete(this.#vary.keys().next().value!);
  }
}
