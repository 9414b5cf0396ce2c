import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { memberHrefs, shareHref } from '../../plugin/dav/hrefs.js';

const name = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9._-]{1,12}$/),
  fc.string({ minLength: 1, maxLength: 12, unit: 'grapheme' }),
  fc.string({ minLength: 1, maxLength: 12, unit: 'binary' }),
);

describe('memberHrefs', () => {
  it('gives every member the href shareHref gives it', () => {
    fc.assert(
      fc.property(name, fc.array(name, { maxLength: 3 }), name, fc.boolean(), (mount, path, member, isCollection) => {
        const collection = { mount, path };
        assert.equal(memberHrefs(collection)(member, isCollection), shareHref(mount, [...path, member], isCollection));
      }),
      { numRuns: 2000 },
    );
  });

  it('encodes what needs it and leaves plain photo names alone', () => {
    const hrefOf = memberHrefs({ mount: 'Fotos 2024', path: ['Urlaub'] });
    assert.equal(hrefOf('IMG_0001.jpg', false), '/webdav/Fotos%202024/Urlaub/IMG_0001.jpg');
    assert.equal(hrefOf('Mädchen & <Co>', true), '/webdav/Fotos%202024/Urlaub/M%C3%A4dchen%20%26%20%3CCo%3E/');
  });
});
