/**
 * QR codes of share URLs, for Android file managers that scan them: made
 * here in the browser by uqr (a port of Nayuki's reference QR Code
 * generator, bundled with the UI like lit), drawn by the About control as
 * one SVG path. Nothing is loaded from the network. Pure: no DOM, so that a
 * unit test can decode what it makes (test/unit/admin-ui-qr-code.test.ts).
 */
import { encode } from 'uqr';

/** The four modules of light border that scanners need around the code (ISO/IEC 18004 quiet zone). */
export const QUIET_ZONE = 4;

export interface QrCode {
  /** The symbol's version (1–40): its size grows with the text. */
  readonly version: number;
  /** Modules per side, quiet zone included. */
  readonly size: number;
  /** Rows of modules, true for dark, quiet zone included. */
  readonly modules: readonly (readonly boolean[])[];
}

/** Error correction M: a URL still scans from a screen with some glare (15% of the code may be lost). */
export function qrCode(text: string): QrCode {
  const { version, size, data } = encode(text, { ecc: 'M', border: QUIET_ZONE });
  return { version, size, modules: data };
}

/**
 * The dark modules as one SVG path in module units (viewBox `0 0 size size`):
 * a rectangle per run of dark modules in a row, so a URL's code is a few
 * hundred short commands rather than a thousand elements.
 */
export function qrPath(code: QrCode): string {
  const parts: string[] = [];
  code.modules.forEach((row, y) => {
    for (let x = 0; x < row.length; x++) {
      if (!row[x]) continue;
      let run = 1;
      while (row[x + run]) run++;
      parts.push(`M${x} ${y}h${run}v1h-${run}z`);
      x += run;
    }
  });
  return parts.join('');
}
