// Electronegativity (Doyensec's Electron security linter) over the shell's source (electron/) and
// its build (dist/electron/main.js and preload.cjs), for Electron 45, offline. Every finding must be
// fixed or be listed with its reason in electronegativity-allowed.json. Needs `npm run build`.
import assert from 'node:assert/strict';
import { transformSync } from 'esbuild';
import { readFileSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { desktopCsp } from '../../electron/security.ts';
import { tempDir } from '../helpers/host.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const linterRequire = createRequire(createRequire(import.meta.url).resolve('@doyensec/electronegativity'));

// The linter downloads translations at every run (dist/locales/i18n.js, with `got`); its English
// texts ship with it. `got` is used for nothing else once AvailableSecurityFixesGlobalCheck (the
// one check that fetches Electron's release list) is left out, so it is made to fail at once:
// no network, and no waiting on a timeout.
const gotPath = linterRequire.resolve('got');
const offlineGot = new Module(gotPath);
offlineGot.filename = gotPath;
offlineGot.loaded = true;
offlineGot.exports = () => Promise.reject(new Error('offline: the linter uses its bundled translations'));
linterRequire.cache[gotPath] = offlineGot;

interface Finding {
  id: string;
  file: string;
  location: { line: number; column: number };
  description: string;
  sample?: string;
}
type Run = (options: Record<string, unknown>, forCli: boolean) => Promise<{ issues: Finding[]; errors: unknown[]; atomicChecks: number; globalChecks: number }>;
const runLinter = linterRequire('@doyensec/electronegativity') as Run;

interface Allowed {
  check: string;
  files: string[];
  reason: string;
}
const { allowed, cspReviewed } = JSON.parse(readFileSync(new URL('electronegativity-allowed.json', import.meta.url), 'utf8')) as {
  allowed: Allowed[];
  cspReviewed: { directive: string; reason: string }[];
};

/** Scans `input` and names each finding's file as `prefix` + the linter's relative path. */
async function scan(input: string, rename: (file: string) => string): Promise<Finding[]> {
  const result = await runLinter(
    {
      input,
      isRelative: true,
      isVerbose: false,
      electronVersionOverride: '45.0.0',
      excludeFromScan: ['AvailableSecurityFixesGlobalCheck'],
      customScan: [],
      parserPlugins: [],
    },
    false,
  );
  assert.deepEqual(result.errors, [], `the linter parsed every file of ${input}`);
  assert.ok(result.atomicChecks > 30 && result.globalChecks > 3, `checks ran: ${result.atomicChecks} atomic, ${result.globalChecks} global`);
  return result.issues.map((issue) => ({ ...issue, file: issue.file === 'N/A' ? 'N/A' : rename(issue.file) }));
}

function unexplained(findings: Finding[]): string[] {
  return findings
    .filter((finding) => !allowed.some((entry) => entry.check === finding.id && entry.files.includes(finding.file)))
    .map(
      (finding) =>
        `${finding.id} at ${finding.file}:${finding.location.line}:${finding.location.column}: ${finding.description}${finding.sample ? ` (${finding.sample})` : ''}`,
    );
}

describe('electronegativity over the Electron shell (Electron 45, offline)', () => {
  const findings: Finding[] = [];

  it('finds nothing unexplained in electron/', async () => {
    const found = await scan(join(root, 'electron'), (file) => `electron/${file}`);
    findings.push(...found);
    assert.deepEqual(unexplained(found), []);
  });

  it('finds nothing unexplained in the built main process and preload', async () => {
    // The linter reads .js, not .cjs, and its scope analysis predates class private fields (which
    // the bundled engine host uses): it reads copies lowered to ES2019 syntax by esbuild, the same
    // code, with the preload named preload.js.
    const dir = tempDir('electronegativity');
    for (const [built, copy] of [
      ['main.js', 'main.js'],
      ['preload.cjs', 'preload.js'],
    ] as const) {
      const source = readFileSync(join(root, 'dist', 'electron', built), 'utf8');
      writeFileSync(join(dir, copy), transformSync(source, { target: 'es2019', format: built.endsWith('.cjs') ? 'cjs' : 'esm', loader: 'js' }).code);
    }
    const found = await scan(dir, (file) => (file === 'preload.js' ? 'dist/electron/preload.cjs' : `dist/electron/${file}`));
    findings.push(...found);
    assert.deepEqual(unexplained(found), []);
  });

  it('every allow-list entry still matches a finding (no stale excuses)', () => {
    for (const entry of allowed) {
      assert.ok(entry.reason.length > 40, `${entry.check} has a reason`);
      for (const file of entry.files)
        assert.ok(
          findings.some((finding) => finding.id === entry.check && finding.file === file),
          `${entry.check} in ${file} is no longer reported: remove it from electronegativity-allowed.json`,
        );
    }
  });

  it("the desktop CSP, which the linter cannot see, passes the linter's own CSP evaluator", () => {
    const csp = linterRequire(join(dirname(linterRequire.resolve('@doyensec/csp-evaluator')))) as {
      CspParser: new (policy: string) => { csp: unknown };
      CspEvaluator: new (parsed: unknown, version: unknown) => { evaluate(): { severity: number; description: string; directive: string }[] };
      Version: { CSP3: unknown };
      severities: Record<string, number>;
    };
    // As CSP_GLOBAL_CHECK grades them: high or medium is a weak CSP; the _MAYBE ones need a review.
    const findings = new csp.CspEvaluator(new csp.CspParser(desktopCsp).csp, csp.Version.CSP3).evaluate();
    const text = (finding: { directive: string; description: string }) => `${finding.directive}: ${finding.description}`;
    assert.deepEqual(findings.filter((finding) => [csp.severities.HIGH, csp.severities.MEDIUM].includes(finding.severity)).map(text), [], 'a weak CSP');
    const maybe = findings.filter((finding) => [csp.severities.HIGH_MAYBE, csp.severities.MEDIUM_MAYBE].includes(finding.severity));
    assert.deepEqual(
      maybe.filter((finding) => !cspReviewed.some((entry) => entry.directive === finding.directive)).map(text),
      [],
      'possible CSP weaknesses nobody reviewed',
    );
    for (const entry of cspReviewed)
      assert.ok(
        maybe.some((finding) => finding.directive === entry.directive),
        `cspReviewed ${entry.directive} no longer flagged: remove it`,
      );
  });
});
