// The Railgun bench's tables: bytes per page (deltas, and first versions apart) against gzip,
// brotli and `zstd --patch-from`, and time to last byte direct vs through the pair.
import { dczHeaderBytes } from '../../engine/railgun/codec.ts';
import type { VersionBytes } from './railgun-bytes.ts';
import type { Exchange } from './railgun-replay.ts';

/** Link bytes above this multiple of `zstd -19 --patch-from` on a page are called out in the notes. */
export const linkOverZstdLimit = 1.15;
/** The zstd CLI ends each frame with a 4-byte XXH64 checksum (--check is its default); the link's frames have none. */
const cliChecksumBytes = 4;

interface Sums {
  versions: number;
  raw: number;
  gzip: number;
  brotli: number;
  zstd: number;
  link: number;
  socket: number;
}

const percent = (part: number, whole: number) => (whole > 0 ? `${((100 * part) / whole).toFixed(part / whole < 0.1 ? 2 : 1)} %` : 'n/a');
const bytes = (value: number) => value.toLocaleString('en');
const ms = (value: number) => (Number.isFinite(value) ? value.toFixed(value < 10 ? 2 : 1) : 'n/a');

/** Nearest rank: p99 of 248 samples is the third largest. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function line(cells: string[]): string {
  return `| ${cells.join(' | ')} |`;
}

/** A header row and its rule; columns after the first `left` are right-aligned. */
function head(names: string[], left = 1): string[] {
  return [line(names), line(names.map((_, i) => (i < left ? '---' : '--:')))];
}

function exchangeOf(exchanges: Exchange[], row: VersionBytes): Exchange | undefined {
  return exchanges.find((exchange) => exchange.page === row.page && exchange.index === row.index);
}

function sum(rows: VersionBytes[], exchanges: Exchange[]): Sums {
  const total: Sums = { versions: 0, raw: 0, gzip: 0, brotli: 0, zstd: 0, link: 0, socket: 0 };
  for (const row of rows) {
    const exchange = exchangeOf(exchanges, row);
    total.versions++;
    total.raw += row.raw;
    total.gzip += row.gzip;
    total.brotli += row.brotli;
    total.zstd += row.zstd;
    total.link += exchange?.linkBytes ?? Number.NaN;
    total.socket += exchange?.socketBytes ?? Number.NaN;
  }
  return total;
}

/** The link's zstd frames alone: the bodies less their RFC 9842 header when they are dcz. */
function frames(sums: Sums, dcz: boolean): number {
  return sums.link - (dcz ? sums.versions * dczHeaderBytes : 0);
}

function sumsRow(label: string, sums: Sums, dcz: boolean): string {
  return line([
    label,
    String(sums.versions),
    bytes(sums.raw),
    percent(sums.gzip, sums.raw),
    percent(sums.brotli, sums.raw),
    percent(sums.zstd, sums.raw),
    percent(sums.link, sums.raw),
    percent(sums.socket, sums.raw),
    `${(sums.link / sums.zstd).toFixed(2)}x`,
    `${(sums.socket / sums.zstd).toFixed(2)}x`,
    `${(frames(sums, dcz) / (sums.zstd - sums.versions * cliChecksumBytes)).toFixed(2)}x`,
    bytes(Math.round(sums.zstd / sums.versions)),
    bytes(Math.round(sums.link / sums.versions)),
    bytes(Math.round(sums.socket / sums.versions)),
  ]);
}

const pageNames = (rows: VersionBytes[]) => [...new Set(rows.map((row) => row.page))];

