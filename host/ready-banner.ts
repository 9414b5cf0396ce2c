/**
 * What a person who started the server reads on the terminal once it
 * listens: the address to open in a browser and the address of the first
 * WebDAV share, on every start. Written straight to standard output, like
 * the first run's password banner, not into the log: in JSON lines it would
 * be lost on the person it is for.
 */
import type { NetworkInterfaceInfo } from 'node:os';
import { webdavPath } from './webdav-shares.js';

export interface ReadyFacts {
  readonly scheme: 'http' | 'https';
  /** The address the server listens on, as given: 0.0.0.0 and :: mean every interface. */
  readonly listenHost: string;
  readonly port: number;
  /** The machine's interfaces (os.networkInterfaces()), for its addresses when listening on every interface. */
  readonly interfaces: NodeJS.Dict<NetworkInterfaceInfo[]>;
  /** Whether a plugin serves /webdav/ now. */
  readonly webdavServed: boolean;
  /** The shares' mount names from the settings, the first one first. */
  readonly mounts: readonly string[];
  /** This start created the admin and printed its password above. */
  readonly firstRun: boolean;
}

const EVERY_INTERFACE = new Set(['0.0.0.0', '::', '']);

/** The origins the server is reached at: this machine's own, then its other IPv4 addresses when it listens on them. */
export function origins(facts: Pick<ReadyFacts, 'scheme' | 'listenHost' | 'port' | 'interfaces'>): string[] {
  const { scheme, listenHost, port } = facts;
  if (!EVERY_INTERFACE.has(listenHost)) {
    const host = listenHost.includes(':') ? `[${listenHost}]` : listenHost;
    return [`${scheme}://${host}:${port}`];
  }
  const others = Object.values(facts.interfaces)
    .flatMap((list) => list ?? [])
    .filter((i) => i.family === 'IPv4' && !i.internal)
    .map((i) => i.address);
  return [...new Set(['127.0.0.1', ...others])].map((address) => `${scheme}://${address}:${port}`);
}

export function readyBanner(facts: ReadyFacts): string {
  const line = '-'.repeat(72);
  const list = (urls: readonly string[]): string[] => urls.map((url) => `      ${url}`);
  const bases = origins(facts);
  const lines = ['  mediahost is ready. Open it in a browser:', ...list(bases.map((b) => `${b}/`))];
  const [first, ...more] = facts.mounts;
  if (!facts.webdavServed) {
    lines.push('  WebDAV: not served now (is the WebDAV plugin switched off? See Admin in the browser).');
  } else if (first === undefined) {
    lines.push('  WebDAV: no share is configured yet (Admin, WebDAV shares in the browser).');
  } else {
    lines.push(
      `  WebDAV share "${first}", to map as a network drive:`,
      ...list(bases.map((b) => b + webdavPath(first))),
    );
    if (more.length > 0)
      lines.push(`  ${more.length} more share${more.length === 1 ? '' : 's'}: see About in the browser.`);
  }
  if (facts.firstRun) lines.push('  First start: log in as admin with the password shown above.');
  return `${line}\n${lines.join('\n')}\n${line}\n`;
}
