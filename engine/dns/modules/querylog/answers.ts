// The answer section of a reply as one short line of text, dig +short style with the type in front
// ("CNAME a.example.net; A 192.0.2.1"), for the query history's rows. Read from the wire bytes with
// readAnswers (no full decode): it runs once per logged query for subscribers that ask for it,
// when their batch is sent, not while the query is answered.
import { readAnswers, readName, readU16, Type } from '../../wire.ts';

/** Longer summaries are cut here (a big TXT or a long RRset says enough in its first records). */
const maxLength = 400;

const typeNames: Record<number, string> = Object.fromEntries(Object.entries(Type).map(([name, code]) => [code, name]));
typeNames[33] = 'SRV';
typeNames[65] = 'HTTPS';
typeNames[64] = 'SVCB';
typeNames[257] = 'CAA';

function ipv6(rdata: Uint8Array): string {
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((rdata[i]! << 8) | rdata[i + 1]!);
  // RFC 5952 §4.2: the longest run of two or more zero groups becomes "::" (the first such run on a tie).
  let best = -1;
  let bestLength = 1;
  for (let i = 0; i < 8;) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) [best, bestLength] = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  const hex = groups.map((group) => group.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLength).join(':')}`;
}

function txt(rdata: Uint8Array): string {
  const parts: string[] = [];
  for (let i = 0; i < rdata.length;) {
    const length = rdata[i]!;
    parts.push(JSON.stringify(Buffer.from(rdata.subarray(i + 1, i + 1 + length)).toString('latin1')));
    i += 1 + length;
  }
  return parts.join(' ');
}

function rdataText(message: Buffer, type: number, rdata: Buffer, target: string | undefined): string {
  const offset = rdata.byteOffset - message.byteOffset;
  const nameAt = (at: number) => (readName(message, at)?.name ?? '?').toLowerCase();
  if (type === Type.A && rdata.length === 4) return rdata.join('.');
  if (type === Type.AAAA && rdata.length === 16) return ipv6(rdata);
  if (type === Type.CNAME) return target ?? '?';
  if (type === Type.NS || type === Type.PTR) return nameAt(offset);
  if (type === Type.MX && rdata.length > 2) return `${readU16(rdata, 0)} ${nameAt(offset + 2)}`;
  if (type === Type.TXT) return txt(rdata);
  // RFC 3597 §5: the generic form for the rest.
  return `\\# ${rdata.length}`;
}

/** The reply's answer records as text; null for no reply, an empty answer section or a malformed message. */
export function answerSummary(reply: Buffer | null): string | null {
  if (!reply) return null;
  const records = readAnswers(reply);
  if (!records || records.length === 0) return null;
  let text = '';
  for (const record of records) {
    if (record.type === Type.OPT) continue;
    const part = `${typeNames[record.type] ?? `TYPE${record.type}`} ${rdataText(reply, record.type, record.rdata, record.target)}`;
    text = text ? `${text}; ${part}` : part;
    if (text.length > maxLength) return `${text.slice(0, maxLength - 1)}…`;
  }
  return text || null;
}
