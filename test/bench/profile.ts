// Reads a V8 .cpuprofile (node --cpu-prof) and lists the functions with the most self time, to see
// where a server's CPU per query goes. Places in the built bundle are mapped back to the sources
// through the bundle's source map (dist/ is built with sourcemap: true).
import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}

interface CpuProfile {
  nodes: { id: number; callFrame: CallFrame }[];
  /** Microseconds on the monotonic clock. */
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface SelfTime {
  name: string;
  where: string;
  ms: number;
  /** Share of the busy (non-idle) samples. */
  percent: number;
}

const root = fileURLToPath(new URL('../..', import.meta.url));

/** The functions with the most self time, over the whole profile or the samples of one window. */
/** Microseconds of non-idle samples: which of several processes' profiles did the work. */
export function busyMicros(file: string): number {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const idle = new Set(profile.nodes.filter((node) => node.callFrame.functionName === '(idle)').map((node) => node.id));
  return profile.samples.reduce((total, id, i) => total + (idle.has(id) ? 0 : (profile.timeDeltas[i] ?? 0)), 0);
}

export function topSelfTime(file: string, window?: { fromMicros: number; toMicros: number }, limit = 20): SelfTime[] {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const frames = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const byFunction = new Map<string, SelfTime>();
  let busy = 0;
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    const frame = frames.get(id);
    const micros = profile.timeDeltas[i] ?? 0;
    at += micros;
    if (window && (at < window.fromMicros || at > window.toMicros)) return;
    if (!frame || frame.functionName === '(idle)') return;
    busy += micros;
    const where = place(frame);
    const key = `${frame.functionName}@${where}`;
    const entry = byFunction.get(key) ?? { name: frame.functionName || '(anonymous)', where, ms: 0, percent: 0 };
    entry.ms += micros / 1000;
    byFunction.set(key, entry);
  });
  const sorted = [...byFunction.values()].sort((a, b) => b.ms - a.ms).slice(0, limit);
  for (const entry of sorted) entry.percent = busy > 0 ? (entry.ms * 1000 * 100) / busy : 0;
  return sorted;
}

const sourceMaps = new Map<string, SourceMap | null>();

/** "engine/dns/modules/cache/cache.ts:177" for a frame in the bundle, else the frame's own place. */
function place(frame: CallFrame): string {
  if (!frame.url) return '';
  if (!frame.url.startsWith('file://')) return `${frame.url}:${frame.lineNumber + 1}`;
  const file = fileURLToPath(frame.url);
  if (!sourceMaps.has(file)) {
    const mapFile = `${file}.map`;
    sourceMaps.set(file, existsSync(mapFile) ? new SourceMap(JSON.parse(readFileSync(mapFile, 'utf8'))) : null);
  }
  const entry = sourceMaps.get(file)?.findEntry(frame.lineNumber, frame.columnNumber);
  if (entry && 'originalSource' in entry) {
    return `${relative(root, resolve(dirname(file), entry.originalSource))}:${entry.originalLine + 1}`;
  }
  return `${relative(root, file)}:${frame.lineNumber + 1}`;
}

export function selfTimeTable(entries: SelfTime[]): string {
  return [
    '| self ms | % of busy | function | where |',
    '|---:|---:|---|---|',
    ...entries.map((e) => `| ${e.ms.toFixed(0)} | ${e.percent.toFixed(1)} | ${e.name} | ${e.where} |`),
  ].join('\n');
}
