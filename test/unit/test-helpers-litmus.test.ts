/** The litmus harness must catch what litmus's exit code hides. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseLitmusOutput } from '../helpers/litmus.js';

const SAMPLE = `-> running \`basic':
 0. init.................. pass
 1. begin................. pass
 2. options............... WARNING: server does not claim Class 2 compliance
    ...................... pass (with 1 warning)
 3. put_get............... FAIL (PUT of 'res' failed: 500 Internal Server Error)
<- summary for \`basic': of 4 tests run: 3 passed, 1 failed. 75.0%
-> 1 warning was issued.
-> running \`locks':
- skipping locks tests, server does not claim Class 2 compliance
<- summary for \`locks': of 0 tests run: 0 passed, 0 failed. 0.0%
`;

test('summaries, failures, warnings and skips are all read from the output', () => {
  const result = parseLitmusOutput(SAMPLE);
  assert.deepEqual(result.groups, [
    { group: 'basic', run: 4, passed: 3, failed: 1 },
    { group: 'locks', run: 0, passed: 0, failed: 0 },
  ]);
  assert.equal(result.failures.length, 1);
  assert.match(result.failures[0]!, /put_get/);
  assert.equal(result.warnings.length, 3);
  assert.equal(result.skips.length, 1);
});

test('a clean run has nothing to report', () => {
  const result = parseLitmusOutput(
    "-> running `http':\n 0. init.... pass\n 1. begin... pass\n<- summary for `http': of 2 tests run: 2 passed, 0 failed. 100.0%\n",
  );
  assert.deepEqual([result.failures, result.warnings, result.skips], [[], [], []]);
  assert.deepEqual(result.groups, [{ group: 'http', run: 2, passed: 2, failed: 0 }]);
});
