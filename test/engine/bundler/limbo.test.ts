// x509-limbo through the bundler's validator (test/limbo/harness.ts): no FAILURE case may be
// accepted among the features we support, and passes must not drop below the recorded baseline.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { BASELINE_FILE, loadTestcases, runAll } from '../../limbo/harness.ts';

const baseline = JSON.parse(readFileSync(BASELINE_FILE, 'utf8')) as { passed: number; knownUnexpectedFailures: string[] };

test('x509-limbo: no unexpected verification and no fewer passes than the baseline', () => {
  const { summary } = runAll(loadTestcases());
  assert.deepEqual(summary.unexpectedVerifications, [], 'FAILURE cases that our validator accepted');
  assert.ok(summary.passed >= baseline.passed, `passed ${summary.passed} < baseline ${baseline.passed}`);
  const surprising = summary.unexpectedFailures.filter((id) => !baseline.knownUnexpectedFailures.includes(id));
  assert.deepEqual(surprising, [], 'SUCCESS cases we now reject');
});
