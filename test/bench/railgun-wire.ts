// Where the link's bytes go: a TCP relay between the sender and the listener that keeps both
// directions' raw bytes, then, with the TLS 1.3 secrets Node writes under --tls-keylog, decrypts
// every record (RFC 8446 §5.2, §7.3) and splits the plaintext into HTTP/2 frames (RFC 9113 §4.1)
// and HPACK field representations (RFC 7541 §6). Counted per request window (`mark()` between
// requests), so a bench can say how many bytes were TLS records, frame headers, header blocks and
// bodies.
import { createDecipheriv, createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Relay } from '../engine/railgun/pair.ts';

/** One direction of the link within one request window. */
export interface WireCount {
  /** All bytes on the socket. */
  bytes: number;
  records: number;
  /** Record header, inner content type and AEAD tag (22 B a TLS 1.3 record). */
  recordOverhead: number;
  /** Handshake and other non-HTTP/2 record contents (NewSessionTicket, alerts). */
  tlsContent: number;
  frameHeaders: number;
  /** HEADERS (+ CONTINUATION) payloads: HPACK header blocks. */
  headerBlocks: number;
  data: number;
  /** SETTINGS, PING, WINDOW_UPDATE, RST_STREAM, GOAWAY payloads, and the client preface. */
  control: number;
  /** Frames by type name, and the bytes of each literal field representation in the header blocks (in order). */
  frames: Record<string, number>;
  literals: number[];
}

const frameTypes: Record<number, string> = {
  0: 'DATA',
  1: 'HEADERS',
  3: 'RST_STREAM',
  4: 'SETTINGS',
  6: 'PING',
  7: 'GOAWAY',
  8: 'WINDOW_UPDATE',
  9: 'CONTINUATION',
};

export function emptyCount(): WireCount {
  return { bytes: 0, records: 0, recordOverhead: 0, tlsContent: 0, frameHeaders: 0, headerBlocks: 0, data: 0, control: 0, frames: {}, literals: [] };
}

/** RFC 8446 §7.1 HKDF-Expand-Label with an empty context. */
function expandLabel(hash: string, secret: Buffer, label: string, length: number): Buffer {
  const full = Buffer.from(`tls13 ${label}`);
  const info = Buffer.concat([Buffer.from([length >> 8, length & 0xff, full.length]), full, Buffer.from([0])]);
  const blocks: Buffer[] = [];
  let previous = Buffer.alloc(0);
  for (let i = 1; blocks.length * previous.length < length || blocks.length === 0; i++) {
    previous = createHmac(hash, secret)
      .update(Buffer.concat([previous, info, Buffer.from([i])]))
      .digest();
    blocks.push(previous);
  }
  return Buffer.concat(blocks).subarray(0, length);
}

interface TrafficKey {
  cipher: 'aes-128-gcm' | 'aes-256-gcm';
  key: Buffer;
  iv: Buffer;
  seq: bigint;
}

function trafficKey(secret: Buffer): TrafficKey {
  // TLS_AES_256_GCM_SHA384 has 48-byte secrets, TLS_AES_128_GCM_SHA256 32-byte ones (ChaCha20 is not offered first by OpenSSL here).
  const [hash, cipher, keyLength] = secret.length === 48 ? (['sha384', 'aes-256-gcm', 32] as const) : (['sha256', 'aes-128-gcm', 16] as const);
  return { cipher, key: expandLabel(hash, secret, 'key', keyLength), iv: expandLabel(hash, secret, 'iv', 12), seq: 0n };
}

function open(key: TrafficKey, header: Buffer, body: Buffer): Buffer | null {
  const nonce = Buffer.from(key.iv);
  for (let i = 0; i < 8; i++) nonce[11 - i]! ^= Number((key.seq >> BigInt(8 * i)) & 0xffn);
  try {
    const decipher = createDecipheriv(key.cipher, key.key, nonce);
    decipher.setAAD(header);
    decipher.setAuthTag(body.subarray(body.length - 16));
    const plain = Buffer.concat([decipher.update(body.subarray(0, body.length - 16)), decipher.final()]);
    key.seq++;
    return plain;
  } catch {
    return null;
  }
}

/** Sizes of the literal field representations of one HPACK block (indexed fields are 1-2 bytes and are left out). */
function literalSizes(block: Buffer): number[] {
  const sizes: number[] = [];
  let at = 0;
  const integer = (prefixBits: number) => {
    const mask = (1 << prefixBits) - 1;
    let value = block[at++]! & mask;
    if (value < mask) return value;
    let shift = 0;
    let byte: number;
    do {
      byte = block[at++]!;
      value += (byte & 0x7f) << shift;
      shift += 7;
    } while (byte & 0x80);
    return value;
  };
  const string = () => {
    const length = integer(7);
    at += length;
  };
  while (at < block.length) {
    const start = at;
    const first = block[at]!;
    if (first & 0x80) integer(7);
    else if ((first & 0xe0) === 0x20) integer(5);
    else {
      const index = integer(first & 0x40 ? 6 : 4);
      if (index === 0) string();
      string();
      sizes.push(at - start);
    }
  }
  return sizes;
}

/** One direction of one TLS connection: records, decrypted, then HTTP/2 frames. */
class Direction {
  readonly #raw: Buffer[] = [];
  /** Byte offsets of the raw stream at each mark. */
  readonly marks: number[] = [];
  #length = 0;
  readonly fromClient: boolean;
  constructor(fromClient: boolean) {
    this.fromClient = fromClient;
  }

  push(chunk: Buffer): void {
    this.#raw.push(chunk);
    this.#length += chunk.length;
  }

