// Prettier over the tree inside `npm test` (.prettierrc, .prettierignore): the formatting applied
// once stays applied, so a diff shows what changed and not how someone's editor wraps lines.
// `npm run format` fixes what this finds.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

describe('format', () => {
  it('every file Prettier covers is formatted (npm run format fixes it)', { timeout: 300_000 }, async () => {
    const prettier = join(root, 'node_modules', '.bin', 'prettier');
    const result = await promisify(execFile)(prettier, ['--list-different', '.'], { cwd: root }).then(
      () => '',
      (err: { code?: number; stdout?: string }) => (err.code === 1 ? (err.stdout ?? '') : Promise.reject(err)),
    );
    assert.deepEqual(result.split('\n').filter(Boolean), []);
  });
});
