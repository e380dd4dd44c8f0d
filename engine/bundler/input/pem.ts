// Finds PEM blocks (RFC 7468) in text: any number, any order, with anything between them (openssl's
// "subject=" and "Bag Attributes" lines, comments, a mail's quoting). Decoding is left to the caller.

export interface PemBlock {
  /** The label, e.g. CERTIFICATE, PRIVATE KEY, RSA PRIVATE KEY, PKCS7. */
  label: string;
  /** RFC 1421 headers (Proc-Type, DEK-Info) of legacy encrypted keys; empty for most blocks. */
  headers: Record<string, string>;
  /** The base64 body without headers and whitespace. */
  base64: string;
  /** The block as written, BEGIN to END, for parsers that want PEM (node:crypto's legacy key decryption). */
  text: string;
  /** false when BEGIN has no matching END before the next BEGIN or the end of the text. */
  complete: boolean;
}

const beginLine = /-----BEGIN ([A-Z0-9][A-Z0-9 #._-]{0,62})-----/g;

export function looksLikePem(text: string): boolean {
  return text.includes('-----BEGIN ');
}

export function findPemBlocks(text: string): PemBlock[] {
  const blocks: PemBlock[] = [];
  beginLine.lastIndex = 0;
  for (let match = beginLine.exec(text); match; match = beginLine.exec(text)) {
    const label = match[1]!.trim();
    const bodyStart = match.index + match[0].length;
    const endMarker = `-----END ${label}-----`;
    const end = text.indexOf(endMarker, bodyStart);
    const nextBegin = text.indexOf('-----BEGIN ', bodyStart);
    if (end < 0 || (nextBegin >= 0 && nextBegin < end)) {
      blocks.push({ label, headers: {}, base64: '', text: text.slice(match.index, nextBegin >= 0 ? nextBegin : text.length), complete: false });
      continue;
    }
    const { headers, body } = splitHeaders(text.slice(bodyStart, end));
    blocks.push({
      label,
      headers,
      base64: body.replace(/\s+/g, ''),
      text: text.slice(match.index, end + endMarker.length),
      complete: true,
    });
    beginLine.lastIndex = end + endMarker.length;
  }
  return blocks;
}

function splitHeaders(body: string): { headers: Record<string, string>; body: string } {
  const lines = body.replace(/^\s*\n/, '').split(/\r?\n/);
  if (!/^[A-Za-z-]+:/.test(lines[0] ?? '')) return { headers: {}, body };
  const headers: Record<string, string> = {};
  let i = 0;
  for (; i < lines.length && lines[i]!.trim() !== ''; i++) {
    const colon = lines[i]!.indexOf(':');
    if (colon > 0) headers[lines[i]!.slice(0, colon).trim()] = lines[i]!.slice(colon + 1).trim();
  }
  return { headers, body: lines.slice(i).join('\n') };
}

/** Strict base64 (RFC 4648 alphabet, optional padding); null when it is not base64 at all. */
export function decodeBase64(base64: string): Buffer | null {
  if (base64.length === 0 || base64.length % 4 === 1 || !/^[A-Za-z0-9+/]+={0,2}$/.test(base64)) return null;
  return Buffer.from(base64, 'base64');
}
