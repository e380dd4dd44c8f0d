// DNS wire format, read and written in place. The hot path (cache hits, forwarding) never decodes a
// whole message: it reads the question, patches the ID and rewrites TTLs at known offsets.
// Every read is bounds-checked; malformed input yields null, never an exception.

export const Rcode = { noError: 0, formErr: 1, servFail: 2, nxDomain: 3, notImp: 4, refused: 5 } as const;
const rcodeNames = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED', 'YXDOMAIN', 'YXRRSET', 'NXRRSET', 'NOTAUTH', 'NOTZONE'];
/** The mnemonic of an rcode (RFC 1035, 2136); RCODEn for the rest. */
export const rcodeName = (rcode: number): string => rcodeNames[rcode] ?? `RCODE${rcode}`;
export const Type = { A: 1, NS: 2, CNAME: 5, SOA: 6, PTR: 12, MX: 15, TXT: 16, AAAA: 28, OPT: 41, ANY: 255 } as const;

const headerBytes = 12;
const maxNameBytes = 255;
/** Compression pointers a name may follow; more means a loop or an attack. */
const maxPointerHops = 64;
/** RFC 6891 §6.2.5: below 512 the requestor size is treated as 512. */
export const minUdpSize = 512;

export interface EdnsInfo {
  udpSize: number;
  version: number;
  dnssecOk: boolean;
  /** Where the first COOKIE option's data starts in the query (RFC 7873 §5.2: later ones are ignored), or -1. */
  cookieAt: number;
  cookieLength: number;
  /** The query carries a Padding option (RFC 7830): on an encrypted transport its answer is padded too (RFC 8467 §4.1). */
  padding: boolean;
  /** The option list fits the OPT's RDATA exactly and a COOKIE has a valid length (RFC 7873 §5.2.2): else FORMERR. */
  wellFormed: boolean;
}

/** RFC 6891 §6.1.3: the EDNS version we implement; a query with a higher one gets BADVERS. */
export const ednsVersion = 0;
/** Extended rcodes (RFC 6891 §6.1.3, RFC 7873 §8): the upper 8 bits travel in the OPT record. */
export const ExtendedRcode = { badVers: 16, badCookie: 23 } as const;

export interface ParsedQuery {
  id: number;
  opcode: number;
  recursionDesired: boolean;
  checkingDisabled: boolean;
  /** The name as sent (case kept), without the trailing dot; "." for the root. */
  name: string;
  type: number;
  qclass: number;
  /** Offset just past the question (end of QCLASS). */
  questionEnd: number;
  edns: EdnsInfo | null;
}

/** Reads a name at `offset` (following pointers); returns the name and where it ends in place. */
export function readName(buf: Uint8Array, offset: number): { name: string; end: number } | null {
  const flat = readFlatName(buf, offset);
  if (flat !== undefined) return flat;
  const labels: string[] = [];
  let pos = offset;
  let end = -1;
  let hops = 0;
  let length = 0;
  for (;;) {
    if (pos >= buf.length) return null;
    const len = buf[pos]!;
    if (len === 0) {
      if (end < 0) end = pos + 1;
      break;
    }
    const kind = len & 0xc0;
    if (kind === 0xc0) {
      if (pos + 1 >= buf.length || ++hops > maxPointerHops) return null;
      if (end < 0) end = pos + 2;
      const target = ((len & 0x3f) << 8) | buf[pos + 1]!;
      // A pointer must point backwards; forward pointers are how loops are built.
      if (target >= pos) return null;
      pos = target;
      continue;
    }
    if (kind !== 0) return null;
    length += len + 1;
    if (length > maxNameBytes || pos + 1 + len > buf.length) return null;
    labels.push(latin1(buf, pos + 1, pos + 1 + len));
    pos += 1 + len;
  }
  return { name: labels.length === 0 ? '.' : labels.join('.'), end };
}

/** Where a flat name is assembled: one decode per name instead of a string per label. */
const nameScratch = Buffer.allocUnsafe(maxNameBytes);

/**
 * The common case, a name without compression pointers (every question we accept starts so):
 * labels copied with dots between them, then decoded once. Undefined hands a pointer to readName.
 */
