// A Frame Streams writer (the fstrm protocol of farsightsec/fstrm, "bidirectional" flavour, which
// socket readers such as fstrm_capture, dnstap-read's peers and CoreDNS's readers speak): on
// connect it sends READY with its content type, waits for the reader's ACCEPT naming it, sends
// START, then data frames (a 4-byte big-endian length and the payload); on close it sends STOP and
// waits briefly for FINISH. A lost connection is retried with a growing delay. The writer never
// blocks its caller: `write` takes frames only while connected and the socket is not backed up,
// and says so; the caller keeps or drops what was refused (dnstap.ts keeps a bounded queue).
import { connect, type Socket } from 'node:net';

/** Control frame types (fstrm's control.h). */
const Control = { accept: 0x01, start: 0x02, stop: 0x03, ready: 0x04, finish: 0x05 } as const;
/** The one control field type: a content type the writer offers or the reader accepts. */
const contentTypeField = 0x01;
/** A control frame is at most this long (fstrm's FSTRM_CONTROL_FRAME_LENGTH_MAX). */
const maxControlLength = 512;
/** Frames are not written while this much is still in the socket's buffer: the reader is slow. */
const backlogBytes = 1 << 20;
/** How long close() waits for the reader's FINISH after STOP. */
const finishWaitMs = 1000;

export type FrameStreamTarget = { path: string } | { host: string; port: number };

export interface FrameStreamOptions {
  target: FrameStreamTarget;
  contentType: string;
  /** First delay before a reconnect, doubled after each failure up to `reconnectMaxMs`. */
  reconnectMinMs: number;
  reconnectMaxMs: number;
  /** Told when the stream is up (START sent) or lost, with why. */
  onState?(connected: boolean, reason?: string): void;
  /** Told when the writer can take frames again: on each START, and when the socket drained. */
  onWritable?(): void;
}

/** One control frame: the escape (a zero length), its length, its type and content-type fields. */
export function controlFrame(type: number, contentTypes: string[] = []): Buffer {
  const fields = contentTypes.map((name) => {
    const bytes = Buffer.from(name);
    const field = Buffer.alloc(8 + bytes.length);
    field.writeUInt32BE(contentTypeField, 0);
    field.writeUInt32BE(bytes.length, 4);
    bytes.copy(field, 8);
    return field;
  });
  const body = Buffer.concat([Buffer.alloc(4), ...fields]);
  body.writeUInt32BE(type, 0);
  const head = Buffer.alloc(8);
  head.writeUInt32BE(body.length, 4);
  return Buffer.concat([head, body]);
}

/** A control frame read from `buffer`: its type, content types and length used; null if incomplete; throws if malformed. */
export function readControlFrame(buffer: Buffer): { type: number; contentTypes: string[]; length: number } | null {
  if (buffer.length < 8) return null;
  if (buffer.readUInt32BE(0) !== 0) throw new Error('a data frame where a control frame was due');
  const bodyLength = buffer.readUInt32BE(4);
  if (bodyLength < 4 || bodyLength > maxControlLength) throw new Error(`a control frame of ${bodyLength} bytes`);
  if (buffer.length < 8 + bodyLength) return null;
  const body = buffer.subarray(8, 8 + bodyLength);
  const contentTypes: string[] = [];
  for (let at = 4; at < body.length;) {
    if (at + 8 > body.length) throw new Error('a truncated control field');
    const fieldType = body.readUInt32BE(at);
    const fieldLength = body.readUInt32BE(at + 4);
    if (at + 8 + fieldLength > body.length) throw new Error('a control field longer than its frame');
    if (fieldType === contentTypeField) contentTypes.push(body.toString('utf8', at + 8, at + 8 + fieldLength));
    at += 8 + fieldLength;
  }
  return { type: body.readUInt32BE(0), contentTypes, length: 8 + bodyLength };
}

