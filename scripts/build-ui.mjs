#!/usr/bin/env node
/**
 * Builds admin-ui/ (lit custom elements <webdav-admin> and <webdav-about>)
 * into dist/admin-ui/: type-checks it, then bundles it with esbuild into ES
 * modules that import one shared chunk (lit). Everything the browser loads is
 * in that folder: no CDN, no network at run time.
 *
 *   node scripts/build-ui.mjs            # part of `npm run build`
 */
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outdir = path.join(root, 'dist', 'admin-ui');

const tsc = spawnSync(
  process.execPath,
  [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', path.join(root, 'admin-ui', 'tsconfig.json')],
  {
    stdio: 'inherit',
  },
);
if (tsc.status !== 0) {
  console.error('build-ui: admin-ui does not type-check');
  process.exit(1);
}

rmSync(outdir, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: { 'webdav-admin': 'admin-ui/webdav-admin.ts', 'webdav-about': 'admin-ui/webdav-about.ts' },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  target: ['es2021', 'chrome90', 'firefox90', 'safari15'],
  platform: 'browser',
  minify: true,
  sourcemap: true,
  chunkNames: 'chunks/[name]-[hash]',
  tsconfig: path.join(root, 'admin-ui', 'tsconfig.json'),
  legalComments: 'linked',
  logLevel: 'warning',
});
console.log(`build-ui: ${path.relative(root, outdir)}/ ready`);