function readFlatName(buf: Uint8Array, offset: number): { name: string; end: number } | null | undefined {
  let pos = offset;
  let out = 0;
  let length = 0;
  for (;;) {
    if (pos >= buf.length) return null;
    const len = buf[pos]!;
    if (len === 0) break;
    if ((len & 0xc0) !== 0) return undefined;
    length += len + 1;
    if (length > maxNameBytes || pos + 1 + len > buf.length) return null;
    if (out > 0) nameScratch[out++] = 0x2e;
    for (let i = pos + 1; i <= pos + len; i++) nameScratch[out++] = buf[i]!;
    pos += 1 + len;
  }
  return { name: out === 0 ? '.' : nameScratch.toString('latin1', 0, out), end: pos + 1 };
}

/** A name in wire form (uncompressed labels and the root byte). */
export function encodeName(name: string): Buffer {
  const labels = name
    .split('.')
    .filter(Boolean)
    .map((label) => Buffer.concat([Buffer.from([label.length]), Buffer.from(label, 'latin1')]));
  return Buffer.concat([...labels, Buffer.from([0])]);
}

/** An NS query for `name` (class IN, no EDNS): the health probe of upstreams and of a new engine process. */
export function nsQuery(name: string, options: { id?: number; recursionDesired?: boolean } = {}): Buffer {
  const header = Buffer.alloc(12);
  writeU16(header, 0, options.id ?? 0);
  writeU16(header, 2, options.recursionDesired ? 0x0100 : 0);
  writeU16(header, 4, 1);
  return Buffer.concat([header, encodeName(name), Buffer.from([0, Type.NS, 0, 1])]);
}

/** Skips a name in place without decoding it; returns the offset after it. */
export function skipName(buf: Uint8Array, offset: number): number | null {
  let pos = offset;
  for (let labels = 0; labels < 128; labels++) {
    if (pos >= buf.length) return null;
    const len = buf[pos]!;
    if (len === 0) return pos + 1;
    if ((len & 0xc0) === 0xc0) return pos + 2 <= buf.length ? pos + 2 : null;
    if ((len & 0xc0) !== 0) return null;
    pos += 1 + len;
  }
  return null;
}

function latin1(buf: Uint8Array, start: number, end: number): string {
  let out = '';
  for (let i = start; i < end; i++) out += String.fromCharCode(buf[i]!);
  return out;
}

export const readU16 = (buf: Uint8Array, offset: number) => (buf[offset]! << 8) | buf[offset + 1]!;
export const readU32 = (buf: Uint8Array, offset: number) =>
  ((buf[offset]! << 24) >>> 0) + (buf[offset + 1]! << 16) + (buf[offset + 2]! << 8) + buf[offset + 3]!;

export function writeU16(buf: Uint8Array, offset: number, value: number): void {
  buf[offset] = value >>> 8;
  buf[offset + 1] = value & 0xff;
}

export function writeU32(buf: Uint8Array, offset: number, value: number): void {
  buf[offset] = value >>> 24;
  buf[offset + 1] = (value >>> 16) & 0xff;
  buf[offset + 2] = (value >>> 8) & 0xff;
  buf[offset + 3] = value & 0xff;
}

/** Parses a query: exactly one question, QR clear, no compression in the question. */
export function parseQuery(buf: Uint8Array): ParsedQuery | null {
  if (buf.length < headerBytes + 5) return null;
  const flags = readU16(buf, 2);
  if (flags & 0x8000) return null;
  if (readU16(buf, 4) !== 1) return null;
  // Queries carry no answers; authority is allowed only for UPDATE/NOTIFY, which we refuse anyway.
  const anCount = readU16(buf, 6);
  const nsCount = readU16(buf, 8);
  const arCount = readU16(buf, 10);
  if (anCount > 0 || nsCount > 16 || arCount > 16) return null;
  const first = buf[headerBytes]!;
  if ((first & 0xc0) !== 0) return null;
  const question = readName(buf, headerBytes);
  if (!question || question.end + 4 > buf.length) return null;
  const questionEnd = question.end + 4;
  const edns = findEdns(buf, questionEnd, nsCount + arCount);
  if (edns === undefined) return null;
  return {
    id: readU16(buf, 0),
    opcode: (flags >>> 11) & 0xf,
    recursionDesired: (flags & 0x0100) !== 0,
    checkingDisabled: (flags & 0x0010) !== 0,
    name: question.name,
    type: readU16(buf, question.end),
    qclass: readU16(buf, question.end + 2),
    questionEnd,
    edns,
  };
}

