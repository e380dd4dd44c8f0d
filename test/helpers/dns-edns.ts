// Queries with any EDNS shape, built by hand (dns-packet cannot write an EDNS version, an opcode
// it does not know or a COOKIE by code), and answers read into what conformance tests compare:
// header bits, the full rcode, the OPT record and its options, and the records (dns-packet).
import { connect } from 'node:net';
import dnsPacket from 'dns-packet';
import { encodeName } from '../../engine/dns/wire.ts';

export interface EdnsSpec {
  version?: number;
  dnssecOk?: boolean;
  udpSize?: number;
  options?: { code: number; data: Buffer }[];
}

export interface QuerySpec {
  id: number;
  name: string;
  type: number;
  opcode?: number;
  recursionDesired?: boolean;
  checkingDisabled?: boolean;
  edns?: EdnsSpec | null;
}

export function buildQuery(spec: QuerySpec): Buffer {
  const header = Buffer.alloc(12);
  header.writeUInt16BE(spec.id, 0);
  header[2] = ((spec.opcode ?? 0) << 3) | (spec.recursionDesired === false ? 0 : 1);
  header[3] = spec.checkingDisabled ? 0x10 : 0;
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(spec.edns ? 1 : 0, 10);
  const tail = Buffer.alloc(4);
  tail.writeUInt16BE(spec.type, 0);
  tail.writeUInt16BE(1, 2);
  const parts = [header, encodeName(spec.name), tail];
  if (spec.edns) {
    const options = Buffer.concat(
      (spec.edns.options ?? []).map(({ code, data }) => {
        const head = Buffer.alloc(4);
        head.writeUInt16BE(code, 0);
        head.writeUInt16BE(data.length, 2);
        return Buffer.concat([head, data]);
      }),
    );
    const opt = Buffer.alloc(11);
    opt.writeUInt16BE(41, 1);
    opt.writeUInt16BE(spec.edns.udpSize ?? 1232, 3);
    opt[6] = spec.edns.version ?? 0;
    opt[7] = spec.edns.dnssecOk ? 0x80 : 0;
    opt.writeUInt16BE(options.length, 9);
    parts.push(opt, options);
  }
  return Buffer.concat(parts);
}

export interface ReadAnswer {
  id: number;
  qr: boolean;
  opcode: number;
  aa: boolean;
  tc: boolean;
  rd: boolean;
  ra: boolean;
  ad: boolean;
  cd: boolean;
  /** Header rcode with the OPT's upper bits (RFC 6891 §6.1.3). */
  rcode: number;
  /** The question's bytes as sent back (letter case included). */
  question: string;
  opt: { udpSize: number; version: number; dnssecOk: boolean; options: { code: number; data: string }[] } | null;
  /** "name type class ttl data" per record, OPT left out. */
  answers: Record[];
  authorities: Record[];
  additionals: Record[];
}

export interface Record {
  name: string;
  type: string;
  ttl: number;
  data: string;
}

export function readAnswer(message: Buffer): ReadAnswer {
  const packet = dnsPacket.decode(message);
  const opt = (packet.additionals ?? []).find((r) => r.type === 'OPT') as (dnsPacket.OptAnswer & { extendedRcode?: number; ednsVersion?: number }) | undefined;
  const records = (list: dnsPacket.Answer[] | undefined): Record[] =>
    (list ?? [])
      .filter((r) => r.type !== 'OPT')
      .map((r) => ({ name: r.name, type: r.type, ttl: (r as { ttl?: number }).ttl ?? 0, data: JSON.stringify((r as { data?: unknown }).data) }));
  let questionEnd = 12;
  if (message.readUInt16BE(4) > 0) {
    while (message[questionEnd] !== 0) questionEnd += 1 + message[questionEnd]!;
    questionEnd += 5;
  }
  return {
    id: message.readUInt16BE(0),
    qr: (message[2]! & 0x80) !== 0,
    opcode: (message[2]! >> 3) & 0xf,
    aa: (message[2]! & 0x04) !== 0,
    tc: (message[2]! & 0x02) !== 0,
    rd: (message[2]! & 0x01) !== 0,
    ra: (message[3]! & 0x80) !== 0,
    ad: (message[3]! & 0x20) !== 0,
    cd: (message[3]! & 0x10) !== 0,
    rcode: ((opt?.extendedRcode ?? 0) << 4) | (message[3]! & 0xf),
    question: message.subarray(12, questionEnd).toString('hex'),
    opt: opt
      ? {
          udpSize: opt.udpPayloadSize,
          version: opt.ednsVersion ?? 0,
          dnssecOk: ((opt.flags ?? 0) & 0x8000) !== 0,
          options: (opt.options ?? []).map((o) => ({ code: o.code, data: Buffer.from(o.data ?? []).toString('hex') })),
        }
      : null,
    answers: records(packet.answers),
    authorities: records(packet.authorities),
    additionals: records(packet.additionals),
  };
}

/** Sends one query over TCP (length-prefixed) to 127.0.0.1:port; the answer, or null on error or after the timeout. */
export function askTcp(port: number, query: Buffer, timeoutMs = 3000): Promise<Buffer | null> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let received = Buffer.alloc(0);
    const finish = (answer: Buffer | null) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(answer);
    };
    const timer = setTimeout(() => finish(null), timeoutMs);
    socket.on('error', () => finish(null));
    socket.on('connect', () => {
      const prefix = Buffer.alloc(2);
      prefix.writeUInt16BE(query.length);
      socket.write(Buffer.concat([prefix, query]));
    });
    socket.on('data', (chunk) => {
      received = Buffer.concat([received, chunk]);
      if (received.length >= 2 && received.length >= 2 + received.readUInt16BE(0)) finish(received.subarray(2, 2 + received.readUInt16BE(0)));
    });
  });
}
