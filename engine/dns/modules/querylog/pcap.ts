// Captured exchanges as a classic pcap file (LINKTYPE_RAW: each record starts at the IP header),
// which tcpdump, Wireshark and tshark read. The IP, UDP and TCP headers are rebuilt from the
// addresses we know, with valid checksums; a TCP exchange becomes one segment each way carrying the
// 2-byte length prefix, with sequence numbers that continue per connection within the file.
import { isIPv6 } from 'node:net';
import type { CapturedExchange, Endpoint } from './capture.ts';

const linktypeRaw = 101;
const protocolTcp = 6;
const protocolUdp = 17;

export function encodePcap(exchanges: readonly CapturedExchange[]): Buffer {
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(0xffff, 16);
  header.writeUInt32LE(linktypeRaw, 20);
  const records: Buffer[] = [header];
  const tcpSequence = new Map<string, number>();
  const nextSequence = (from: Endpoint, to: Endpoint, length: number) => {
    const key = `${from.address}|${from.port}|${to.address}|${to.port}`;
    const sequence = tcpSequence.get(key) ?? 1;
    tcpSequence.set(key, (sequence + length) >>> 0);
    return sequence;
  };
  for (const exchange of exchanges) {
    // DoT and DoH are written as the DNS over TCP they carry (the capture holds no TLS).
    const tcp = exchange.entry.transport !== 'udp';
    const [client, server] = sameFamily(exchange.client, exchange.server);
    const packets: [Endpoint, Endpoint, Buffer, number][] = [[client, server, exchange.query, exchange.entry.at]];
    if (exchange.reply) packets.push([server, client, exchange.reply, exchange.answeredAt]);
    for (const [from, to, message, at] of packets) {
      const payload = tcp ? withLengthPrefix(message) : message;
      const transport = tcp ? tcpSegment(from, to, payload, nextSequence(from, to, payload.length), nextSequence(to, from, 0)) : udpDatagram(from, to, payload);
      records.push(record(ipPacket(from, to, tcp ? protocolTcp : protocolUdp, transport), at));
    }
  }
  return Buffer.concat(records);
}

/** Both endpoints as IPv6 when one is (an IPv4 one mapped), so that one IP header fits both. */
function sameFamily(a: Endpoint, b: Endpoint): [Endpoint, Endpoint] {
  if (isIPv6(a.address) === isIPv6(b.address)) return [a, b];
  const mapped = (endpoint: Endpoint) => (isIPv6(endpoint.address) ? endpoint : { ...endpoint, address: `::ffff:${endpoint.address}` });
  return [mapped(a), mapped(b)];
}

function record(packet: Buffer, at: number): Buffer {
  const header = Buffer.alloc(16);
  header.writeUInt32LE(Math.floor(at / 1000), 0);
  header.writeUInt32LE(Math.round((at % 1000) * 1000), 4);
  header.writeUInt32LE(packet.length, 8);
  header.writeUInt32LE(packet.length, 12);
  return Buffer.concat([header, packet]);
}

function withLengthPrefix(message: Buffer): Buffer {
  const prefix = Buffer.alloc(2);
  prefix.writeUInt16BE(message.length);
  return Buffer.concat([prefix, message]);
}

function udpDatagram(from: Endpoint, to: Endpoint, payload: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt16BE(from.port, 0);
  header.writeUInt16BE(to.port, 2);
  header.writeUInt16BE(8 + payload.length, 4);
  const datagram = Buffer.concat([header, payload]);
  // 0 would mean "no checksum", which IPv6 forbids: send 0xffff instead (RFC 768).
  datagram.writeUInt16BE(transportChecksum(from, to, protocolUdp, datagram) || 0xffff, 6);
  return datagram;
}

function tcpSegment(from: Endpoint, to: Endpoint, payload: Buffer, sequence: number, acknowledged: number): Buffer {
  const header = Buffer.alloc(20);
  header.writeUInt16BE(from.port, 0);
  header.writeUInt16BE(to.port, 2);
  header.writeUInt32BE(sequence, 4);
  header.writeUInt32BE(acknowledged, 8);
  header[12] = 5 << 4; // 20-byte header
  header[13] = 0x18; // PSH, ACK
  header.writeUInt16BE(0xffff, 14); // window
  const segment = Buffer.concat([header, payload]);
  segment.writeUInt16BE(transportChecksum(from, to, protocolTcp, segment), 16);
  return segment;
}

function ipPacket(from: Endpoint, to: Endpoint, protocol: number, payload: Buffer): Buffer {
  if (isIPv6(from.address)) {
    const header = Buffer.alloc(40);
    header[0] = 0x60;
    header.writeUInt16BE(payload.length, 4);
    header[6] = protocol;
    header[7] = 64;
    addressBytes(from.address).copy(header, 8);
    addressBytes(to.address).copy(header, 24);
    return Buffer.concat([header, payload]);
  }
  const header = Buffer.alloc(20);
  header[0] = 0x45;
  header.writeUInt16BE(20 + payload.length, 2);
  header[6] = 0x40; // don't fragment
  header[8] = 64;
  header[9] = protocol;
  addressBytes(from.address).copy(header, 12);
  addressBytes(to.address).copy(header, 16);
  header.writeUInt16BE(finishChecksum(sum16(header)), 10);
  return Buffer.concat([header, payload]);
}

/** The UDP/TCP checksum over the pseudo-header and the segment (RFC 768, 793, 8200 §8.1). */
function transportChecksum(from: Endpoint, to: Endpoint, protocol: number, segment: Buffer): number {
  const source = addressBytes(from.address);
  const destination = addressBytes(to.address);
  const pseudo = Buffer.alloc(source.length === 4 ? 12 : 40);
  source.copy(pseudo, 0);
  destination.copy(pseudo, source.length);
  if (source.length === 4) {
    pseudo[9] = protocol;
    pseudo.writeUInt16BE(segment.length, 10);
  } else {
    pseudo.writeUInt32BE(segment.length, 32);
    pseudo[39] = protocol;
  }
  return finishChecksum(sum16(pseudo) + sum16(segment));
}

function sum16(bytes: Buffer): number {
  let sum = 0;
  for (let i = 0; i + 1 < bytes.length; i += 2) sum += (bytes[i]! << 8) | bytes[i + 1]!;
  if (bytes.length % 2 === 1) sum += bytes[bytes.length - 1]! << 8;
  return sum;
}

function finishChecksum(sum: number): number {
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return ~sum & 0xffff;
}

/** The bytes of an IPv4 or IPv6 address; an IPv4-mapped IPv6 address stays IPv6. */
export function addressBytes(withZone: string): Buffer {
  const address = withZone.replace(/%.*$/, '');
  if (!isIPv6(address)) return Buffer.from(address.split('.').map(Number));
  const [head = '', tail] = address.split('::') as [string, string | undefined];
  const groups = (part: string) => (part === '' ? [] : part.split(':'));
  let left = groups(head);
  let right = tail === undefined ? [] : groups(tail);
  // A dotted IPv4 tail (::ffff:127.0.0.1) is two groups.
  const expand = (list: string[]) =>
    list.flatMap((group) =>
      group.includes('.') ? ((b) => [((b[0]! << 8) | b[1]!).toString(16), ((b[2]! << 8) | b[3]!).toString(16)])(group.split('.').map(Number)) : [group],
    );
  left = expand(left);
  right = expand(right);
  const all = tail === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  const bytes = Buffer.alloc(16);
  all.forEach((group, i) => bytes.writeUInt16BE(parseInt(group, 16), i * 2));
  return bytes;
}
