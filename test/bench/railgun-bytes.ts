// What the page corpus costs on the wire without Railgun: each version on its own with gzip -6 and
// brotli quality 11 (both node:zlib), and against its predecessor with the zstd CLI's
// `-19 --patch-from` (a real peer, Debian's zstd). A page's first version has no predecessor; it
// gets plain `zstd -19` and is reported apart from the deltas.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import type { CorpusPage } from '../engine/railgun/corpus-origin.ts';

export interface VersionBytes {
  page: string;
  /** 0 for the page's first version (a full body), else a delta against version index - 1. */
  index: number;
  raw: number;
  gzip: number;
  brotli: number;
  /** `zstd -19 --patch-from=<previous>` for a delta; plain `zstd -19` for a first version. */
  zstd: number;
}

const run = promisify(execFile);
const gzip = promisify(zlib.gzip);
const brotli = promisify(zlib.brotliCompress);

export const zstdCommand = 'zstd';

async function zstdSize(file: string, previous: string | null): Promise<number> {
  const args = ['-19', '-q', '-c', ...(previous ? [`--patch-from=${previous}`] : []), file];
  const { stdout } = await run(zstdCommand, args, { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 });
  return stdout.length;
}

async function brotliSize(body: Buffer): Promise<number> {
  // Quality 11 and the default window (lgwin 22), generic mode: what `brotli -q 11` does.
  const params = { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: body.length };
  return (await brotli(body, { params })).length;
}

/** Every version of every page; the three codings of one version run at once (thread pool + a child). */
export async function measureBytes(pages: CorpusPage[], progress: (page: string) => void): Promise<VersionBytes[]> {
  const rows: VersionBytes[] = [];
  for (const page of pages) {
    progress(page.name);
    for (const [index, body] of page.versions.entries()) {
      const [gzipped, brotlied, zstd] = await Promise.all([
        gzip(body, { level: 6 }),
        brotliSize(body),
        zstdSize(page.files[index]!, index > 0 ? page.files[index - 1]! : null),
      ]);
      rows.push({ page: page.name, index, raw: body.length, gzip: gzipped.length, brotli: brotlied, zstd });
    }
  }
  return rows;
}
