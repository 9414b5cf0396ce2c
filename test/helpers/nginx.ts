/**
 * nginx in front of host instances, configured with the site block of
 * docs/deploy.md as it stands: the tests prove the documented configuration,
 * not one of their own. Only what a test must change is changed: the listen
 * lines (127.0.0.1 and a free port), the upstream's server lines (the
 * instances' ports) and the log paths; pid, logs and temporary files go to a
 * temporary prefix folder, removed by stop().
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, connect } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { REPO_ROOT } from './host-process.js';
import { hasTool, requireTool } from './tools.js';

export const DEPLOY_DOC = path.join(REPO_ROOT, 'docs', 'deploy.md');

export interface Nginx {
  /** `http://127.0.0.1:PORT` (`https://` with TLS), no trailing slash. */
  readonly url: string;
  readonly port: number;
  /** The configuration nginx runs with (the site block after substitution, inside a main file). */
  readonly config: string;
  errorLog(): Promise<string>;
  /** SIGQUIT (graceful), SIGKILL after 10 s; removes the prefix folder. */
  stop(): Promise<void>;
}

/**
 * Installs Debian's `nginx` with apt-get when it is missing and we are root
 * (for a suite's `before`); true when nginx is there. Each test then calls
 * requireNginx, which skips (locally) or fails (under CI) without it.
 */
export function installNginx(): boolean {
  if (!hasTool('nginx') && process.getuid?.() === 0 && hasTool('apt-get')) {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    spawnSync('apt-get', ['update', '-qq'], { stdio: 'ignore', env });
    spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'nginx'], { stdio: 'ignore', env });
  }
  return hasTool('nginx');
}

export const requireNginx = (t: TestContext): boolean => requireTool(t, 'nginx', 'nginx');

