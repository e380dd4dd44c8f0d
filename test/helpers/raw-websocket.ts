// A WebSocket client that writes frames byte by byte (RFC 6455 §5.2), to send what a correct
// client library never would, and reads the server's close frame (§5.5.1) back.
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

export interface FrameSpec {
  fin?: boolean;
  /** The RSV1-3 bits, as they sit in the first byte (0x40, 0x20, 0x10). */
  rsv?: number;
  opcode: number;
  payload?: Buffer;
  masked?: boolean;
  /** A payload length to announce instead of the payload's own (the body is not sent then). */
  announcedLength?: bigint;
}

export function frame({ fin = true, rsv = 0, opcode, payload = Buffer.alloc(0), masked = true, announcedLength }: FrameSpec): Buffer {
  const length = announcedLength ?? BigInt(payload.length);
  const head = [(fin ? 0x80 : 0) | rsv | opcode];
  let extended = Buffer.alloc(0);
  if (length < 126n) head.push(Number(length));
  else if (length < 0x10000n) {
    head.push(126);
    extended = Buffer.alloc(2);
    extended.writeUInt16BE(Number(length));
  } else {
    head.push(127);
    extended = Buffer.alloc(8);
    extended.writeBigUInt64BE(length);
  }
  if (masked) head[1]! |= 0x80;
  const key = masked ? randomBytes(4) : Buffer.alloc(0);
  const body = announcedLength !== undefined ? Buffer.alloc(0) : Buffer.from(payload);
  if (masked) for (let i = 0; i < body.length; i++) body[i]! ^= key[i % 4]!;
  return Buffer.concat([Buffer.from(head), extended, key, body]);
}

export function closePayload(code: number, reason: Buffer | string = ''): Buffer {
  const buffer = Buffer.alloc(2);
  buffer.writeUInt16BE(code);
  return Buffer.concat([buffer, Buffer.from(reason)]);
}

/** Opens a socket and completes the opening handshake (§4.1) with the given extra headers. */
export async function rawUpgrade(port: number, path: string, headers: Record<string, string>): Promise<Socket> {
  const socket = connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const lines = [
    `GET ${path} HTTP/1.1`,
    `Host: 127.0.0.1:${port}`,
    'Upgrade: websocket',
    'Connection: Upgrade',
    `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
    'Sec-WebSocket-Version: 13',
  ];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  socket.write(lines.join('\r\n') + '\r\n\r\n');
  const response = await new Promise<Buffer>((resolve, reject) => {
    let buffered = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      const end = buffered.indexOf('\r\n\r\n');
      if (end < 0) return;
      socket.off('data', onData);
      // Whatever follows the headers is the start of the frames: give it back to the stream.
      if (buffered.length > end + 4) socket.unshift(buffered.subarray(end + 4));
      resolve(buffered.subarray(0, end));
    };
    socket.on('data', onData);
    socket.once('error', reject);
  });
  const status = response.toString('latin1').split('\r\n')[0]!;
  if (!status.startsWith('HTTP/1.1 101')) throw new Error(`the upgrade was refused: ${status}`);
  return socket;
}

/**
 * Reads the server's frames (unmasked, §5.1) and hands each to `onFrame` until it returns true;
 * resolves then, rejects on timeout or when the connection closes first.
 */
function readFrames(socket: Socket, onFrame: (opcode: number, payload: Buffer) => boolean, timeoutMs: number, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let buffered: Buffer = Buffer.alloc(0);
    let settled = false;
    const timer = setTimeout(() => done(new Error(`no ${what} within ${timeoutMs} ms`)), timeoutMs);
    const done = (err: Error | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.off('data', onData);
      if (err) reject(err);
      else resolve();
    };
    const onData = (chunk: Buffer) => {
      buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
      while (buffered.length >= 2) {
        const opcode = buffered[0]! & 0x0f;
        let length = buffered[1]! & 0x7f;
        let offset = 2;
        if (length === 126) {
          if (buffered.length < 4) return;
          length = buffered.readUInt16BE(2);
          offset = 4;
        } else if (length === 127) {
          if (buffered.length < 10) return;
          length = Number(buffered.readBigUInt64BE(2));
          offset = 10;
        }
        if (buffered.length < offset + length) return;
        const payload = buffered.subarray(offset, offset + length);
        buffered = buffered.subarray(offset + length);
        if (onFrame(opcode, payload)) return done(null);
      }
    };
    socket.on('data', onData);
    socket.once('close', () => done(new Error(`the connection closed before ${what}`)));
  });
}

/** Reads frames until the server's close frame; resolves with its code and reason (1005 when it has none). */
export async function readClose(socket: Socket, timeoutMs = 10_000): Promise<{ code: number; reason: string }> {
  let close = { code: 1005, reason: '' };
  try {
    await readFrames(
      socket,
      (opcode, payload) => {
        if (opcode !== 0x8) return false;
        if (payload.length >= 2) close = { code: payload.readUInt16BE(0), reason: payload.subarray(2).toString() };
        return true;
      },
      timeoutMs,
      'close frame',
    );
  } finally {
    socket.destroy();
  }
  return close;
}

/** Reads `count` text messages (single-frame, as the server sends them) and resolves with them parsed. */
export async function readMessages(socket: Socket, count: number, timeoutMs = 30_000): Promise<unknown[]> {
  const messages: unknown[] = [];
  await readFrames(socket, (opcode, payload) => opcode === 0x1 && messages.push(JSON.parse(payload.toString())) >= count, timeoutMs, `${count} messages`);
  return messages;
}

/** An API client (`signalbox.v1`, an API token as Bearer) that has stopped reading. */
export async function pausedApiClient(port: number, token: string): Promise<Socket> {
  const socket = await rawUpgrade(port, '/api', { 'Sec-WebSocket-Protocol': 'signalbox.v1', Authorization: `Bearer ${token}` });
  socket.pause();
  // Once the host gives up on this client it closes the connection: later writes may fail, which is the point.
  socket.on('error', () => {});
  return socket;
}

/** Sends `calls` echo.echo calls of `textBytes` each (their answers are as large), as fast as the socket takes them. */
export async function sendEchoCalls(socket: Socket, calls: number, textBytes: number): Promise<void> {
  const text = 'a'.repeat(textBytes);
  for (let id = 1; id <= calls && !socket.destroyed; id++) {
    const call = JSON.stringify({ t: 'call', id, method: 'echo.echo', params: { text } });
    if (!socket.write(frame({ opcode: 0x1, payload: Buffer.from(call) }))) {
      await new Promise<void>((resolve) => {
        const go = () => {
          socket.off('drain', go).off('close', go);
          resolve();
        };
        socket.on('drain', go).on('close', go);
      });
    }
  }
}
