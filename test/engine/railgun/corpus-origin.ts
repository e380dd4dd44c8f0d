// An origin that replays the page corpus (../shared/corpus/pages): GET /<page> answers the page's
// next version each time (v000, v001, ..., then the last one again), as a changing dynamic page.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const corpusDir = fileURLToPath(new URL('../../../../shared/corpus/pages/', import.meta.url));

export interface CorpusPage {
  name: string;
  contentType: string;
  versions: Buffer[];
  /** Each version's file, for `zstd --patch-from`. */
  files: string[];
}

const contentTypes: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.json': 'application/json', '.js': 'text/javascript' };

export function corpusPages(): CorpusPage[] {
  return readdirSync(corpusDir)
    .filter((name) => statSync(path.join(corpusDir, name)).isDirectory())
    .sort()
    .map((name) => {
      const files = readdirSync(path.join(corpusDir, name))
        .filter((file) => /^v\d+\./.test(file))
        .sort()
        .map((file) => path.join(corpusDir, name, file));
      return { name, contentType: contentTypes[path.extname(files[0]!)] ?? 'application/octet-stream', versions: files.map((file) => readFileSync(file)), files };
    });
}

export interface CorpusOrigin {
  url: string;
  /** Requests the origin received, per path. */
  served: Map<string, number>;
  close(): Promise<void>;
}

/** `host` is where it listens: loopback, or a namespace's veth address for the RTT bench. */
export async function startCorpusOrigin(pages: CorpusPage[] = corpusPages(), host = '127.0.0.1'): Promise<CorpusOrigin> {
  const byPath = new Map(pages.map((page) => [`/${page.name}`, page]));
  const served = new Map<string, number>();
  const server = http.createServer((request, response) => {
    const page = byPath.get(request.url ?? '');
    if (!page) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('no such page\n');
      return;
    }
    const count = served.get(page.name) ?? 0;
    served.set(page.name, count + 1);
    const body = page.versions[Math.min(count, page.versions.length - 1)]!;
    response.writeHead(200, { 'content-type': page.contentType, 'cache-control': 'private, max-age=0', 'content-length': body.length });
    response.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return {
    url: `http://${host}:${(server.address() as AddressInfo).port}`,
    served,
    close: () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      return closed;
    },
  };
}
