/**
 * Peer: `rclone serve webdav` (Debian rclone): a Go server (golang.org/x/net/webdav
 * over rclone's VFS), what many self-hosters put in front of a folder.
 * Default VFS settings (no write cache), symlinks followed (-L) so that
 * `data` reaches the shared folder, its own empty config file.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { peerRoot, serverDir, startOnFreePort, serverHandle } from './common.mjs';

export const rclone = {
  id: 'rclone',
  label: 'rclone serve webdav',
  can: () => true,
  async start(ctx) {
    const dir = serverDir(ctx, 'rclone');
    const { root, uploadDir } = peerRoot(ctx, dir, null);
    const conf = path.join(dir, 'rclone.conf');
    writeFileSync(conf, '');
    const { child, port, logFile } = await startOnFreePort({
      id: 'rclone',
      dir,
      launch: (p) => ({
        cmd: '/usr/bin/rclone',
        args: [
          'serve',
          'webdav',
          root,
          '--addr',
          `127.0.0.1:${p}`,
          '--user',
          ctx.user,
          '--pass',
          ctx.pass,
          '-L',
          '--config',
          conf,
          '--cache-dir',
          path.join(dir, 'cache'),
          '--log-level',
          'ERROR',
        ],
      }),
    });
    return serverHandle('rclone', child, port, { uploadDir, logFile });
  },
};
