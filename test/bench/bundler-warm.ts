// The warm half of the bundler benchmark for signalbox, run in a fresh Node process per trust set
// (by bundler.bench.ts) so that the trust load and the first bundle are measured as a new process
// meets them, with no JIT warmth left over from another set. Loads the store once, then bundles
// each leaf: the first call apart, then `iterations` timed calls. Prints one JSON object.
//
//   node --import tsx test/bench/bundler-warm.ts TRUST_DIR FLAVOR ITERATIONS LEAVES.json
//   LEAVES.json: [{ "name": "amazon.com", "pem": "...", "at": null | ISO }]
import { readFileSync } from 'node:fs';
import { loadSignalbox, type SignalboxOutcome } from './signalbox-bundle.ts';

export interface WarmLeaf {
  name: string;
  pem: string;
  at: string | null;
}

export interface WarmResult {
  loadMs: number;
  leaves: { name: string; firstCallMs: number; timesMs: number[]; outcome: SignalboxOutcome }[];
}

const [trustDir, flavor, iterationsText, leavesFile] = process.argv.slice(2);
if (!trustDir || (flavor !== 'ubiquitous' && flavor !== 'optimal') || !iterationsText || !leavesFile) {
  throw new Error('usage: bundler-warm.ts TRUST_DIR ubiquitous|optimal ITERATIONS LEAVES.json');
}
const iterations = Number(iterationsText);
const leaves = JSON.parse(readFileSync(leavesFile, 'utf8')) as WarmLeaf[];

const bundler = loadSignalbox(trustDir);
const result: WarmResult = { loadMs: bundler.loadMs, leaves: [] };
for (const leaf of leaves) {
  let started = performance.now();
  const outcome = bundler.bundle(leaf.pem, flavor, leaf.at);
  const firstCallMs = performance.now() - started;
  const timesMs: number[] = [];
  for (let i = 0; i < iterations; i++) {
    started = performance.now();
    bundler.bundle(leaf.pem, flavor, leaf.at);
    timesMs.push(performance.now() - started);
  }
  result.leaves.push({ name: leaf.name, firstCallMs, timesMs, outcome });
}
process.stdout.write(JSON.stringify(result) + '\n');
