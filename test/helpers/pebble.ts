/**
 * Debian's `pebble` (Let's Encrypt's RFC 8555 test CA) and
 * `pebble-challtestsrv` (its DNS), on 127.0.0.1 and ports the test picks,
 * in a temporary folder: what the ACME tests point the host at.
 *
 * Debian's package ships no certificate for pebble's own HTTPS listener, so
 * one is made here with openssl (for 127.0.0.1 and localhost); the host
 * trusts it through server.acme.cacert (`listenerCa`). The certificates
 * pebble *issues* chain to a root made anew at each start, fetched from its
 * management API (`issuingRoot()`).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { freePort } from './nginx.js';
import { hasTool, requireTool } from './tools.js';
import { writeSelfSigned } from './openssl.js';

/** Installs Debian's pebble with apt-get when it is missing and we are root (for a suite's `before`). */
export function installPebble(): boolean {
  if (!hasTool('pebble') && process.getuid?.() === 0 && hasTool('apt-get')) {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    spawnSync('apt-get', ['update', '-qq'], { stdio: 'ignore', env });
    spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'pebble'], { stdio: 'ignore', env });
  }
  return hasTool('pebble') && hasTool('pebble-challtestsrv');
}

/** True when the ACME tests may run: pebble, its DNS and openssl are there (skips locally, fails under CI). */
export const requirePebble = (t: TestContext): boolean =>
  requireTool(t, 'pebble', 'pebble') &&
  requireTool(t, 'pebble-challtestsrv', 'pebble') &&
  requireTool(t, 'openssl', 'openssl');

export interface PebbleOptions {
  /** The port pebble fetches HTTP-01 challenges from: the host's server.acme.httpport. */
  readonly httpPort: number;
  /** certificateValidityPeriod of the issued certificates, in seconds (pebble's default: 5 years). */
  readonly validitySeconds?: number;
}

export interface Pebble {
  /** The ACME directory URL (server.acme.directory). */
  readonly directory: string;
  /** The PEM file of the CA of pebble's own HTTPS listener (server.acme.cacert). */
  readonly listenerCaFile: string;
  /** The root the issued certificates chain to (pebble's management API /roots/0). */
  issuingRoot(): Promise<string>;
  /** Everything pebble and its DNS wrote so far. */
  logs(): string;
  /** Stops pebble (its DNS stays): the CA is gone, as for a host whose CA cannot be reached. */
  halt(): Promise<void>;
  /** Stops both and removes the folder. */
  stop(): Promise<void>;
}

async function waitForOutput(child: ChildProcess, read: () => string, pattern: RegExp, what: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!pattern.test(read())) {
    if (child.exitCode !== null) throw new Error(`${what} exited (${child.exitCode}):\n${read()}`);
    if (Date.now() > deadline) throw new Error(`${what} did not start within 15 s:\n${read()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function kill(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

export async function startPebble(options: PebbleOptions): Promise<Pebble> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'pebble-test-'));
  let output = '';
  const collect = (child: ChildProcess): void => {
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (output += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (output += d));
  };
  let dns: ChildProcess | undefined;
  let ca: ChildProcess | undefined;
  try {
    const listenerCaFile = path.join(dir, 'listener.pem');
    await writeSelfSigned({
      subject: '/CN=pebble test listener',
      names: 'DNS:localhost,IP:127.0.0.1',
      days: 1,
      keyFile: path.join(dir, 'listener.key'),
      certFile: listenerCaFile,
    });
    const [acmePort, managementPort, dnsPort, dnsManagementPort] = [
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(),
    ];
    // Its DNS answers every A query with 127.0.0.1 (and no AAAA: the host listens on IPv4 only).
    dns = spawn(
      'pebble-challtestsrv',
      [
        '-dns01',
        `127.0.0.1:${dnsPort}`,
        '-management',
        `127.0.0.1:${dnsManagementPort}`,
        '-http01',
        '',
        '-https01',
        '',
        '-tlsalpn01',
        '',
        '-defaultIPv4',
        '127.0.0.1',
        '-defaultIPv6',
        '',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    collect(dns);
    await waitForOutput(dns, () => output, /Starting challenge servers|Answering A questions/i, 'pebble-challtestsrv');

    const config = path.join(dir, 'pebble-config.json');
    await writeFile(
      config,
      JSON.stringify({
        pebble: {
          listenAddress: `127.0.0.1:${acmePort}`,
          managementListenAddress: `127.0.0.1:${managementPort}`,
          certificate: listenerCaFile,
          privateKey: path.join(dir, 'listener.key'),
          httpPort: options.httpPort,
          // Nothing listens there: the host is asked for HTTP-01 only.
          tlsPort: await freePort(),
          ocspResponderURL: '',
          externalAccountBindingRequired: false,
          ...(options.validitySeconds ? { certificateValidityPeriod: options.validitySeconds } : {}),
        },
      }),
    );
    const startCa = async (): Promise<ChildProcess> => {
      const child = spawn('pebble', ['-config', config, '-dnsserver', `127.0.0.1:${dnsPort}`], {
        cwd: dir,
        // No random sleeps before validation; every authorization is fresh (no reuse), so each order is challenged.
        env: { ...process.env, PEBBLE_VA_NOSLEEP: '1', PEBBLE_AUTHZREUSE: '0', PEBBLE_WFE_NONCEREJECT: '0' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const before = output.length;
      collect(child);
      await waitForOutput(child, () => output.slice(before), /Listening on/i, 'pebble');
      return child;
    };
    ca = await startCa();
    const listenerCa = await readFile(listenerCaFile);
    return {
      directory: `https://127.0.0.1:${acmePort}/dir`,
      listenerCaFile,
      issuingRoot: () =>
        new Promise((resolve, reject) => {
          https
            .get({ host: '127.0.0.1', port: managementPort, path: '/roots/0', ca: listenerCa }, (res) => {
              let text = '';
              res.setEncoding('utf8').on('data', (d: string) => (text += d));
              res.on('end', () =>
                res.statusCode === 200 ? resolve(text) : reject(new Error(`/roots/0: ${res.statusCode} ${text}`)),
              );
            })
            .on('error', reject);
        }),
      logs: () => output,
      halt: () => kill(ca),
      stop: async () => {
        await Promise.all([kill(ca), kill(dns)]);
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await Promise.all([kill(ca), kill(dns)]);
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}