/** The OPT record among `count` records from `offset`: null when absent, undefined when malformed. */
function findEdns(buf: Uint8Array, offset: number, count: number): EdnsInfo | null | undefined {
  let pos = offset;
  let edns: EdnsInfo | null = null;
  for (let i = 0; i < count; i++) {
    const nameEnd = skipName(buf, pos);
    if (nameEnd === null || nameEnd + 10 > buf.length) return undefined;
    const type = readU16(buf, nameEnd);
    const rdLength = readU16(buf, nameEnd + 8);
    if (nameEnd + 10 + rdLength > buf.length) return undefined;
    if (type === Type.OPT) {
      // RFC 6891 §6.1.1: more than one OPT, or one not owned by the root, is FORMERR.
      if (edns || nameEnd !== pos + 1) return undefined;
      edns = {
        udpSize: Math.max(minUdpSize, readU16(buf, nameEnd + 2)),
        version: buf[nameEnd + 5]!,
        dnssecOk: (buf[nameEnd + 6]! & 0x80) !== 0,
        cookieAt: -1,
        cookieLength: 0,
        padding: false,
        wellFormed: true,
      };
      if (rdLength > 0) readOptions(buf, nameEnd + 10, rdLength, edns);
    }
    pos = nameEnd + 10 + rdLength;
  }
  return edns;
}

/** Notes the COOKIE option among the options at `start` (RFC 6891 §6.1.2: the others are ignored). */
function readOptions(buf: Uint8Array, start: number, length: number, edns: EdnsInfo): void {
  const end = start + length;
  let at = start;
  while (at + 4 <= end) {
    const code = readU16(buf, at);
    const optionLength = readU16(buf, at + 2);
    if (at + 4 + optionLength > end) break;
    if (code === cookieOption && edns.cookieAt < 0) {
      edns.cookieAt = at + 4;
      edns.cookieLength = optionLength;
      // RFC 7873 §5.2.2: a client cookie alone (8) or with a server cookie of 8 to 32 bytes.
      if (!(optionLength === 8 || (optionLength >= 16 && optionLength <= 40))) edns.wellFormed = false;
    }
    if (code === paddingOption) edns.padding = true;
    at += 4 + optionLength;
  }
  if (at !== end) edns.wellFormed = false;
}

/** EDNS option code of Padding (RFC 7830 §4). */
export const paddingOption = 12;
/** EDNS option code of COOKIE (RFC 7873 §4). */
export const cookieOption = 10;
/** The UDP size we offer in every OPT we send (DNS flag day 2020), clients and upstreams alike. */
export const ourUdpSize = 1232;

/**
 * Our OPT record (RFC 6891 §6.1.2): root owner, our UDP size, the upper 8 bits of the rcode,
 * version 0, DO as given, and the options (already encoded), if any.
 */
export function optRecord(dnssecOk: boolean, extendedRcode: number, options: Uint8Array | null): Buffer {
  const out = Buffer.alloc(11 + (options?.length ?? 0));
  const at = writeOpt(out, 0, dnssecOk, extendedRcode, options?.length ?? 0);
  if (options) out.set(options, at);
  return out;
}

/** Writes our OPT record's fixed part at `at` for `optionsLength` bytes of options; returns where they go. */
export function writeOpt(out: Uint8Array, at: number, dnssecOk: boolean, extendedRcode: number, optionsLength: number): number {
  out[at] = 0;
  writeU16(out, at + 1, Type.OPT);
  writeU16(out, at + 3, ourUdpSize);
  out[at + 5] = extendedRcode >>> 4;
  out[at + 6] = ednsVersion;
  out[at + 7] = dnssecOk ? 0x80 : 0;
  out[at + 8] = 0;
  writeU16(out, at + 9, optionsLength);
  return at + 11;
}

/** `message` with `opt` appended to its additional section. */
export function withOpt(message: Uint8Array, opt: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(message.length + opt.length);
  out.set(message, 0);
  out.set(opt, message.length);
  writeU16(out, 10, readU16(message, 10) + 1);
  return out;
}

export interface UpstreamOpt {
  /** The message without its OPT record. */
  message: Buffer;
  /** The rcode, extended bits included (RFC 6891 §6.1.3). */
  rcode: number;
  /** The COOKIE option's data (client + server cookie), or null. */
  cookie: Buffer | null;
}

/**
 * Takes the OPT record out of an answer: what is kept (cache, other clients) must not carry one
 * client's or one upstream's EDNS options; each answer gets its own OPT when it is sent.
 * Null when the message is malformed. The message returned may share the answer's bytes.
 */
