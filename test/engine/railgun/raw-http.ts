// Raw HTTP/1.1 over TCP, for what fetch() cannot send or see: a GET with a body, a connection that
// sends nothing, whether the server closed the connection.
import net, { type Socket } from 'node:net';

export interface RawAnswer {
  status: number;
  headers: Map<string, string>;
  body: string;
}

/** Opens a connection and waits until it is established. */
export function connect(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Resolves when the server has closed `socket` (its end arrived, or a reset). */
export function closedByServer(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    if (socket.readableEnded || socket.destroyed) return resolve();
    socket.once('end', () => resolve());
    socket.once('close', () => resolve());
    socket.on('error', () => undefined);
    socket.resume();
  });
}

/** Sends `request` on a new connection and reads the first answer (until the server closes or `Content-Length` is read). */
export async function exchange(port: number, request: string | Buffer, timeoutMs = 5000): Promise<RawAnswer> {
  const socket = await connect(port);
  try {
    return await readAnswer(socket, () => socket.write(request), timeoutMs);
  } finally {
    socket.destroy();
  }
}

/** Reads one answer from `socket` (after calling `send`), as far as its framing says or the connection ends. */
export function readAnswer(socket: Socket, send: () => void, timeoutMs = 5000): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    let received = Buffer.alloc(0);
    const timer = setTimeout(
      () => finish(new Error(`no whole answer within ${timeoutMs} ms: ${JSON.stringify(received.toString('latin1').slice(0, 200))}`)),
      timeoutMs,
    );
    const parse = (closed: boolean): RawAnswer | null => {
      const end = received.indexOf('\r\n\r\n');
      if (end < 0) return null;
      const [statusLine, ...lines] = received.subarray(0, end).toString('latin1').split('\r\n');
      const headers = new Map(lines.map((line) => [line.slice(0, line.indexOf(':')).trim().toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
      const body = received.subarray(end + 4);
      const length = headers.has('content-length') ? Number(headers.get('content-length')) : null;
      if (length === null ? !closed : body.length < length) return null;
      return { status: Number(statusLine!.split(' ')[1]), headers, body: body.subarray(0, length ?? body.length).toString('utf8') };
    };
    const finish = (err: Error | null, answer?: RawAnswer) => {
      clearTimeout(timer);
      socket.off('data', onData).off('end', onEnd).off('error', onError);
      if (err) reject(err);
      else resolve(answer!);
    };
    const onData = (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const answer = parse(false);
      if (answer) finish(null, answer);
    };
    const onEnd = () => {
      const answer = parse(true);
      finish(
        answer ? null : new Error(`the connection closed before a whole answer: ${JSON.stringify(received.toString('latin1').slice(0, 200))}`),
        answer ?? undefined,
      );
    };
    const onError = (err: Error) => {
      const answer = parse(true);
      finish(answer ? null : err, answer ?? undefined);
    };
    socket.on('data', onData).once('end', onEnd).once('error', onError);
    send();
  });
}