  mark(): void {
    this.marks.push(this.#length);
  }

  get raw(): Buffer {
    return Buffer.concat(this.#raw);
  }
}

export class WireTap {
  readonly #relay: Relay;
  readonly #connections: { up: Direction; down: Direction }[] = [];
  #windows = 0;

  constructor(targetPort: number) {
    this.#relay = new Relay(targetPort, (client, upstream) => {
      const connection = { up: new Direction(true), down: new Direction(false) };
      for (let i = 0; i < this.#windows; i++) {
        connection.up.mark();
        connection.down.mark();
      }
      this.#connections.push(connection);
      client.on('data', (chunk: Buffer) => connection.up.push(chunk));
      upstream.on('data', (chunk: Buffer) => connection.down.push(chunk));
    });
  }

  listen(): Promise<number> {
    return this.#relay.listen();
  }

  /** Starts a new window: bytes from here on are counted to the next one. */
  mark(): void {
    this.#windows++;
    for (const { up, down } of this.#connections) {
      up.mark();
      down.mark();
    }
  }

  close(): Promise<void> {
    return this.#relay.close();
  }

  /** Counts per window (index i: from mark i to mark i+1, or to the end), both directions, decrypted with the key log. */
  count(keylogFile: string): { up: WireCount; down: WireCount }[] {
    const secrets = new Map<string, Buffer>();
    for (const line of readFileSync(keylogFile, 'utf8').split('\n')) {
      const [label, random, secret] = line.trim().split(' ');
      if (label && random && secret) secrets.set(`${label} ${random.toLowerCase()}`, Buffer.from(secret, 'hex'));
    }
    const windows = Array.from({ length: this.#windows + 1 }, () => ({ up: emptyCount(), down: emptyCount() }));
    for (const { up, down } of this.#connections) {
      const upRaw = up.raw;
      // The ClientHello's random (record header 5, handshake header 4, version 2) names the connection in the key log.
      const random = upRaw.subarray(11, 43).toString('hex');
      for (const direction of [up, down]) {
        const side = direction.fromClient ? 'CLIENT' : 'SERVER';
        const handshake = secrets.get(`${side}_HANDSHAKE_TRAFFIC_SECRET ${random}`);
        const application = secrets.get(`${side}_TRAFFIC_SECRET_0 ${random}`);
        if (!handshake || !application)
          throw new Error(`wire tap: no TLS 1.3 secrets for connection ${random.slice(0, 16)}... in ${keylogFile} (run node with --tls-keylog)`);
        countDirection(
          direction === up ? upRaw : direction.raw,
          direction,
          [trafficKey(handshake), trafficKey(application)],
          windows,
          direction.fromClient ? 'up' : 'down',
        );
      }
    }
    return windows;
  }
}

function countDirection(
  raw: Buffer,
  direction: Direction,
  keys: [TrafficKey, TrafficKey],
  windows: { up: WireCount; down: WireCount }[],
  side: 'up' | 'down',
): void {
  let keyIndex = 0;
  let plain = Buffer.alloc(0);
  let prefaceLeft = direction.fromClient ? 24 : 0;
  const windowAt = (offset: number) => {
    let window = 0;
    while (window < direction.marks.length && direction.marks[window]! < offset) window++;
    return windows[window]![side];
  };
  for (let at = 0; at + 5 <= raw.length;) {
    const length = raw.readUInt16BE(at + 3);
    const header = raw.subarray(at, at + 5);
    const body = raw.subarray(at + 5, at + 5 + length);
    const count = windowAt(at + 5 + length);
    at += 5 + length;
    count.bytes += 5 + length;
    count.records++;
    if (header[0] !== 23) {
      // ClientHello, ServerHello, ChangeCipherSpec: in the clear.
      count.recordOverhead += 5;
      count.tlsContent += length;
      continue;
    }
    let inner = open(keys[keyIndex]!, header, body);
    if (!inner && keyIndex === 0) inner = open(keys[(keyIndex = 1)]!, header, body);
    if (!inner) throw new Error('wire tap: a record did not decrypt with the logged secrets');
    let end = inner.length;
    while (end > 0 && inner[end - 1] === 0) end--;
    const type = inner[end - 1];
    count.recordOverhead += 5 + 16 + 1 + (inner.length - end);
    const content = inner.subarray(0, end - 1);
    if (type !== 23) {
      count.tlsContent += content.length;
      continue;
    }
    plain = Buffer.concat([plain, content]);
    if (prefaceLeft > 0) {
      const taken = Math.min(prefaceLeft, plain.length);
      count.control += taken;
      prefaceLeft -= taken;
      plain = plain.subarray(taken);
    }
    while (plain.length >= 9) {
      const frameLength = plain.readUIntBE(0, 3);
      if (plain.length < 9 + frameLength) break;
      const name = frameTypes[plain[3]!] ?? `type-${plain[3]}`;
      let payload = plain.subarray(9, 9 + frameLength);
      const flags = plain[4]!;
      if (name === 'HEADERS') {
        // RFC 9113 §6.2: PADDED (0x8) and PRIORITY (0x20) fields come before the block.
        const pad = flags & 0x8 ? payload[0]! + 1 : 0;
        const priority = flags & 0x20 ? 5 : 0;
        count.control += pad + priority;
        payload = payload.subarray((flags & 0x8 ? 1 : 0) + priority, payload.length - (flags & 0x8 ? payload[0]! : 0));
      }
      count.frames[name] = (count.frames[name] ?? 0) + 1;
      count.frameHeaders += 9;
      if (name === 'DATA') count.data += frameLength;
      else if (name === 'HEADERS' || name === 'CONTINUATION') {
        count.headerBlocks += payload.length;
        count.literals.push(...literalSizes(payload));
      } else count.control += frameLength;
      plain = plain.subarray(9 + frameLength);
    }
  }
}
