import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DavError } from '../../plugin/dav/errors.js';
import { parseDepth } from '../../plugin/dav/headers/depth.js';

describe('parseDepth', () => {
  it('absent → the default', () => {
    assert.equal(parseDepth(undefined, 'infinity'), 'infinity');
    assert.equal(parseDepth(undefined, 0), 0);
    assert.equal(parseDepth(undefined, 1), 1);
  });

  it('0, 1, infinity (case-insensitive, trimmed)', () => {
    assert.equal(parseDepth('0', 'infinity'), 0);
    assert.equal(parseDepth('1', 'infinity'), 1);
    assert.equal(parseDepth('infinity', 0), 'infinity');
    assert.equal(parseDepth('Infinity', 0), 'infinity');
    assert.equal(parseDepth('INFINITY', 0), 'infinity');
    assert.equal(parseDepth(' 1 ', 0), 1);
    assert.equal(parseDepth('\t0', 1), 0);
  });

  it('anything else is a 400 naming the header', () => {
    for (const bad of ['', '2', '-1', '01', '1.0', 'inf', 'infinite', '0,1', 'one', '1 1']) {
      assert.throws(
        () => parseDepth(bad, 0),
        (error: unknown) => error instanceof DavError && error.status === 400 && /Depth/.test(error.message),
        JSON.stringify(bad),
      );
    }
  });
});