export function stripOpt(answer: Buffer): UpstreamOpt | null {
  if (answer.length < headerBytes) return null;
  let pos = headerBytes;
  for (let i = readU16(answer, 4); i > 0; i--) {
    const end = skipName(answer, pos);
    if (end === null || end + 4 > answer.length) return null;
    pos = end + 4;
  }
  const records = readU16(answer, 6) + readU16(answer, 8);
  const additional = readU16(answer, 10);
  for (let i = 0; i < records + additional; i++) {
    const nameEnd = skipName(answer, pos);
    if (nameEnd === null || nameEnd + 10 > answer.length) return null;
    const rdLength = readU16(answer, nameEnd + 8);
    const next = nameEnd + 10 + rdLength;
    if (next > answer.length) return null;
    if (i >= records && readU16(answer, nameEnd) === Type.OPT) {
      const rcode = (answer[nameEnd + 4]! << 4) | (answer[3]! & 0xf);
      const edns = { udpSize: 0, version: 0, dnssecOk: false, cookieAt: -1, cookieLength: 0, padding: false, wellFormed: true };
      readOptions(answer, nameEnd + 10, rdLength, edns);
      const cookie = edns.cookieAt >= 0 ? Buffer.from(answer.subarray(edns.cookieAt, edns.cookieAt + edns.cookieLength)) : null;
      // The OPT is nearly always last: then the message is a view of the answer, no copy.
      let message: Buffer;
      if (next === answer.length) {
        message = answer.subarray(0, pos);
      } else {
        message = Buffer.allocUnsafe(answer.length - (next - pos));
        answer.copy(message, 0, 0, pos);
        answer.copy(message, pos, next);
      }
      writeU16(message, 10, additional - 1);
      return { message, rcode, cookie };
    }
    pos = next;
  }
  return { message: answer, rcode: answer[3]! & 0xf, cookie: null };
}

export interface RecordOffsets {
  rcode: number;
  truncated: boolean;
  /** Offsets of the TTL field of every record but OPT, in answer, authority and additional. */
  ttlOffsets: number[];
  /** The smallest TTL among them (and the SOA minimum for negative answers, RFC 2308 §5). */
  minTtl: number | null;
  answerCount: number;
  /** min(SOA TTL, SOA MINIMUM) of an SOA in the authority section, for negative caching. */
  negativeTtl: number | null;
  /** Where the owner name of that SOA starts (the zone), or null. */
  soaOwnerOffset: number | null;
}

/** Walks a response's records once, in place. Null when the message is malformed. */
export function scanResponse(buf: Uint8Array): RecordOffsets | null {
  if (buf.length < headerBytes) return null;
  const flags = readU16(buf, 2);
  const qdCount = readU16(buf, 4);
  const counts = [readU16(buf, 6), readU16(buf, 8), readU16(buf, 10)] as const;
  let pos = headerBytes;
  for (let i = 0; i < qdCount; i++) {
    const end = skipName(buf, pos);
    if (end === null || end + 4 > buf.length) return null;
    pos = end + 4;
  }
  const ttlOffsets: number[] = [];
  let minTtl: number | null = null;
  let negativeTtl: number | null = null;
  let soaOwnerOffset: number | null = null;
  for (let section = 0; section < 3; section++) {
    for (let i = 0; i < counts[section]!; i++) {
      const nameEnd = skipName(buf, pos);
      if (nameEnd === null || nameEnd + 10 > buf.length) return null;
      const type = readU16(buf, nameEnd);
      const rdLength = readU16(buf, nameEnd + 8);
      const rdata = nameEnd + 10;
      if (rdata + rdLength > buf.length) return null;
      if (type !== Type.OPT) {
        const ttl = readU32(buf, nameEnd + 4);
        ttlOffsets.push(nameEnd + 4);
        minTtl = minTtl === null ? ttl : Math.min(minTtl, ttl);
        if (section === 1 && type === Type.SOA) {
          const soaMinimum = soaMinimumOf(buf, rdata, rdLength);
          if (soaMinimum !== null) negativeTtl = Math.min(ttl, soaMinimum);
          soaOwnerOffset = pos;
        }
      }
      pos = rdata + rdLength;
    }
  }
  return { rcode: flags & 0xf, truncated: (flags & 0x0200) !== 0, ttlOffsets, minTtl, answerCount: counts[0], negativeTtl, soaOwnerOffset };
}