/** Per page and in total, as % of raw; `first` picks the pages' first versions, else the deltas. */
export function bytesTable(rows: VersionBytes[], exchanges: Exchange[], first: boolean): string {
  const chosen = rows.filter((row) => (row.index === 0) === first);
  const zstdName = first ? 'zstd -19 (CLI, no base)' : 'zstd -19 --patch-from (CLI)';
  const linkName = first ? 'link body (zstd, full)' : 'link body (dcz)';
  const out = head([
    'page',
    first ? 'versions' : 'deltas',
    'raw bytes',
    'gzip -6',
    'brotli q11',
    zstdName,
    linkName,
    'link TLS socket',
    'link body / zstd',
    'socket / zstd',
    'frames only',
    'zstd B each',
    'link body B each',
    'socket B each',
  ]);
  for (const page of pageNames(chosen))
    out.push(
      sumsRow(
        page,
        sum(
          chosen.filter((row) => row.page === page),
          exchanges,
        ),
        !first,
      ),
    );
  out.push(sumsRow('**all pages**', sum(chosen, exchanges), !first));
  return out.join('\n');
}

/** One sentence for the corpus as a client would see it from cold: first versions and deltas together. */
export function wholeCorpus(rows: VersionBytes[], exchanges: Exchange[]): string {
  const all = sum(rows, exchanges);
  return `Whole corpus, first versions included (${all.versions} versions, ${bytes(all.raw)} B raw): gzip -6 ${percent(all.gzip, all.raw)}, brotli q11 ${percent(all.brotli, all.raw)}, zstd -19 (plain for first versions, --patch-from after) ${percent(all.zstd, all.raw)}, link body ${percent(all.link, all.raw)}, link TLS socket ${percent(all.socket, all.raw)}.`;
}

/** The anchors' other reading: the mean of each delta's own ratio, not the ratio of the sums. */
export function meanRatios(rows: VersionBytes[], exchanges: Exchange[]): string {
  const deltas = rows.filter((row) => row.index > 0);
  const mean = (ratio: (row: VersionBytes) => number) => `${((100 * deltas.reduce((total, row) => total + ratio(row), 0)) / deltas.length).toFixed(2)} %`;
  const link = (row: VersionBytes) => (exchangeOf(exchanges, row)?.linkBytes ?? Number.NaN) / row.raw;
  const socket = (row: VersionBytes) => (exchangeOf(exchanges, row)?.socketBytes ?? Number.NaN) / row.raw;
  return [
    ...head(['mean of the per-delta ratios', 'gzip -6', 'brotli q11', 'zstd -19 --patch-from', 'link body', 'link TLS socket']),
    line([
      `${deltas.length} deltas`,
      mean((row) => row.gzip / row.raw),
      mean((row) => row.brotli / row.raw),
      mean((row) => row.zstd / row.raw),
      mean(link),
      mean(socket),
    ]),
  ].join('\n');
}

/** Pages whose link bodies exceed linkOverZstdLimit x the CLI's patches, for the notes. */
export function pagesOverZstd(rows: VersionBytes[], exchanges: Exchange[]): string[] {
  const deltas = rows.filter((row) => row.index > 0);
  return pageNames(deltas).flatMap((page) => {
    const sums = sum(
      deltas.filter((row) => row.page === page),
      exchanges,
    );
    const ratio = sums.link / sums.zstd;
    const frameRatio = frames(sums, true) / (sums.zstd - sums.versions * cliChecksumBytes);
    return ratio > linkOverZstdLimit
      ? [
          `${page}: link body ${bytes(sums.link)} B vs zstd --patch-from ${bytes(sums.zstd)} B = ${ratio.toFixed(2)}x (over ${linkOverZstdLimit}x); the zstd frames alone (less the ${dczHeaderBytes}-byte dcz header and the CLI's ${cliChecksumBytes}-byte checksum) ${frameRatio.toFixed(2)}x`,
        ]
      : [];
  });
}

function statsRow(label: string, values: number[]): string {
  return line([label, String(values.length), ms(percentile(values, 50)), ms(percentile(values, 99)), ms(Math.max(...values))]);
}

