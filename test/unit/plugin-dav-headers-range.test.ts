import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MAX_RANGES, formatContentRange, formatUnsatisfiedRange, parseRange } from '../../plugin/dav/headers/range.js';

describe('parseRange', () => {
  it('absent, other units, invalid syntax → null (serve 200)', () => {
    for (const value of [
      undefined,
      '',
      'items=0-1',
      'bytes',
      'bytes=',
      'bytes=,',
      'bytes=abc',
      'bytes=1',
      'bytes=-',
      'bytes=--1',
      'bytes=1-2-3',
      'bytes=0x10-20',
      'bytes=+1-2',
      'bytes=1.5-2',
      'bytes 0-1',
      'bytes=0-1;x',
      'bytes=5-4',
      'bytes=0-1,5-4',
      'bytes=0-1,junk',
    ]) {
      assert.equal(parseRange(value, 1000), null, JSON.stringify(value));
    }
  });

  it('the three forms', () => {
    assert.deepEqual(parseRange('bytes=0-499', 1000), [{ start: 0, end: 499 }]);
    assert.deepEqual(parseRange('bytes=500-', 1000), [{ start: 500, end: 999 }]);
    assert.deepEqual(parseRange('bytes=-500', 1000), [{ start: 500, end: 999 }]);
    assert.deepEqual(parseRange('bytes=0-0', 1000), [{ start: 0, end: 0 }]);
    assert.deepEqual(parseRange('bytes=999-999', 1000), [{ start: 999, end: 999 }]);
  });

  it('unit is case-insensitive; whitespace around tokens is accepted', () => {
    assert.deepEqual(parseRange('Bytes=0-1', 10), [{ start: 0, end: 1 }]);
    assert.deepEqual(parseRange('BYTES = 0-1 , 3-4 ', 10), [
      { start: 0, end: 1 },
      { start: 3, end: 4 },
    ]);
  });

  it('empty list elements are ignored', () => {
    assert.deepEqual(parseRange('bytes=0-1,,3-4,', 10), [
      { start: 0, end: 1 },
      { start: 3, end: 4 },
    ]);
  });

  it('clamps the end to size-1; a long suffix is the whole representation', () => {
    assert.deepEqual(parseRange('bytes=0-99999', 1000), [{ start: 0, end: 999 }]);
    assert.deepEqual(parseRange('bytes=-5000', 1000), [{ start: 0, end: 999 }]);
    assert.deepEqual(parseRange('bytes=10-99999999999999999999999', 1000), [{ start: 10, end: 999 }]);
  });

  it('unsatisfiable when no range overlaps', () => {
    assert.equal(parseRange('bytes=1000-', 1000), 'unsatisfiable');
    assert.equal(parseRange('bytes=1000-2000', 1000), 'unsatisfiable');
    assert.equal(parseRange('bytes=-0', 1000), 'unsatisfiable');
    assert.equal(parseRange('bytes=5000-6000,1000-', 1000), 'unsatisfiable');
    assert.equal(parseRange('bytes=99999999999999999999999-', 1000), 'unsatisfiable');
  });

  it('drops unsatisfiable specs among satisfiable ones, keeps request order', () => {
    assert.deepEqual(parseRange('bytes=5000-,500-599,0-9', 1000), [
      { start: 500, end: 599 },
      { start: 0, end: 9 },
    ]);
  });

  it('zero-length representation: the Range is ignored', () => {
    assert.equal(parseRange('bytes=0-', 0), null);
    assert.equal(parseRange('bytes=-1', 0), null);
    assert.equal(parseRange('bytes=0-0', 0), null);
  });

  it('one-byte representation', () => {
    assert.deepEqual(parseRange('bytes=0-', 1), [{ start: 0, end: 0 }]);
    assert.deepEqual(parseRange('bytes=-1', 1), [{ start: 0, end: 0 }]);
    assert.equal(parseRange('bytes=1-', 1), 'unsatisfiable');
  });

  it('range amplification is ignored: too many ranges', () => {
    const many = Array.from({ length: MAX_RANGES + 1 }, (_, i) => `${i}-${i}`).join(',');
    assert.equal(parseRange(`bytes=${many}`, 1_000_000), null);
    const ok = Array.from({ length: MAX_RANGES }, (_, i) => `${i * 10}-${i * 10}`).join(',');
    assert.equal((parseRange(`bytes=${ok}`, 1_000_000) as unknown[]).length, MAX_RANGES);
  });

  it('range amplification is ignored: overlapping ranges adding up to more than the file', () => {
    assert.equal(parseRange('bytes=0-,0-', 1000), null);
    assert.equal(parseRange('bytes=0-999,-1000', 1000), null);
    assert.equal(parseRange(`bytes=${Array(50).fill('0-').join(',')}`, 4e9), null);
    // A little overlap within the size is served as asked.
    assert.deepEqual(parseRange('bytes=0-9,5-14', 1000), [
      { start: 0, end: 9 },
      { start: 5, end: 14 },
    ]);
    // First and last byte (a common probe).
    assert.deepEqual(parseRange('bytes=0-0,-1', 1000), [
      { start: 0, end: 0 },
      { start: 999, end: 999 },
    ]);
  });

  it('large files (beyond 32 bits)', () => {
    const size = 5 * 1024 ** 3;
    assert.deepEqual(parseRange('bytes=4294967296-', size), [{ start: 4294967296, end: size - 1 }]);
  });

  it('results always lie within the representation', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.tuple(fc.nat(2000), fc.option(fc.nat(2000))).map(([a, b]) => `${a}-${b ?? ''}`),
            fc.nat(2000).map((n) => `-${n}`),
            fc.constantFrom('', ' ', 'x', '-'),
          ),
          { maxLength: 8 },
        ),
        fc.nat(1500),
        (specs, size) => {
          const result = parseRange(`bytes=${specs.join(',')}`, size);
          if (result === null || result === 'unsatisfiable') return;
          assert.ok(result.length > 0 && result.length <= MAX_RANGES);
          let total = 0;
          for (const r of result) {
            assert.ok(Number.isInteger(r.start) && Number.isInteger(r.end));
            assert.ok(0 <= r.start && r.start <= r.end && r.end < size);
            total += r.end - r.start + 1;
          }
          assert.ok(total <= size);
        },
      ),
      { numRuns: 3000 },
    );
  });
});

describe('Content-Range', () => {
  it('formats', () => {
    assert.equal(formatContentRange({ start: 0, end: 499 }, 1000), 'bytes 0-499/1000');
    assert.equal(formatUnsatisfiedRange(1000), 'bytes */1000');
  });
});
