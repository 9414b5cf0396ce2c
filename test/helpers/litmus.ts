/**
 * Runs the litmus WebDAV conformance suite and reads its output: litmus exits
 * 0 on warnings and skips whole groups (locks, when the server does not
 * claim Class 2), so its exit code proves little.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface LitmusGroupResult {
  readonly group: string;
  readonly run: number;
  readonly passed: number;
  readonly failed: number;
}

export interface LitmusResult {
  readonly output: string;
  readonly groups: readonly LitmusGroupResult[];
  /** Lines reporting a failed test. */
  readonly failures: readonly string[];
  /** Lines with a warning, including "pass (with N warning)" lines. */
  readonly warnings: readonly string[];
  /** Lines saying a test or a group was skipped. */
  readonly skips: readonly string[];
}

export async function runLitmus(
  url: string,
  user: string,
  password: string,
  groups: readonly string[],
): Promise<LitmusResult> {
  const cwd = await mkdtemp(join(tmpdir(), 'litmus-'));
  try {
    const output = await new Promise<string>((resolve, reject) => {
      const child = spawn('litmus', [url, user, password], {
        cwd,
        env: { ...process.env, TESTS: groups.join(' ') },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let text = '';
      child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
      child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
      const timer = setTimeout(() => child.kill('SIGKILL'), 5 * 60_000);
      child.on('error', reject);
      child.on('close', () => {
        clearTimeout(timer);
        resolve(text);
      });
    });
    return parseLitmusOutput(output);
  } finally {
    await rm(cwd, { recursive: true, force: true });
  }
}

export function parseLitmusOutput(output: string): LitmusResult {
  const lines = output.split('\n');
  const groups: LitmusGroupResult[] = [];
  for (const line of lines) {
    const match = /<- summary for `([^']+)': of (\d+) tests run: (\d+) passed, (\d+) failed/.exec(line);
    if (match)
      groups.push({ group: match[1]!, run: Number(match[2]), passed: Number(match[3]), failed: Number(match[4]) });
  }
  return {
    output,
    groups,
    failures: lines.filter((line) => /\bFAIL\b/.test(line)),
    warnings: lines.filter((line) => /WARNING|with \d+ warning|\d+ warnings? (was|were) issued/.test(line)),
    skips: lines.filter((line) => /skip/i.test(line)),
  };
}
