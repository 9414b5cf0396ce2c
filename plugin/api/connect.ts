/**
 * Ready-to-copy ways to connect to a share, one per client family, computed
 * from the share's URL and the user's name. Pure (no Node, no DOM): the About
 * API sends these, and the About control recomputes them in the browser when
 * the URL has to follow the address the browser uses (no `webdav.baseurl`).
 */

export interface ConnectField {
  readonly label: string;
  readonly value: string;
  /** False for a value nobody pastes (e.g. "Yes" for a tick box). */
  readonly copy: boolean;
}

export interface ConnectMethod {
  /** Stable: url, windows, macos, linux, totalcommander, android. */
  readonly id: string;
  readonly title: string;
  /** Where to put the values, in one or two sentences. */
  readonly steps: string;
  readonly fields: readonly ConnectField[];
}

/** `origin` (or `webdav.baseurl`, which may carry a path) + `/webdav/<mount>/`. */
export function shareUrl(base: string, mount: string): string {
  return `${base.replace(/\/+$/, '')}/webdav/${encodeURIComponent(mount)}/`;
}

/** Quotes an argument for cmd.exe when it needs it. */
function windowsArg(value: string): string {
  // cmd.exe treats spaces and & | < > ^ % " specially; brackets (IPv6) are plain text there.
  return /^[A-Za-z0-9._@\\/:=+[\]-]+$/.test(value) ? value : `"${value.replace(/"/g, '""')}"`;
}

/** Quotes an argument for a POSIX shell when it needs it. */
function shellArg(value: string): string {
  return /^[A-Za-z0-9._@/:=+-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

export function connectionMethods(url: string, user: string): ConnectMethod[] {
  const parsed = new URL(url);
  const https = parsed.protocol === 'https:';
  const port = parsed.port || (https ? '443' : '80');
  const hostOnly = parsed.hostname;
  const hostPort = parsed.port ? `${parsed.hostname}:${parsed.port}` : parsed.hostname;
  const path = parsed.pathname;
  const davScheme = https ? 'davs' : 'dav';
  const kdeScheme = https ? 'webdavs' : 'webdav';
  const field = (label: string, value: string, copy = true): ConnectField => ({ label, value, copy });
  const plainHttpNote = https
    ? ''
    : ' Over plain http:// Windows sends the password only after the registry value BasicAuthLevel (HKLM\\SYSTEM\\CurrentControlSet\\Services\\WebClient\\Parameters) is set to 2.';

  return [
    {
      id: 'url',
      title: 'Address',
      steps: `Any WebDAV client: this address, your user name ${user} and your password.`,
      fields: [field('URL', url)],
    },
    {
      id: 'windows',
      title: 'Windows',
      steps:
        'Run the command in a command prompt; it asks for your password and picks a free drive letter. ' +
        `Or in Explorer: This PC → Map network drive → paste the URL as the folder.${plainHttpNote}`,
      fields: [field('Command', `net use * ${windowsArg(url)} /user:${windowsArg(user)} *`)],
    },
    {
      id: 'macos',
      title: 'macOS Finder',
      steps:
        'Finder → Go → Connect to Server… (⌘K), paste the address, click Connect, then log in as a registered user.',
      fields: [field('Server address', url)],
    },
    {
      id: 'linux',
      title: 'Linux',
      steps:
        'Files (Nautilus): Other Locations → Connect to Server. Dolphin (KDE): type the address into the location bar. ' +
        'Or mount it with davfs2.',
      fields: [
        field('Files / Nautilus', `${davScheme}://${hostPort}${path}`),
        field('Dolphin', `${kdeScheme}://${hostPort}${path}`),
        field('davfs2', `sudo mount -t davfs ${shellArg(url)} /mnt/webdav`),
      ],
    },
    {
      id: 'totalcommander',
      title: 'Total Commander',
      steps: 'Network → Connect to FTP/WebDAV server (WebDAV plugin) → new connection with these settings.',
      fields: [
        field('Server', hostPort),
        field('Path', path),
        field('User name', user),
        field('SSL (HTTPS)', https ? 'Yes' : 'No', false),
      ],
    },
    {
      id: 'android',
      title: 'Android (CX File Explorer, WebDAV Nav)',
      steps:
        'CX File Explorer: Network → New location → WebDAV, then host, port, path and user name' +
        `${https ? ', with HTTPS ticked' : ''}. WebDAV Nav: add a server with the whole URL.`,
      fields: [
        field('Host', hostOnly),
        field('Port', port),
        field('Path', path),
        field('User name', user),
        field('HTTPS', https ? 'Yes' : 'No', false),
        field('URL (WebDAV Nav)', url),
      ],
    },
  ];
}
