// Splitting trusted PEM files (our own shipped data, not user input: the input/ parser handles
// that). Only CERTIFICATE blocks are taken; `#` comment lines between blocks are skipped.

const BEGIN = '-----BEGIN CERTIFICATE-----';
const END = '-----END CERTIFICATE-----';

/** The base64 text of every CERTIFICATE block, untouched (line breaks included). */
export function pemBodies(text: string): string[] {
  const out: string[] = [];
  let pos = 0;
  for (;;) {
    const begin = text.indexOf(BEGIN, pos);
    if (begin < 0) return out;
    const end = text.indexOf(END, begin);
    if (end < 0) return out;
    out.push(text.slice(begin + BEGIN.length, end));
    pos = end + END.length;
  }
}

export function decodeBody(body: string): Buffer {
  return Buffer.from(body, 'base64');
}
