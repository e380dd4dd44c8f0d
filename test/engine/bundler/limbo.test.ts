// x509-limbo through the policy `bundle` uses (test/limbo/harness.ts): every testcase runs; an
// unexpected verification or failure is allowed only when the baseline lists it with a reason
// (where the product's policy knowingly differs from limbo), and passes must not drop.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { BASELINE_FILE, loadTestcases, runAll } from '../../limbo/harness.ts';

const baseline = JSON.parse(readFileSync(BASELINE_FILE, 'utf8')) as {
  passed: number;
  skipped: number;
  knownUnexpectedVerifications: Record<string, string>;
  knownUnexpectedFailures: Record<string, string>;
};

test("x509-limbo with the bundle policy: only the baseline's listed differences, no fewer passes, no more skips", () => {
  const testcases = loadTestcases();
  const { summary } = runAll(testcases);
  assert.equal(summary.total, testcases.length);
  assert.deepEqual(
    summary.unexpectedVerifications.sort(),
    Object.keys(baseline.knownUnexpectedVerifications).sort(),
    'FAILURE cases that `bundle` accepts: a new one is a chain users would get; a listed one gone should leave the baseline',
  );
  assert.deepEqual(summary.unexpectedFailures.sort(), Object.keys(baseline.knownUnexpectedFailures).sort(), 'SUCCESS cases that `bundle` refuses');
  for (const [id, reason] of Object.entries({ ...baseline.knownUnexpectedVerifications, ...baseline.knownUnexpectedFailures })) {
    assert.ok(reason.length > 20, `${id}: the baseline gives no reason`);
  }
  assert.ok(summary.passed >= baseline.passed, `passed ${summary.passed} < baseline ${baseline.passed}`);
  assert.ok(summary.skipped <= baseline.skipped, `skipped ${summary.skipped} > baseline ${baseline.skipped}`);
});
