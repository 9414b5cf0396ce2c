import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DavError } from '../../plugin/dav/errors.js';
import { parseOverwrite } from '../../plugin/dav/headers/overwrite.js';

describe('parseOverwrite', () => {
  it('absent → true', () => {
    assert.equal(parseOverwrite(undefined), true);
  });

  it('T / F, case-insensitive, trimmed', () => {
    assert.equal(parseOverwrite('T'), true);
    assert.equal(parseOverwrite('t'), true);
    assert.equal(parseOverwrite('F'), false);
    assert.equal(parseOverwrite('f'), false);
    assert.equal(parseOverwrite(' F '), false);
  });

  it('anything else is a 400 naming the header', () => {
    for (const bad of ['', 'true', 'false', 'yes', 'TF', '1', '0', 'T,F']) {
      assert.throws(
        () => parseOverwrite(bad),
        (error: unknown) => error instanceof DavError && error.status === 400 && /Overwrite/.test(error.message),
        JSON.stringify(bad),
      );
    }
  });
});
