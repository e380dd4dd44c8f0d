// Every code an engine throws as an ApiError is declared in engine/api/error-codes.ts, in the
// table of its namespace (or the transport's), so clients can rely on the list. Read off the
// source: `new ApiError('E_…'` and `new ApiError(ErrorCode.…`.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { errorTables } from '../../engine/api/error-codes.ts';
import { ErrorCode } from '../../engine/api/errors.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const thrownIn = (area: string) => {
  const codes = new Set<string>();
  for (const entry of readdirSync(join(root, 'engine', area), { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
    const text = readFileSync(join(entry.parentPath, entry.name), 'utf8');
    for (const match of text.matchAll(/new ApiError\(\s*(?:'(E_[A-Z0-9_]+)'|ErrorCode\.(\w+))/g)) codes.add(match[1] ?? ErrorCode[match[2] as keyof typeof ErrorCode]);
  }
  return codes;
};

describe('error codes', () => {
  for (const area of ['host', 'dns', 'railgun'] as const) {
    it(`every ApiError code engine/${area} throws is declared`, () => {
      const declared = new Set([...Object.keys(errorTables.transport), ...Object.keys(errorTables[area])]);
      const missing = [...thrownIn(area)].filter((code) => !declared.has(code));
      assert.deepEqual(missing, [], `declare them in engine/api/error-codes.ts (${area}Errors)`);
    });
    it(`every code of the ${area} table is thrown somewhere (no stale entry)`, () => {
      const thrown = thrownIn(area);
      assert.deepEqual(Object.keys(errorTables[area]).filter((code) => !thrown.has(code)), []);
    });
  }
  it('the transport codes are ErrorCode', () => assert.deepEqual(Object.keys(errorTables.transport).sort(), Object.values(ErrorCode).sort()));
});