/** The one fenced `nginx` block of docs/deploy.md that defines the upstream `mediahost`. */
export async function documentedSite(): Promise<string> {
  const doc = await readFile(DEPLOY_DOC, 'utf8');
  const blocks = [...doc.matchAll(/^```nginx\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
  const sites = blocks.filter((block) => /^upstream mediahost \{/m.test(block));
  if (sites.length !== 1)
    throw new Error(`docs/deploy.md must hold one nginx block with "upstream mediahost {", found ${sites.length}`);
  return sites[0]!;
}

/** The fenced `nginx` fragment of docs/deploy.md that replaces the listen lines for TLS. */
export async function documentedTlsListen(): Promise<string> {
  const doc = await readFile(DEPLOY_DOC, 'utf8');
  const blocks = [...doc.matchAll(/^```nginx\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
  const fragments = blocks.filter((block) => /^\s*ssl_certificate /m.test(block) && !/^server \{/m.test(block));
  if (fragments.length !== 1)
    throw new Error(`docs/deploy.md must hold one nginx fragment with ssl_certificate, found ${fragments.length}`);
  return fragments[0]!;
}

export interface TlsFiles {
  readonly cert: string;
  readonly key: string;
}

export interface SiteOptions {
  readonly listenPort: number;
  readonly upstreamPorts: readonly number[];
  /** Folder for the access and error logs. */
  readonly logDir: string;
  /** TLS at nginx, as docs/deploy.md describes it: its fragment replaces the listen lines. */
  readonly tls?: { readonly fragment: string; readonly files: TlsFiles };
}

/** The TLS fragment with the test's port and files: `listen 443 ssl` on 127.0.0.1 only. */
function tlsListen(fragment: string, port: number, files: TlsFiles): string {
  const lines = fragment.split('\n').filter((line) => line.trim() !== '');
  const out: string[] = [];
  let listened = false;
  for (const line of lines) {
    const indent = /^\s*/.exec(line)![0];
    if (/^\s*listen /.test(line)) {
      if (!/ ssl;$/.test(line)) throw new Error(`the documented TLS listen line has no ssl: ${line}`);
      if (!listened) out.push(`${indent}listen 127.0.0.1:${port} ssl;`);
      listened = true;
    } else if (/^\s*ssl_certificate /.test(line)) out.push(`${indent}ssl_certificate ${files.cert};`);
    else if (/^\s*ssl_certificate_key /.test(line)) out.push(`${indent}ssl_certificate_key ${files.key};`);
    else out.push(line);
  }
  if (!listened || !out.some((l) => /ssl_certificate /.test(l)) || !out.some((l) => /ssl_certificate_key /.test(l)))
    throw new Error(`the documented TLS fragment needs listen, ssl_certificate and ssl_certificate_key:\n${fragment}`);
  return `${out.join('\n')}\n`;
}

/** The documented site with the test's ports and log paths; throws when the block no longer has what it replaces. */
export function siteForTest(site: string, options: SiteOptions): string {
  const upstreamLine = /^(\s*)server 127\.0\.0\.1:\d+((?: [^;\n]*)?);\n/gm;
  const servers = [...site.matchAll(upstreamLine)];
  if (servers.length < 2)
    throw new Error('the documented upstream must list two or more "server 127.0.0.1:PORT" lines');
  const [, indent, params] = servers[0]!;
  const ours = options.upstreamPorts.map((port) => `${indent}server 127.0.0.1:${port}${params};\n`).join('');
  let first = true;
  let text = site.replace(upstreamLine, () => (first ? ((first = false), ours) : ''));

  const listenLine = /^(\s*)listen [^;\n]+;\n/gm;
  if (!listenLine.test(site)) throw new Error('the documented server block has no listen line');
  first = true;
  const listen = options.tls
    ? tlsListen(options.tls.fragment, options.listenPort, options.tls.files)
    : `    listen 127.0.0.1:${options.listenPort};\n`;
  text = text.replace(listenLine, () => (first ? ((first = false), listen) : ''));

  for (const [directive, file] of [
    ['access_log', 'access.log'],
    ['error_log', 'error.log'],
  ] as const) {
    const line = new RegExp(`^(\\s*)${directive} [^;\\n]+;`, 'm');
    if (!line.test(text)) throw new Error(`the documented server block has no ${directive} line`);
    text = text.replace(line, (_l, space: string) => `${space}${directive} ${path.join(options.logDir, file)};`);
  }
  return text;
}

/** The main file around the site: everything in the prefix folder, one worker. */
function mainConfig(prefix: string, site: string): string {
  const temp = (name: string): string => path.join(prefix, name);
  return [
    'worker_processes 1;',
    `pid ${temp('nginx.pid')};`,
    `error_log ${temp('main-error.log')} info;`,
    'events { worker_connections 512; }',
    'http {',
    `    access_log ${temp('main-access.log')};`,
    `    client_body_temp_path ${temp('client_body')};`,
    `    proxy_temp_path ${temp('proxy')};`,
    `    fastcgi_temp_path ${temp('fastcgi')};`,
    `    uwsgi_temp_path ${temp('uwsgi')};`,
    `    scgi_temp_path ${temp('scgi')};`,
    site,
    '}',
    '',
  ].join('\n');
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/** nginx with the documented site in front of the instances on `upstreamPorts`; with `tls`, TLS as documented. */
export async function startNginx(upstreamPorts: readonly number[], options: { tls?: TlsFiles } = {}): Promise<Nginx> {
  const prefix = await mkdtemp(path.join(os.tmpdir(), 'nginx-test-'));
  // As root the workers run as nobody: they must reach the prefix's temp folders.
  await chmod(prefix, 0o755);
  try {
    const port = await freePort();
    const tls = options.tls ? { fragment: await documentedTlsListen(), files: options.tls } : undefined;
    const site = siteForTest(await documentedSite(), {
      listenPort: port,
      upstreamPorts,
      logDir: prefix,
      ...(tls ? { tls } : {}),
    });
    const config = mainConfig(prefix, site);
    const file = path.join(prefix, 'nginx.conf');
    await writeFile(file, config);
    const args = ['-p', prefix, '-e', path.join(prefix, 'main-error.log'), '-c', file];
    const check = spawnSync('nginx', [...args, '-t'], { encoding: 'utf8' });
    if (check.status !== 0)
      throw new Error(`nginx -t refused the documented configuration:\n${check.stderr}\n${config}`);

    const child = spawn('nginx', [...args, '-g', 'daemon off;'], { stdio: ['ignore', 'ignore', 'pipe'] });
    live.add(child);
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const exited = new Promise<void>((resolve) => child.once('exit', () => (live.delete(child), resolve())));
    const deadline = Date.now() + 10_000;
    while (!(await accepts(port))) {
      if (child.exitCode !== null || Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`nginx did not start listening on ${port}:\n${stderr}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    let stopped: Promise<void> | undefined;
    return {
      url: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
      port,
      config,
      errorLog: () => readFile(path.join(prefix, 'error.log'), 'utf8').catch(() => ''),
      stop: () =>
        (stopped ??= (async () => {
          if (child.exitCode === null && child.signalCode === null) {
            child.kill('SIGQUIT');
            const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
            await exited;
            clearTimeout(kill);
          }
          await rm(prefix, { recursive: true, force: true });
        })()),
    };
  } catch (err) {
    await rm(prefix, { recursive: true, force: true });
    throw err;
  }
}
