// ESLint over the whole tree (eslint.config.ts) inside `npm test`, so a lint error is a failing,
// counted test; the import boundaries are one of its rules. Warnings (hooks dependencies) are
// listed in the output but do not fail.
import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

describe('lint', () => {
  it('ESLint finds no errors in the tree', { timeout: 300_000 }, async () => {
    const eslint = new ESLint({ cwd: root });
    const results = await eslint.lintFiles(['.']);
    const errors = results.flatMap((result) =>
      result.messages
        .filter((message) => message.severity === 2)
        .map((message) => `${result.filePath.slice(root.length + 1)}:${message.line}: ${message.message} (${message.ruleId})`),
    );
    const warnings = results.reduce((total, result) => total + result.warningCount, 0);
    if (warnings) process.stderr.write(`lint: ${warnings} warnings (npm run lint lists them)\n`);
    assert.deepEqual(errors, []);
  });

  it('reports a broken import boundary as an error', async () => {
    const eslint = new ESLint({ cwd: root });
    const [result] = await eslint.lintText("import { mergeStats } from '../dns/merge.ts';\nexport const x = mergeStats;\n", {
      filePath: join(root, 'engine/host/example.ts'),
    });
    assert.deepEqual(
      result!.messages.map((message) => message.ruleId),
      ['signalbox/import-boundary'],
    );
    assert.match(result!.messages[0]!.message, /only through engine\/host\/registry\.ts/);
  });
});
