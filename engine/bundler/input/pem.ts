// Finds PEM blocks (RFC 7468) in text: any number, any order, with anything between them (openssl's
// "subject=" and "Bag Attributes" lines, comments, a mail's quoting). Decoding is left to the caller.
// The bundler's one PEM splitter: uploads (objects.ts), the shipped trust data (trust/store.ts).

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

const BEGIN = '-----BEGIN ';
// Sticky: tried only where a "-----BEGIN " was found, so a label costs at most 63 characters.
const beginLine = /-----BEGIN ([A-Z0-9][A-Z0-9 #._-]{0,62})-----/y;

export function looksLikePem(text: string): boolean {
  return text.includes(BEGIN);
}

/**
 * Linear in the text: each block's END is looked for only up to the next BEGIN, so every character
 * is scanned a bounded number of times however many BEGIN lines there are (a file of 37,000 BEGIN
 * lines and no END once cost a scan to the end of the text per line). `work.scanned` counts the
 * characters the searches ran over, so a test can check that bound without a clock.
 */
export function findPemBlocks(text: string, work: { scanned: number } = { scanned: 0 }): PemBlock[] {
  const blocks: PemBlock[] = [];
  for (let start = text.indexOf(BEGIN); start >= 0;) {
    const nextBegin = text.indexOf(BEGIN, start + BEGIN.length);
    const limit = nextBegin >= 0 ? nextBegin : text.length;
    work.scanned += limit - start;
    beginLine.lastIndex = start;
    const match = beginLine.exec(text);
    if (match && match.index + match[0].length <= limit) {
      const label = match[1]!.trim();
      const bodyStart = match.index + match[0].length;
      const endMarker = `-----END ${label}-----`;
      const segment = text.slice(bodyStart, limit);
      work.scanned += segment.length;
      const endInSegment = segment.indexOf(endMarker);
      if (endInSegment < 0) {
        blocks.push({ label, headers: {}, base64: '', text: text.slice(start, limit), complete: false });
      } else {
        const end = bodyStart + endInSegment;
        const { headers, body } = splitHeaders(text.slice(bodyStart, end));
        blocks.push({
          label,
          headers,
          base64: body.replace(/\s+/g, ''),
          text: text.slice(start, end + endMarker.length),
          complete: true,
        });
      }
    }
    start = nextBegin;
  }
  return blocks;
}

function splitHeaders(body: string): { headers: Record<string, string>; body: string } {
  // Most blocks have no headers: tell by the first line before splitting the body into lines.
  if (!/^(?:\s*\n)?[A-Za-z-]+:/.test(body)) return { headers: {}, body };
  const lines = body.replace(/^\s*\n/, '').split(/\r?\n/);
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

/** The DER of every complete CERTIFICATE block, in order; a block whose body is not base64 is left out. */
export function pemCertificates(text: string): Buffer[] {
  return findPemBlocks(text).flatMap((block) => {
    const der = block.label === 'CERTIFICATE' && block.complete ? decodeBase64(block.base64) : null;
    return der ? [der] : [];
  });
}
