/**
 * Runs command-line WebDAV clients (curl, cadaver, rclone) the way a user
 * would, with credentials in the places those tools read them from.
 */
import { spawn } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RunResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function run(
  command: string,
  args: readonly string[],
  options: { input?: string; env?: Record<string, string>; cwd?: string; timeoutMs?: number } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (data: string) => (stdout += data));
    child.stderr.setEncoding('utf8').on('data', (data: string) => (stderr += data));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    // A command may exit before reading its input; that is its business, not an error of the test.
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
  });
}

/** A throw-away HOME whose .netrc holds the credentials (cadaver reads it). */
export async function homeWithNetrc(
  host: string,
  user: string,
  password: string,
): Promise<{ home: string; dispose(): Promise<void> }> {
  const home = await mkdtemp(join(tmpdir(), 'client-home-'));
  const netrc = join(home, '.netrc');
  await writeFile(netrc, `machine ${host}\nlogin ${user}\npassword ${password}\n`);
  await chmod(netrc, 0o600);
  return { home, dispose: () => rm(home, { recursive: true, force: true }) };
}

/** Runs a cadaver session: one command per line, then quit. */
export async function cadaver(
  url: string,
  user: string,
  password: string,
  commands: readonly string[],
  cwd?: string,
): Promise<RunResult> {
  const { home, dispose } = await homeWithNetrc(new URL(url).hostname, user, password);
  try {
    return await run('cadaver', [url], { input: [...commands, 'quit', ''].join('\n'), env: { HOME: home }, cwd });
  } finally {
    await dispose();
  }
}
