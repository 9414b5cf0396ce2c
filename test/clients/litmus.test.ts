/**
 * The litmus WebDAV conformance suite against the real host: every test of
 * basic, copymove, props, locks and http passes, with no warning and
 * nothing skipped, as README.md ("What works today") promises. litmus exits
 * 0 on warnings and skips whole groups, so the harness reads its output.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startHost, type HostProcess } from '../helpers/host-process.js';
import { runLitmus } from '../helpers/litmus.js';
import { requireTool } from '../helpers/tools.js';

const GROUPS = ['basic', 'copymove', 'props', 'locks', 'http'];

describe('litmus', () => {
  let host: HostProcess;

  before(async () => {
    host = await startHost({ users: [{ name: 'litmus', password: 'litmus-pw', groups: ['WebDAV.main'] }] });
  });
  after(() => host.stop());

  for (const group of GROUPS) {
    it(`passes every test of ${group}, with no warning and nothing skipped`, async (t) => {
      if (!requireTool(t, 'litmus', 'litmus')) return;
      const result = await runLitmus(`${host.url}/webdav/main/`, 'litmus', 'litmus-pw', [group]);
      const report = `\n${result.output}`;
      assert.equal(result.groups.length, 1, `litmus ran no summary for ${group}:${report}`);
      const [summary] = result.groups;
      assert.equal(summary!.group, group, report);
      assert.equal(summary!.failed, 0, report);
      assert.equal(summary!.passed, summary!.run, report);
      assert.deepEqual(result.failures, [], report);
      assert.deepEqual(result.warnings, [], report);
      assert.deepEqual(result.skips, [], report);
    });
  }
});