/** Time to last byte direct and through the pair, and what the pair spent, for deltas and first versions. */
export function latencyTable(exchanges: Exchange[]): string {
  const out = head(['', 'requests', 'p50 ms', 'p99 ms', 'max ms']);
  for (const [title, chosen] of [
    ['deltas (v001 on)', exchanges.filter((exchange) => exchange.index > 0)],
    ['first versions (v000, full bodies)', exchanges.filter((exchange) => exchange.index === 0)],
  ] as const) {
    if (chosen.length === 0) continue;
    out.push(line([`**${title}**`, '', '', '', '']));
    out.push(
      statsRow(
        'direct to the origin',
        chosen.map((exchange) => exchange.directMs),
      ),
    );
    out.push(
      statsRow(
        'through the pair',
        chosen.map((exchange) => exchange.pairMs),
      ),
    );
    out.push(
      statsRow(
        'added by the pair (pair − direct, same version)',
        chosen.map((exchange) => exchange.pairMs - exchange.directMs),
      ),
    );
    out.push(
      statsRow(
        'of which: listener encode (book encodeMs)',
        chosen.map((exchange) => exchange.encodeMs),
      ),
    );
    out.push(
      statsRow(
        'of which: sender decode (book decodeMs)',
        chosen.map((exchange) => exchange.decodeMs),
      ),
    );
    out.push(
      statsRow(
        "listener's own origin fetch (origin-ms header)",
        chosen.flatMap((exchange) => (exchange.originMs === null ? [] : [exchange.originMs])),
      ),
    );
  }
  return out.join('\n');
}

/** Deltas only, per page: where the added time goes. */
export function latencyByPage(exchanges: Exchange[]): string {
  const out = head(['page', 'deltas', 'direct p50 ms', 'pair p50 ms', 'added p50 ms', 'added max ms', 'encode p50 ms', 'encode max ms', 'decode p50 ms']);
  const deltas = exchanges.filter((exchange) => exchange.index > 0);
  for (const page of [...new Set(deltas.map((exchange) => exchange.page))]) {
    const mine = deltas.filter((exchange) => exchange.page === page);
    const added = mine.map((exchange) => exchange.pairMs - exchange.directMs);
    const encode = mine.map((exchange) => exchange.encodeMs);
    out.push(
      line([
        page,
        String(mine.length),
        ms(
          percentile(
            mine.map((exchange) => exchange.directMs),
            50,
          ),
        ),
        ms(
          percentile(
            mine.map((exchange) => exchange.pairMs),
            50,
          ),
        ),
        ms(percentile(added, 50)),
        ms(Math.max(...added)),
        ms(percentile(encode, 50)),
        ms(Math.max(...encode)),
        ms(
          percentile(
            mine.map((exchange) => exchange.decodeMs),
            50,
          ),
        ),
      ]),
    );
  }
  return out.join('\n');
}

/** The requests the pair added the most time to, with what it spent on them. */
export function slowest(exchanges: Exchange[], count: number): string {
  const sorted = [...exchanges].sort((a, b) => b.pairMs - b.directMs - (a.pairMs - a.directMs)).slice(0, count);
  const out = head(['page', 'version', 'base', 'direct ms', 'pair ms', 'added ms', 'encode ms', 'decode ms', 'origin-ms', 'link body B']);
  for (const exchange of sorted) {
    out.push(
      line([
        exchange.page,
        `v${String(exchange.index).padStart(3, '0')}`,
        exchange.base ?? '—',
        ms(exchange.directMs),
        ms(exchange.pairMs),
        ms(exchange.pairMs - exchange.directMs),
        ms(exchange.encodeMs),
        ms(exchange.decodeMs),
        exchange.originMs === null ? '—' : ms(exchange.originMs),
        bytes(exchange.linkBytes),
      ]),
    );
  }
  return out.join('\n');
}

/** Requests that did not go as a healthy pair should: a wrong body, or not a delta where one was due. */
export function anomalies(exchanges: Exchange[]): string[] {
  return exchanges.flatMap((exchange) => {
    const name = `${exchange.page} v${String(exchange.index).padStart(3, '0')}`;
    const expected = exchange.index === 0 ? 'none' : 'hit';
    return [
      ...(exchange.intact ? [] : [`${name}: a body differed from the corpus version`]),
      ...(exchange.base === expected ? [] : [`${name}: base=${exchange.base ?? '(no signalbox-railgun header)'}, expected ${expected}`]),
    ];
  });
}
