// Building DNS queries by hand for tests, and asking a server over UDP from a chosen address.
import { createSocket } from 'node:dgram';
import { encodeName } from '../../engine/dns/wire.ts';

export function encodeQuery(name: string, type: number, options: { id?: number; edns?: number; flags?: number } = {}): Buffer {
  const qname = encodeName(name);
  const header = Buffer.alloc(12);
  header.writeUInt16BE(options.id ?? 0x1234, 0);
  header.writeUInt16BE(options.flags ?? 0x0100, 2);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(options.edns ? 1 : 0, 10);
  const tail = Buffer.alloc(4);
  tail.writeUInt16BE(type, 0);
  tail.writeUInt16BE(1, 2);
  const opt = options.edns ? Buffer.from([0, 0, 41, options.edns >> 8, options.edns & 0xff, 0, 0, 0, 0, 0, 0]) : Buffer.alloc(0);
  return Buffer.concat([header, qname, tail, opt]);
}

/** Sends one UDP query and resolves with the answer, or null after the timeout. */
export function askUdp(port: number, query: Buffer, options: { from?: string; timeoutMs?: number } = {}): Promise<Buffer | null> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    const timer = setTimeout(() => {
      socket.close();
      resolve(null);
    }, options.timeoutMs ?? 2000);
    socket.on('message', (message) => {
      clearTimeout(timer);
      socket.close();
      resolve(message);
    });
    socket.bind(0, options.from ?? '127.0.0.1', () => socket.send(query, port, '127.0.0.1'));
  });
}

export interface AnswerSpec {
  rcode?: number;
  truncated?: boolean;
  answers?: { ttl: number; address: [number, number, number, number] }[];
  /** An SOA in the authority section, for negative answers; owned by the question name less `skipLabels` labels. */
  soa?: { ttl: number; minimum: number; skipLabels?: number };
}

/** A response to `query` built by hand: A records owned by the question name, and/or an SOA. */
export function encodeAnswer(query: Buffer, spec: AnswerSpec): Buffer {
  // The question ends after its name and type/class (an OPT after it may carry options, a cookie).
  let questionEnd = 12;
  while (query[questionEnd] !== 0) questionEnd += 1 + query[questionEnd]!;
  questionEnd += 5;
  const header = Buffer.from(query.subarray(0, questionEnd));
  header.writeUInt16BE(0x8180 | (spec.truncated ? 0x0200 : 0) | (spec.rcode ?? 0), 2);
  header.writeUInt16BE(spec.answers?.length ?? 0, 6);
  header.writeUInt16BE(spec.soa ? 1 : 0, 8);
  header.writeUInt16BE(0, 10);
  const records = (spec.answers ?? []).map(({ ttl, address }) => {
    const rr = Buffer.alloc(16);
    rr.writeUInt16BE(0xc00c, 0);
    rr.writeUInt16BE(1, 2);
    rr.writeUInt16BE(1, 4);
    rr.writeUInt32BE(ttl, 6);
    rr.writeUInt16BE(4, 10);
    Buffer.from(address).copy(rr, 12);
    return rr;
  });
  if (spec.soa) {
    const rdata = Buffer.concat([Buffer.from([0xc0, 0x0c, 0xc0, 0x0c]), Buffer.alloc(20)]);
    rdata.writeUInt32BE(spec.soa.minimum, 20);
    let owner = 12;
    for (let i = 0; i < (spec.soa.skipLabels ?? 0); i++) owner += 1 + query[owner]!;
    const rr = Buffer.alloc(12);
    rr.writeUInt16BE(0xc000 | owner, 0);
    rr.writeUInt16BE(6, 2);
    rr.writeUInt16BE(1, 4);
    rr.writeUInt32BE(spec.soa.ttl, 6);
    rr.writeUInt16BE(rdata.length, 10);
    records.push(rr, rdata);
  }
  return Buffer.concat([header, ...records]);
}

/** Sends `count` copies of a query from one address at once; counts full, TC=1 and missing replies. */
export function floodUdp(
  port: number,
  query: Buffer,
  count: number,
  from: string,
  settleMs = 500,
): Promise<{ answered: number; truncated: number; silent: number }> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    const tally = { answered: 0, truncated: 0, silent: count };
    socket.on('message', (message) => {
      tally.silent--;
      if (message.readUInt16BE(2) & 0x0200) tally.truncated++;
      else tally.answered++;
    });
    socket.bind(0, from, () => {
      for (let i = 0; i < count; i++) socket.send(query, port, '127.0.0.1');
      setTimeout(() => {
        socket.close();
        resolve(tally);
      }, settleMs);
    });
  });
}
