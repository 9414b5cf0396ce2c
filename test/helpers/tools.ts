/**
 * Real-client suites need programs from Debian packages. Locally a missing
 * program skips its suite with a message naming the package; under CI=true
 * it fails the suite loudly, because a skipped suite proves nothing.
 */
import { spawnSync } from 'node:child_process';
import type { TestContext } from 'node:test';

export function hasTool(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

/** True when the suite may run; otherwise skips it (locally) or throws (under CI). */
export function requireTool(t: TestContext, command: string, debianPackage: string): boolean {
  if (hasTool(command)) return true;
  const message = `${command} is not installed (Debian package ${debianPackage}; scripts/install-test-tools.sh installs it as root)`;
  if (process.env.CI === 'true') throw new Error(`${message}: CI must run this suite`);
  t.skip(message);
  return false;
}
