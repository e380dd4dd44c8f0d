// test/bench/RESULTS.md holds one section per benchmark. A bench rewrites only the part between
// its own markers; other benches' sections and the hand-written commentary after each section stay.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

const heading = `# Benchmark results

Each section between \`<!-- name:begin -->\` and \`<!-- name:end -->\` is rewritten by
\`npm run bench:name\`; the commentary after it is written by people and kept.
`;

export function writeSection(file: string, name: string, markdown: string): void {
  const begin = `<!-- ${name}:begin -->`;
  const end = `<!-- ${name}:end -->`;
  const old = existsSync(file) ? readFileSync(file, 'utf8') : heading;
  const from = old.indexOf(begin);
  const to = old.indexOf(end);
  const section = `${begin}\n${markdown.trim()}\n${end}`;
  const text =
    from !== -1 && to > from
      ? old.slice(0, from) + section + old.slice(to + end.length)
      : `${old.trimEnd()}\n\n${section}\n\n### ${name} commentary\n\n(none yet: say what the numbers mean; the bench keeps this part)\n`;
  writeFileSync(file, text);
}
