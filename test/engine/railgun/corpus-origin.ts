// The page corpus of the Railgun tests and an origin that replays it: GET /<page> answers the
// page's next version each time (v000, v001, ..., then the last one again), as a changing dynamic
// page. The corpus is the real page histories in test/fixtures/pages (README there) plus the
// synthetic ones of synthetic-pages.ts; `corpusPages(dir)` reads any folder of the same layout
// instead (one folder per page, v000.<ext>, v001.<ext>, ...), e.g. a bigger corpus for the bench.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { syntheticPages } from './synthetic-pages.ts';

export const fixturePagesDir = fileURLToPath(new URL('../../fixtures/pages/', import.meta.url));

export interface CorpusPage {
  name: string;
  contentType: string;
  versions: Buffer[];
  /** Each version's file, for `zstd --patch-from` (synthetic versions are written on first use). */
  readonly files: string[];
}

const contentTypes: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.json': 'application/json', '.js': 'text/javascript' };

/** The pages of a corpus folder: every sub-folder with v000.<ext>, v001.<ext>, ... */
export function pagesIn(dir: string): CorpusPage[] {
  return readdirSync(dir)
    .filter((name) => statSync(path.join(dir, name)).isDirectory())
    .sort()
    .map((name) => {
      const files = readdirSync(path.join(dir, name))
        .filter((file) => /^v\d+\./.test(file))
        .sort()
        .map((file) => path.join(dir, name, file));
      if (files.length < 2) throw new Error(`corpus: ${path.join(dir, name)} has ${files.length} version(s) — a page needs v000 and at least v001`);
      return {
        name,
        contentType: contentTypes[path.extname(files[0]!)] ?? 'application/octet-stream',
        versions: files.map((file) => readFileSync(file)),
        files,
      };
    });
}

/** The words of the IETF draft's text (markup, styles and scripts left out): the synthetic pages' vocabulary. */
function draftWords(): string[] {
  const html = readFileSync(path.join(fixturePagesDir, 'httpbis-compression-dictionary', 'v000.html'), 'utf8');
  const text = html.replace(/<(style|script)[\s\S]*?<\/\1>/g, ' ').replace(/<[^>]+>/g, ' ');
  return text.match(/[A-Za-z][A-Za-z'-]*[A-Za-z]|[0-9]+/g) ?? [];
}

let scratch: string | undefined;
/** Where synthetic versions are written for the zstd CLI; removed when the process exits. */
function scratchDir(): string {
  if (!scratch) {
    const dir = mkdtempSync(path.join(tmpdir(), 'signalbox-corpus-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    scratch = dir;
  }
  return scratch;
}

/** The default corpus (real fixture pages and synthetic ones), or the pages of `dir` when given. */
export function corpusPages(dir?: string): CorpusPage[] {
  if (dir) return pagesIn(dir);
  const synthetic = syntheticPages(draftWords()).map((page): CorpusPage => {
    let files: string[] | undefined;
    return {
      name: page.name,
      contentType: page.contentType,
      versions: page.versions,
      get files() {
        files ??= page.versions.map((body, index) => {
          const file = path.join(scratchDir(), `${page.name}.v${String(index).padStart(3, '0')}.${page.ext}`);
          writeFileSync(file, body);
          return file;
        });
        return files;
      },
    };
  });
  return [...pagesIn(fixturePagesDir), ...synthetic].sort((a, b) => a.name.localeCompare(b.name));
}

/** Where a corpus comes from, for reports. */
export function corpusSource(dir?: string): string {
  return dir ? dir : 'test/fixtures/pages (real histories) + synthetic-pages.ts (seeded)';
}

export interface CorpusOrigin {
  url: string;
  /** Requests the origin received, per path. */
  served: Map<string, number>;
  close(): Promise<void>;
}

/**
 * `host` is where it listens: loopback, or a namespace's veth address for the RTT bench.
 * `/status/5xx` answers that status (an origin in trouble, for the failure tests).
 */
export async function startCorpusOrigin(pages: CorpusPage[] = corpusPages(), host = '127.0.0.1'): Promise<CorpusOrigin> {
  const byPath = new Map(pages.map((page) => [`/${page.name}`, page]));
  const served = new Map<string, number>();
  const server = http.createServer((request, response) => {
    const page = byPath.get(request.url ?? '');
    const failing = /^\/status\/(5\d\d)$/.exec(request.url ?? '');
    if (failing) {
      response.writeHead(Number(failing[1]), { 'content-type': 'text/plain' }).end('the origin is in trouble\n');
      return;
    }
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
