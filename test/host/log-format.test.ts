/**
 * The log of a real start in both formats (host/log.ts): JSON lines for a
 * service manager, one readable line per entry for a person at a terminal,
 * chosen with `--log-format` or, without it, by whether standard output is
 * a terminal. The terminal is a real pseudo-terminal from util-linux's
 * `script`.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it, type TestContext } from 'node:test';
import { CLI, FIXTURE_PLUGIN, REPO_ROOT, runCli } from '../helpers/host-process.js';
import { tempFolder } from '../helpers/system.js';
import { requireTool } from '../helpers/tools.js';

interface Started {
  /** Everything written so far, standard error included. */
  output(): string;
  /** Resolves once the output matches; rejects after 30 s or when the process ended first. */
  waitFor(pattern: RegExp): Promise<RegExpExecArray>;
}

/**
 * Starts `mediahost start` on a fresh data folder, on a terminal (through
 * `script`) or on pipes. Stopped with Ctrl-C on the terminal or SIGTERM on
 * pipes when the test ends; its whole process group is killed if it does
 * not exit.
 */
async function start(t: TestContext, options: { args?: string[]; terminal?: boolean }): Promise<Started> {
  const dataDir = await tempFolder(t, 'mediahost-logformat-');
  const settings = await runCli(dataDir, ['settings', 'set', 'host.plugins', FIXTURE_PLUGIN]);
  assert.equal(settings.code, 0, settings.stderr);
  const argv = [CLI, 'start', '--data', dataDir, '--port', '0', '--host', '127.0.0.1', ...(options.args ?? [])];
  const quoted = [process.execPath, ...argv].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const child = options.terminal
    ? spawn('script', ['--quiet', '--flush', '--return', '--command', `exec ${quoted}`, '/dev/null'], {
        cwd: REPO_ROOT,
        env: { ...process.env, TERM: 'xterm-256color', NO_COLOR: undefined, FORCE_COLOR: undefined },
        stdio: ['pipe', 'pipe', 'pipe'],
        detached: true,
      })
    : spawn(process.execPath, argv, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  const waiters = new Set<() => void>();
  const onData = (d: string): void => {
    output += d;
    for (const w of [...waiters]) w();
  };
  child.stdout!.setEncoding('utf8').on('data', onData);
  child.stderr!.setEncoding('utf8').on('data', onData);
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.on('exit', () => {
      exited = true;
      for (const w of [...waiters]) w();
      resolve();
    }),
  );
  t.after(async () => {
    if (!exited) {
      if (options.terminal) child.stdin!.write('\x03');
      else child.kill('SIGTERM');
      const kill = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 10_000);
      await exit;
      clearTimeout(kill);
    }
  });
  const waitFor = (pattern: RegExp): Promise<RegExpExecArray> =>
    new Promise((resolve, reject) => {
      const done = (fn: () => void): void => {
        clearTimeout(timer);
        waiters.delete(check);
        fn();
      };
      const check = (): void => {
        const found = pattern.exec(output);
        if (found) done(() => resolve(found));
        else if (exited) done(() => reject(new Error(`the host exited before printing ${pattern}:\n${output}`)));
      };
      const timer = setTimeout(() => done(() => reject(new Error(`no ${pattern} within 30 s:\n${output}`))), 30_000);
      waiters.add(check);
      check();
    });
  return { output: () => output, waitFor };
}

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;]*m/g;
const PRETTY_LISTENING =
  /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: listening \{"port":(\d+),"url":"(http:\/\/127\.0\.0\.1:\d+\/)"/m;

describe('log format', () => {
  it('--log-format json writes one JSON object per line', async (t) => {
    const host = await start(t, { args: ['--log-format', 'json'] });
    await host.waitFor(/"msg":"listening"/);
    const lines = host
      .output()
      .split('\n')
      .filter((l) => l.startsWith('{'));
    const records = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const listening = records.find((r) => r['msg'] === 'listening')!;
    assert.equal(listening['level'], 30);
    assert.equal(typeof listening['pid'], 'number');
    assert.match(String(listening['url']), /^http:\/\/127\.0\.0\.1:\d+\/$/);
    assert.ok(records.some((r) => r['msg'] === 'plugin activated' && r['plugin'] === 'fixture'));
    assert.doesNotMatch(host.output(), /^\[\d\d:\d\d/m, 'no readable lines');
  });

  it('--log-format pretty writes one readable line per entry, without colours on a pipe', async (t) => {
    const host = await start(t, { args: ['--log-format', 'pretty'] });
    const [, port, url] = await host.waitFor(PRETTY_LISTENING);
    assert.ok(Number(port) > 0);
    assert.equal((await fetch(url!)).status, 200, 'the address in the line answers');
    assert.match(host.output(), /^\[[\d:.]+\] INFO: plugin activated \{"plugin":"fixture","version":"1\.2\.3"\}$/m);
    assert.doesNotMatch(host.output(), /^\{"level"/m, 'no JSON lines');
    assert.doesNotMatch(host.output(), /"pid"/, 'the pid is left out of readable lines');
    assert.doesNotMatch(host.output(), ANSI, 'no colour codes on a pipe');
  });

  it('without --log-format, a pipe gets JSON lines', async (t) => {
    const host = await start(t, {});
    await host.waitFor(/^\{.*"msg":"listening".*\}$/m);
    assert.doesNotMatch(host.output(), /^\[\d\d:\d\d/m);
  });

  it('without --log-format, a terminal gets readable coloured lines; --log-format json overrides it', async (t) => {
    if (!requireTool(t, 'script', 'bsdutils')) return;
    const host = await start(t, { terminal: true });
    await host.waitFor(/INFO.*listening/);
    const plain = host.output().replace(ANSI, '').replace(/\r/g, '');
    assert.match(plain, PRETTY_LISTENING);
    assert.match(host.output(), ANSI, 'colours on a terminal');
    assert.doesNotMatch(plain, /^\{"level"/m);

    const json = await start(t, { terminal: true, args: ['--log-format', 'json'] });
    await json.waitFor(/"msg":"listening"/);
    assert.doesNotMatch(json.output().replace(/\r/g, ''), /^\[\d\d:\d\d/m);
    assert.doesNotMatch(json.output(), ANSI);
  });

  it('refuses an unknown format, naming the choices', async (t) => {
    const dataDir = await tempFolder(t, 'mediahost-logformat-');
    const result = await runCli(dataDir, ['start', '--port', '0', '--log-format', 'xml']);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /argument 'xml' is invalid\. Allowed choices are json, pretty\./);
  });
});
