// knip over the tree (knip.ts): no unused file, export, type or dependency, except the ones kept
// with a reason in knip-kept.json; a kept entry knip no longer reports fails too.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { kept } = JSON.parse(readFileSync(join(root, 'test/architecture/knip-kept.json'), 'utf8')) as {
  kept: { kind: string; file: string; name: string; reason: string }[];
};

type Issue = Record<string, unknown> & { file: string };

describe('knip', () => {
  it('finds no unused files, exports, types or dependencies beyond the kept list', { timeout: 240_000 }, async () => {
    // knip exits 1 when it reports anything; the JSON on stdout is what counts.
    const run = await promisify(execFile)(process.execPath, [join(root, 'node_modules/knip/bin/knip.js'), '--no-progress', '--reporter', 'json'], {
      cwd: root,
      maxBuffer: 16 * 1024 * 1024,
    }).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }));
    const { issues } = JSON.parse(run.stdout) as { issues: Issue[] };
    const found = issues.flatMap((issue) =>
      Object.entries(issue)
        .filter(([kind, list]) => kind !== 'file' && Array.isArray(list))
        .flatMap(([kind, list]) => (list as { name: string }[]).map((item) => `${kind} ${issue.file} ${item.name}`)),
    );
    assert.deepEqual(found.sort(), kept.map((entry) => `${entry.kind} ${entry.file} ${entry.name}`).sort());
    for (const entry of kept) assert.ok(entry.reason.length > 20, `${entry.name} in ${entry.file} is kept without a reason`);
  });
});