export class FrameStreamWriter {
  private readonly options: FrameStreamOptions;
  private socket: Socket | null = null;
  /** START sent and the socket open: data frames may go. */
  private started = false;
  private closed = false;
  private delayMs: number;
  private retry: ReturnType<typeof setTimeout> | undefined;
  /** Set by close() while it waits for the reader's FINISH. */
  private onFinish: (() => void) | null = null;
  /** Streams that reached START, the first one included. */
  private streams = 0;

  constructor(options: FrameStreamOptions) {
    this.options = options;
    this.delayMs = options.reconnectMinMs;
    this.open();
  }

  get connected(): boolean {
    return this.started;
  }

  /** Streams that reached START, the first one included. */
  get connections(): number {
    return this.streams;
  }

  /** Whether write() would take frames now: the stream is up and the reader keeps up. */
  get ready(): boolean {
    return this.started && this.socket !== null && this.socket.writableLength <= backlogBytes;
  }

  /** Writes data frames if the stream is ready; false (nothing written) otherwise. */
  write(payloads: Uint8Array[]): boolean {
    const socket = this.socket;
    if (!this.ready || !socket) return false;
    let size = 0;
    for (const payload of payloads) size += 4 + payload.length;
    const out = Buffer.allocUnsafe(size);
    let at = 0;
    for (const payload of payloads) {
      out.writeUInt32BE(payload.length, at);
      out.set(payload, at + 4);
      at += 4 + payload.length;
    }
    socket.write(out);
    return true;
  }

  /** Ends the stream politely (STOP, then FINISH or a short wait) and stops reconnecting. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retry);
    const socket = this.socket;
    if (!socket || socket.destroyed) return;
    if (this.started) {
      socket.write(controlFrame(Control.stop));
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(done, finishWaitMs);
        socket.once('close', done);
        this.onFinish = done;
      });
    }
    socket.destroy();
  }

  private open(): void {
    const target = this.options.target;
    const socket = 'path' in target ? connect({ path: target.path }) : connect({ host: target.host, port: target.port, noDelay: true });
    this.socket = socket;
    let received = Buffer.alloc(0);
    let failure: string | undefined;
    socket.on('connect', () => socket.write(controlFrame(Control.ready, [this.options.contentType])));
    socket.on('data', (chunk) => {
      received = received.length === 0 ? chunk : Buffer.concat([received, chunk]);
      try {
        for (let frame = readControlFrame(received); frame; frame = readControlFrame(received)) {
          received = received.subarray(frame.length);
          this.onControl(socket, frame);
        }
      } catch (err) {
        failure = `the reader sent ${(err as Error).message}`;
        socket.destroy();
      }
    });
    // Emitted once a backed-up socket's buffer emptied: frames may go again.
    socket.on('drain', () => this.options.onWritable?.());
    socket.on('error', (err) => (failure ??= err.message));
    socket.on('close', () => {
      const wasStarted = this.started;
      this.started = false;
      if (this.socket === socket) this.socket = null;
      if (this.closed) return;
      if (wasStarted) this.options.onState?.(false, failure ?? 'the reader closed the connection');
      else if (failure) this.options.onState?.(false, failure);
      this.retry = setTimeout(() => this.open(), this.delayMs);
      this.retry.unref();
      this.delayMs = Math.min(this.delayMs * 2, this.options.reconnectMaxMs);
    });
  }

  private onControl(socket: Socket, frame: { type: number; contentTypes: string[] }): void {
    if (frame.type === Control.finish) {
      this.onFinish?.();
      return;
    }
    if (frame.type !== Control.accept || this.started) throw new Error(`an unexpected control frame (type ${frame.type})`);
    // fstrm: an ACCEPT that lists content types must list ours; one that lists none takes any.
    if (frame.contentTypes.length > 0 && !frame.contentTypes.includes(this.options.contentType)) {
      throw new Error(`an ACCEPT without our content type ${this.options.contentType} (it accepts ${frame.contentTypes.join(', ')})`);
    }
    socket.write(controlFrame(Control.start, [this.options.contentType]));
    this.started = true;
    this.streams++;
    this.delayMs = this.options.reconnectMinMs;
    this.options.onState?.(true);
    this.options.onWritable?.();
  }
}
