/**
 * Property tests of the Range parser (RFC 9110 §14), beyond
 * test/unit/plugin-dav-headers-range.test.ts: any header value at all (not
 * only generated range-specs) never throws; what a well-behaved player sends
 * round-trips; numbers past 2^53 or with leading zeros never yield a range
 * outside the file; and nothing amplifies the answer.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  formatContentRange,
  formatUnsatisfiedRange,
  MAX_RANGES,
  parseRange,
  type ByteRange,
} from '../../plugin/dav/headers/range.js';

/** What parseRange promises for any input. */
function assertWellFormed(value: string, size: number): ReturnType<typeof parseRange> {
  const result = parseRange(value, size);
  if (result === null || result === 'unsatisfiable') {
    if (result === 'unsatisfiable') assert.ok(size > 0, 'an empty file is served whole, never 416');
    return result;
  }
  assert.ok(Array.isArray(result) && result.length > 0 && result.length <= MAX_RANGES);
  let total = 0;
  for (const r of result) {
    assert.ok(Number.isSafeInteger(r.start) && Number.isSafeInteger(r.end), JSON.stringify(r));
    assert.ok(0 <= r.start && r.start <= r.end && r.end < size, `${JSON.stringify(r)} of ${size}`);
    total += r.end - r.start + 1;
  }
  assert.ok(total <= size, 'never more bytes than the file has');
  return result;
}

const number = fc.oneof(
  fc.nat(5000),
  fc.constantFrom(
    '0',
    '00000000000000000000001',
    '9007199254740993',
    '99999999999999999999999999',
    '1e3',
    '-0',
    '+5',
    ' 7',
    '0x10',
  ),
);
const spec = fc.oneof(
  fc.tuple(number, fc.option(number, { nil: '' })).map(([a, b]) => `${a}-${b}`),
  number.map((n) => `-${n}`),
  fc.constantFrom('', '-', '--5', '5--', '1-2-3', ',', ' , ', '\t'),
);

describe('the Range parser, fuzzed', () => {
  it('never throws on any header value and never answers a range outside the file', () => {
    const value = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 80 }),
      fc.array(spec, { maxLength: 120 }).map((specs) => `bytes=${specs.join(',')}`),
      fc
        .tuple(
          fc.constantFrom('bytes', 'BYTES', 'Bytes ', ' bytes', 'items', 'bytes\u0000', 'byte'),
          fc.array(spec, { maxLength: 5 }),
        )
        .map(([unit, specs]) => `${unit}=${specs.join(',')}`),
    );
    fc.assert(
      fc.property(
        value,
        fc.oneof(fc.nat(10_000), fc.constantFrom(0, 1, 2 ** 32, 5 * 1024 ** 3, Number.MAX_SAFE_INTEGER)),
        (v, size) => void assertWellFormed(v, size),
      ),
      {
        numRuns: 5000,
      },
    );
  });

  it('round trip: ascending, non-overlapping ranges a player sends come back exactly', () => {
    const ranges = fc
      .tuple(
        fc.integer({ min: 1, max: 10_000_000 }),
        fc.array(fc.tuple(fc.nat(1000), fc.nat(1000)), { minLength: 1, maxLength: 20 }),
      )
      .map(([size, steps]) => {
        const out: ByteRange[] = [];
        let at = 0;
        for (const [gap, length] of steps) {
          const start = at + gap;
          const end = start + length;
          if (end >= size) break;
          out.push({ start, end });
          at = end + 1;
        }
        return { size, out };
      })
      .filter(({ out }) => out.length > 0);
    fc.assert(
      fc.property(ranges, fc.constantFrom(',', ', ', ' ,\t'), ({ size, out }, sep) => {
        const header = `bytes=${out.map((r) => `${r.start}-${r.end}`).join(sep)}`;
        assert.deepEqual(assertWellFormed(header, size), out);
        for (const r of out) assert.match(formatContentRange(r, size), /^bytes \d+-\d+\/\d+$/);
      }),
      { numRuns: 3000 },
    );
  });

  it('suffix and open ranges mean the last bytes and the rest of the file, clamped', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 ** 40 }),
        fc.integer({ min: 1, max: 2 ** 41 }),
        fc.integer({ min: 0, max: 2 ** 41 }),
        (size, suffix, from) => {
          assert.deepEqual(parseRange(`bytes=-${suffix}`, size), [
            { start: Math.max(0, size - suffix), end: size - 1 },
          ]);
          const open = parseRange(`bytes=${from}-`, size);
          if (from < size) assert.deepEqual(open, [{ start: from, end: size - 1 }]);
          else assert.equal(open, 'unsatisfiable');
          assert.equal(formatUnsatisfiedRange(size), `bytes */${size}`);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('overlapping or repeated ranges that would send the file many times over are ignored (whole file, 200)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 1_000_000 }), fc.integer({ min: 2, max: 300 }), (size, copies) => {
        assert.equal(parseRange(`bytes=${Array(copies).fill('0-').join(',')}`, size), null);
        assert.equal(parseRange(`bytes=${Array(copies).fill(`-${size}`).join(',')}`, size), null);
      }),
      { numRuns: 500 },
    );
  });
});
