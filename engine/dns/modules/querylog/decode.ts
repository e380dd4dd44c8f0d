// A captured DNS message decoded for people (the console's packet drawer), with dns-packet. This is
// the slow path: it runs when an operator opens a packet, never per query. Malformed messages are
// decoded as far as the header and reported, not thrown.
import dnsPacket from 'dns-packet';
import type { DecodedMessage } from '../../../api/dns.ts';
import { rcodeName } from '../../wire.ts';

type Decoded = ReturnType<typeof dnsPacket.decode> & { opcode?: string; rcode?: string };
type AnyRecord = NonNullable<Decoded['answers']>[number];

export function decodeMessage(message: Buffer): DecodedMessage {
  const hex = message.toString('hex');
  let decoded: Decoded;
  try {
    decoded = dnsPacket.decode(message) as Decoded;
  } catch (err) {
    const header = message.length >= 12;
    return {
      size: message.length,
      id: header ? message.readUInt16BE(0) : 0,
      opcode: header ? opcodeName((message[2]! >> 3) & 0xf) : 'unknown',
      rcode: header ? rcodeName(message[3]! & 0xf) : 'unknown',
      flags: header ? headerFlags(message.readUInt16BE(2)) : [],
      questions: [],
      answers: [],
      authorities: [],
      additionals: [],
      error: `cannot decode: ${err instanceof Error ? err.message : String(err)}`,
      hex,
    };
  }
  return {
    size: message.length,
    id: decoded.id ?? 0,
    opcode: decoded.opcode ?? opcodeName((message[2]! >> 3) & 0xf),
    rcode: rcodeName(message[3]! & 0xf),
    flags: headerFlags(message.readUInt16BE(2)),
    questions: (decoded.questions ?? []).map((q) => ({ name: q.name || '.', type: String(q.type), class: String(q.class ?? 'IN') })),
    answers: (decoded.answers ?? []).map(describeRecord),
    authorities: (decoded.authorities ?? []).map(describeRecord),
    additionals: (decoded.additionals ?? []).map(describeRecord),
    error: null,
    hex,
  };
}

function headerFlags(flags: number): string[] {
  const names: [number, string][] = [
    [0x8000, 'qr'],
    [0x0400, 'aa'],
    [0x0200, 'tc'],
    [0x0100, 'rd'],
    [0x0080, 'ra'],
    [0x0020, 'ad'],
    [0x0010, 'cd'],
  ];
  return names.filter(([bit]) => flags & bit).map(([, name]) => name);
}

function opcodeName(opcode: number): string {
  return ['QUERY', 'IQUERY', 'STATUS', 'OPCODE3', 'NOTIFY', 'UPDATE'][opcode] ?? `OPCODE${opcode}`;
}

function describeRecord(record: AnyRecord): DecodedMessage['answers'][number] {
  if (record.type === 'OPT') {
    const options = record.options.map((option) => `${option.type ?? option.code}`).join(',');
    return {
      name: record.name || '.',
      type: 'OPT',
      class: '',
      ttl: null,
      data: `udp=${record.udpPayloadSize} version=${record.ednsVersion}${record.flag_do ? ' do' : ''}${options ? ` options=${options}` : ''}`,
    };
  }
  return { name: record.name || '.', type: String(record.type), class: String(record.class ?? 'IN'), ttl: record.ttl ?? null, data: presentation(record) };
}

/** Record data in zone-file style where the type is common; JSON otherwise. */
function presentation(record: Exclude<AnyRecord, { type: 'OPT' }>): string {
  const data: unknown = record.data;
  if (typeof data === 'string') return data;
  if (Buffer.isBuffer(data)) return record.type === 'TXT' ? quote(data) : `\\# ${data.length} ${data.toString('hex')}`;
  if (Array.isArray(data)) return data.map((part) => quote(Buffer.from(part))).join(' ');
  switch (record.type) {
    case 'MX':
      return `${record.data.preference ?? 0} ${record.data.exchange}`;
    case 'SOA': {
      const soa = record.data;
      return `${soa.mname} ${soa.rname} ${soa.serial ?? 0} ${soa.refresh ?? 0} ${soa.retry ?? 0} ${soa.expire ?? 0} ${soa.minimum ?? 0}`;
    }
    case 'SRV':
      return `${record.data.priority ?? 0} ${record.data.weight ?? 0} ${record.data.port} ${record.data.target}`;
    default:
      return JSON.stringify(data, (_key, value: unknown) =>
        value && typeof value === 'object' && (value as { type?: string }).type === 'Buffer'
          ? Buffer.from((value as { data: number[] }).data).toString('hex')
          : value,
      );
  }
}

function quote(bytes: Buffer): string {
  return `"${bytes
    .toString('latin1')
    .replace(/["\\]/g, '\\$&')
    .replace(/[^\x20-\x7e]/g, (c) => `\\${String(c.charCodeAt(0)).padStart(3, '0')}`)}"`;
}
