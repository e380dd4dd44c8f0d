// How `signalbox queries` reads the history beside a running host: DuckDB lets one process hold a
// file for writing and then no other may open it, not even read-only. So the host answers searches
// on a local socket in its data folder (a named pipe on Windows); who may read the data folder
// (0700) may connect. One JSON request a connection, one JSON answer, then the host closes it.
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, unlinkSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HistoryStore } from './history-store.ts';
import type { QueryLogEntry } from '../../api/dns.ts';
import type { QuerySearch } from './schema.ts';

export interface SocketSearch {
  search: QuerySearch;
  limit: number;
}

type Answer = { entries: QueryLogEntry[]; matched: number } | { error: string };

/** Unix socket paths are limited to ~104 bytes: a long data folder gets one in the temp folder, named by its hash. */
export function historySocketPath(dataDir: string): string {
  const hash = createHash('sha256').update(dataDir).digest('hex').slice(0, 16);
  if (process.platform === 'win32') return `\\\\.\\pipe\\signalbox-history-${hash}`;
  const beside = join(dataDir, 'history.sock');
  return beside.length < 100 ? beside : join(tmpdir(), `signalbox-history-${hash}.sock`);
}

/** Listens for `signalbox queries`; a socket left by a host that crashed is replaced. */
export async function serveHistorySocket(dataDir: string, store: HistoryStore): Promise<Server> {
  const path = historySocketPath(dataDir);
  const server = createServer((socket) => {
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      text += chunk;
      // A search is a few hundred bytes; a client that sends more is not one.
      if (text.length > 65_536) return void socket.destroy();
      if (!text.includes('\n')) return;
      let request: SocketSearch;
      try {
        request = JSON.parse(text) as SocketSearch;
      } catch {
        socket.end(JSON.stringify({ error: 'history socket: the request is not JSON' }) + '\n');
        return;
      }
      socket.removeAllListeners('data');
      const limit = Number.isInteger(request.limit) && request.limit > 0 ? Math.min(1_000_000, request.limit) : 1000;
      const answer = store.flush().then(() => store.searchQueries(request.search, limit));
      answer.then(
        (found) => socket.end(JSON.stringify(found) + '\n'),
        (error: Error) => socket.end(JSON.stringify({ error: error.message }) + '\n'),
      );
    });
    socket.on('error', () => socket.destroy());
  });
  if (process.platform !== 'win32' && existsSync(path)) {
    if (await answers(path)) throw new Error(`history: another host already serves ${path}; it holds this data folder's history`);
    unlinkSync(path);
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => {
      server.off('error', reject);
      resolve();
    });
  });
  if (process.platform !== 'win32') chmodSync(path, 0o600);
  return server;
}

function answers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(path);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Searches through a running host; null when none listens for this data folder. */
export function searchThroughHost(dataDir: string, request: SocketSearch): Promise<{ entries: QueryLogEntry[]; matched: number } | null> {
  return new Promise((resolve, reject) => {
    const socket = connect(historySocketPath(dataDir));
    let text = '';
    let connected = false;
    socket.setEncoding('utf8');
    socket.once('connect', () => {
      connected = true;
      socket.write(JSON.stringify(request) + '\n');
    });
    socket.on('data', (chunk: string) => (text += chunk));
    socket.once('end', () => {
      const answer = JSON.parse(text) as Answer;
      if ('error' in answer) reject(new Error(answer.error));
      else resolve(answer);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      if (!connected && (error.code === 'ENOENT' || error.code === 'ECONNREFUSED')) resolve(null);
      else reject(error);
    });
  });
}