function soaMinimumOf(buf: Uint8Array, rdata: number, rdLength: number): number | null {
  const mname = skipName(buf, rdata);
  const rname = mname === null ? null : skipName(buf, mname);
  if (rname === null || rname + 20 > rdata + rdLength) return null;
  return readU32(buf, rname + 16);
}

/**
 * A response that carries only the header and question of `query` (or only the header when the
 * question could not be read): errors (SERVFAIL, FORMERR, NOTIMP, REFUSED), RRL slips and
 * oversize answers (TC=1). Opcode, RD and CD are the query's (RFC 1035 §4.1.1, RFC 4035 §3.2.2);
 * `authoritative` keeps the AA of the answer it stands for. No RA and no OPT: the server sets
 * both for what it sends (server.ts).
 */
export function emptyResponse(
  query: Uint8Array,
  parsed: ParsedQuery | null,
  rcode: number,
  options: { truncated?: boolean; authoritative?: boolean } = {},
): Buffer {
  const questionEnd = parsed?.questionEnd ?? headerBytes;
  const out = Buffer.alloc(questionEnd);
  out.set(query.subarray(0, questionEnd), 0);
  out[2] = 0x80 | (query[2]! & 0x79) | (options.truncated ? 0x02 : 0) | (options.authoritative ? 0x04 : 0);
  out[3] = (query[3]! & 0x10) | (rcode & 0xf);
  writeU16(out, 4, parsed ? 1 : 0);
  writeU16(out, 6, 0);
  writeU16(out, 8, 0);
  writeU16(out, 10, 0);
  return out;
}

/** The AA bit of a message's header. */
export const isAuthoritative = (buf: Uint8Array): boolean => buf.length >= headerBytes && (buf[2]! & 0x04) !== 0;

/** The TC bit of a message's header, read in place (a whole scan is not needed to know it). */
export function isTruncated(buf: Uint8Array): boolean {
  return buf.length >= headerBytes && (buf[2]! & 0x02) !== 0;
}

export interface AnswerRecord {
  /** Owner name, lower-cased, without the trailing dot. */
  name: string;
  type: number;
  ttl: number;
  rdata: Buffer;
  /** For CNAME: the target, lower-cased (pointers followed). */
  target?: string;
}

/** The answer section's records, decoded enough for CNAME chains. Null when malformed. */
export function readAnswers(buf: Buffer): AnswerRecord[] | null {
  if (buf.length < headerBytes) return null;
  let pos = headerBytes;
  for (let i = 0; i < readU16(buf, 4); i++) {
    const end = skipName(buf, pos);
    if (end === null || end + 4 > buf.length) return null;
    pos = end + 4;
  }
  const records: AnswerRecord[] = [];
  for (let i = 0; i < readU16(buf, 6); i++) {
    const owner = readName(buf, pos);
    if (!owner || owner.end + 10 > buf.length) return null;
    const type = readU16(buf, owner.end);
    const rdLength = readU16(buf, owner.end + 8);
    const rdata = owner.end + 10;
    if (rdata + rdLength > buf.length) return null;
    const record: AnswerRecord = { name: owner.name.toLowerCase(), type, ttl: readU32(buf, owner.end + 4), rdata: buf.subarray(rdata, rdata + rdLength) };
    if (type === Type.CNAME) {
      const target = readName(buf, rdata);
      if (!target) return null;
      record.target = target.name.toLowerCase();
    }
    records.push(record);
    pos = rdata + rdLength;
  }
  return records;
}

/** A NOERROR answer to `query` whose records are all owned by the question name. */
export function answerWith(query: Uint8Array, parsed: ParsedQuery, records: { type: number; ttl: number; rdata: Uint8Array }[]): Buffer {
  const base = emptyResponse(query, parsed, Rcode.noError);
  const rrs = records.map(({ type, ttl, rdata }) => {
    const rr = Buffer.alloc(12 + rdata.length);
    writeU16(rr, 0, 0xc000 | headerBytes); // pointer to the question name
    writeU16(rr, 2, type);
    writeU16(rr, 4, 1);
    writeU32(rr, 6, ttl);
    writeU16(rr, 10, rdata.length);
    rr.set(rdata, 12);
    return rr;
  });
  const out = Buffer.concat([base, ...rrs]);
  writeU16(out, 6, records.length);
  return out;
}
