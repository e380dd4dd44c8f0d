// Every code engine/ gives is declared in engine/api/error-codes.ts (its namespace's table, or the
// transport's), so clients can rely on the list; every declared code is still given somewhere; the
// renderer names codes only through those tables. Read off the source: a code is written as a
// quoted 'E_…' string, as a key `E_…:` of a table, or inside a message as `[E_…]` / `(E_…)`; the
// bundler's E_BUNDLER_<n> are derived from its cfssl codes.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { bundlerProblems, errorTables, toApiError } from '../../engine/api/error-codes.ts';
import { ApiError, ErrorCode } from '../../engine/api/errors.ts';
import { CODE_NAMES, E_VERIFY_FAILED } from '../../engine/bundler/chain/codes.ts';
import { problemKinds } from '../../engine/bundler/input/problems.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const codePatterns = [/(['"`])(E_[A-Z0-9_]*[A-Z0-9])\1/g, /^\s*(E_[A-Z0-9_]*[A-Z0-9]):/gm, /[[(](E_[A-Z0-9_]*[A-Z0-9])[\])]/g];

function sources(dir: string, extensions = /\.tsx?$/): { path: string; text: string }[] {
  return readdirSync(join(root, dir), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && extensions.test(entry.name))
    .map((entry) => ({ path: join(entry.parentPath, entry.name), text: readFileSync(join(entry.parentPath, entry.name), 'utf8') }));
}

/** Every code written in the files of `dir`. */
function codesWritten(files: { text: string }[]): Set<string> {
  const found = new Set<string>();
  for (const { text } of files) for (const pattern of codePatterns) for (const match of text.matchAll(pattern)) found.add(match[2] ?? match[1]!);
  return found;
}

const areas = ['host', 'dns', 'railgun', 'vault', 'bundler'] as const;
const written = (area: string) => {
  const found = codesWritten(sources(`engine/${area}`));
  // `ErrorCode.x` in engine code is a transport code by name.
  for (const { text } of sources(`engine/${area}`))
    for (const match of text.matchAll(/\bErrorCode\.(\w+)/g)) found.add(ErrorCode[match[1] as keyof typeof ErrorCode]);
  // A BundleError carries the first upload problem's number, or E_VERIFY_FAILED for a --leaf out of range.
  if (area === 'bundler') for (const code of [...Object.values(problemKinds), E_VERIFY_FAILED]) found.add(`E_BUNDLER_${code}`);
  return found;
};

describe('error codes', () => {
  for (const area of areas) {
    it(`every code engine/${area} gives is declared`, () => {
      const declared = new Set([...Object.keys(errorTables.transport), ...Object.keys(errorTables.common), ...Object.keys(errorTables[area])]);
      const missing = [...written(area)].filter((code) => !declared.has(code));
      assert.deepEqual(missing, [], `declare them in engine/api (the ${area} table of error-codes.ts, or ${area}-errors.ts)`);
    });
    it(`every code of the ${area} table is given in engine/${area} (no stale entry)`, () => {
      const given = written(area);
      assert.deepEqual(
        Object.keys(errorTables[area]).filter((code) => !given.has(code)),
        [],
      );
    });
  }

  it('every shared code (engine/common) is given by more than one namespace, and somewhere', () => {
    for (const code of Object.keys(errorTables.common)) assert.ok(areas.filter((area) => written(area).has(code)).length >= 2, code);
  });

  it('every code written anywhere in engine/ (api, common, echo included) is declared', () => {
    const declared = new Set(Object.values(errorTables).flatMap((table) => Object.keys(table)));
    const folders = readdirSync(join(root, 'engine'), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);
    assert.deepEqual(
      folders.flatMap((folder) => [...written(folder)].filter((code) => !declared.has(code)).map((code) => `engine/${folder}: ${code}`)),
      [],
    );
  });

  it('the transport codes are ErrorCode', () => assert.deepEqual(Object.keys(errorTables.transport).sort(), Object.values(ErrorCode).sort()));

  it('a code is declared in one namespace only', () => {
    const seen = new Map<string, string>();
    const twice = Object.entries(errorTables).flatMap(([name, table]) =>
      Object.keys(table).flatMap((code) => (seen.has(code) ? [`${code}: ${seen.get(code)} and ${name}`] : (seen.set(code, name), []))),
    );
    assert.deepEqual(twice, []);
  });

  it("the bundler's problem names carry the engine's numbers", () => {
    const engine = { ...problemKinds, ...Object.fromEntries(Object.entries(CODE_NAMES).map(([code, name]) => [name, Number(code)])) };
    assert.deepEqual(Object.fromEntries(Object.entries(bundlerProblems).map(([name, problem]) => [name, problem.code])), engine);
  });

  it('finds a code that is not declared, in each way one is written', () => {
    const found = codesWritten([
      { text: "throw new OrderError('E_VAULT_NEW_ONE', `x`);\nconst t = {\n  E_VAULT_KEYED: 'x',\n};\nres.end(`busy [E_RAILGUN_TEXT]`);" },
    ]);
    assert.deepEqual([...found].sort(), ['E_RAILGUN_TEXT', 'E_VAULT_KEYED', 'E_VAULT_NEW_ONE']);
  });

  it('the renderer names codes only through engine/api (codes.E_…, ErrorCode, typed tables), never as a string', () => {
    const quoted = sources('renderer').flatMap(({ path, text }) =>
      [...text.matchAll(codePatterns[0]!)].map((match) => `${path.slice(root.length + 1)}: ${match[0]}`),
    );
    assert.deepEqual(quoted, []);
  });
});

describe('toApiError, the one way an error crosses the API', () => {
  it('keeps a declared code whatever the error class, with its message', () => {
    class VaultCryptoError extends Error {
      readonly code = 'E_VAULT_DECRYPT';
    }
    const crossed = toApiError(new VaultCryptoError('the data key did not decrypt'));
    assert.deepEqual(crossed.toJSON(), { code: 'E_VAULT_DECRYPT', message: 'the data key did not decrypt' });
    const own = new ApiError('E_DNS_NOT_CAPTURED', 'query 7 is no longer in the capture');
    assert.equal(toApiError(own), own);
    assert.deepEqual(toApiError({ code: 'E_TIMEOUT', message: 'dns.stats got no answer within 5000 ms' }).toJSON(), {
      code: 'E_TIMEOUT',
      message: 'dns.stats got no answer within 5000 ms',
    });
  });

  it('gives E_INTERNAL, with the message, to an error whose code is not declared (a Node errno)', () => {
    const enoent = Object.assign(new Error("ENOENT: no such file or directory, open '/x'"), { code: 'ENOENT' });
    assert.deepEqual(toApiError(enoent).toJSON(), { code: 'E_INTERNAL', message: "ENOENT: no such file or directory, open '/x'" });
    assert.deepEqual(toApiError('plain text').toJSON(), { code: 'E_INTERNAL', message: 'plain text' });
  });
});
