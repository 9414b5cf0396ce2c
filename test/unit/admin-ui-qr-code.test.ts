/**
 * The QR codes of the About control (admin-ui/qr-code.ts): what it makes,
 * drawn as the control draws it (its SVG path, module by module), is read
 * back by an independent decoder (jsQR) as the very URL it was made of.
 *
 * admin-ui/ is built for the browser by esbuild, not by the tsc run that
 * builds the tests, so the module is bundled here the same way first.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { build } from 'esbuild';
import jsQRModule from 'jsqr';
import { REPO_ROOT } from '../helpers/host-process.js';

interface QrCode {
  readonly version: number;
  readonly size: number;
  readonly modules: readonly (readonly boolean[])[];
}
interface QrModule {
  QUIET_ZONE: number;
  qrCode(text: string): QrCode;
  qrPath(code: QrCode): string;
}

type Decode = (pixels: Uint8ClampedArray, width: number, height: number) => { data: string; version: number } | null;
/** jsqr is CommonJS built from an ES module: its function arrives as `default` of what Node imports. */
const jsQR = ((jsQRModule as unknown as { default?: Decode }).default ?? jsQRModule) as Decode;

/** The dark modules an SVG path of `M x y h n v1 h-n z` rectangles paints, as "x,y". */
function paintedBy(d: string): Set<string> {
  const painted = new Set<string>();
  for (const match of d.matchAll(/M(\d+) (\d+)h(\d+)v1h-(\d+)z/g)) {
    const [x, y, run, back] = match.slice(1).map(Number) as [number, number, number, number];
    assert.equal(run, back, `a closed rectangle: ${match[0]}`);
    for (let i = 0; i < run; i++) painted.add(`${x + i},${y}`);
  }
  assert.equal(d.replace(/M\d+ \d+h\d+v1h-\d+z/g, ''), '', 'nothing else in the path');
  return painted;
}

/** RGBA pixels of the painted modules, `scale` pixels per module, dark on white. */
function pixelsOf(size: number, painted: Set<string>, scale: number): Uint8ClampedArray {
  const side = size * scale;
  const pixels = new Uint8ClampedArray(side * side * 4).fill(255);
  for (let py = 0; py < side; py++) {
    for (let px = 0; px < side; px++) {
      if (!painted.has(`${Math.floor(px / scale)},${Math.floor(py / scale)}`)) continue;
      const at = (py * side + px) * 4;
      pixels[at] = pixels[at + 1] = pixels[at + 2] = 0;
    }
  }
  return pixels;
}

describe('QR codes of share URLs', () => {
  let folder: string;
  let qr: QrModule;

  before(async () => {
    folder = await mkdtemp(path.join(tmpdir(), 'qr-code-'));
    const outfile = path.join(folder, 'qr-code.mjs');
    await build({
      absWorkingDir: REPO_ROOT,
      entryPoints: ['admin-ui/qr-code.ts'],
      outfile,
      bundle: true,
      format: 'esm',
      platform: 'neutral',
      logLevel: 'silent',
    });
    qr = (await import(pathToFileURL(outfile).href)) as QrModule;
  });
  after(() => rm(folder, { recursive: true, force: true }));

  for (const url of [
    'http://192.168.1.5:8080/webdav/main/',
    'https://photos.example.org/webdav/Family.Photos_2024-backup/',
    `http://[fd00::1]:8080/webdav/${'a'.repeat(64)}/`,
  ]) {
    it(`encodes ${url} so that a decoder reads it back from the drawn path`, () => {
      const code = qr.qrCode(url);
      assert.equal(code.size, 17 + 4 * code.version + 2 * qr.QUIET_ZONE, 'a symbol of its version with its quiet zone');
      assert.equal(code.modules.length, code.size);
      const painted = paintedBy(qr.qrPath(code));
      const expected = new Set<string>();
      code.modules.forEach((row, y) => row.forEach((dark, x) => dark && expected.add(`${x},${y}`)));
      assert.deepEqual(painted, expected, 'the path paints exactly the dark modules');
      for (let i = 0; i < code.size; i++) {
        for (const [x, y] of [
          [i, 0],
          [0, i],
          [i, code.size - 1],
          [code.size - 1, i],
        ] as const)
          assert.equal(code.modules[y]![x], false, 'the quiet zone is light');
      }

      const scale = 4;
      const decoded = jsQR(pixelsOf(code.size, painted, scale), code.size * scale, code.size * scale);
      assert.ok(decoded, 'the code is found and decoded');
      assert.equal(decoded.data, url);
      assert.equal(decoded.version, code.version);
    });
  }

  it('grows with the text and stays small for a usual share URL', () => {
    assert.equal(qr.qrCode('http://192.168.1.5:8080/webdav/main/').version, 3);
    assert.ok(qr.qrCode(`https://photos.example.org/${'x'.repeat(300)}`).version > 10);
  });
});
