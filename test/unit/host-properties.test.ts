import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, stat, chmod, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  decodeProperties,
  escapeKey,
  escapeValue,
  parseProperties,
  PropertiesSyntaxError,
  updateProperties,
  writeFileAtomic,
  writePropertiesFile,
} from '../../host/properties.js';

const parse = (text: string): Record<string, string> => Object.fromEntries(parseProperties(text));

describe('properties parser', () => {
  it('accepts =, : and whitespace as separators, with whitespace around them', () => {
    assert.deepEqual(parse('a=1\nb:2\nc 3\nd\t4\ne = 5\nf : 6\ng   =   7\nh\f8\n'), {
      a: '1',
      b: '2',
      c: '3',
      d: '4',
      e: '5',
      f: '6',
      g: '7',
      h: '8',
    });
  });

  it('takes only the first separator; the rest belongs to the value', () => {
    assert.deepEqual(parse('k= = x\nl  :m\nn  o p\nurl=https://example.org:8080/a=b\n'), {
      k: '= x',
      l: 'm',
      n: 'o p',
      url: 'https://example.org:8080/a=b',
    });
  });

  it('gives a key without value the empty string, and keeps trailing whitespace of values', () => {
    assert.deepEqual(parse('alone\nempty=\nspaced = v  \n'), { alone: '', empty: '', spaced: 'v  ' });
  });

  it('skips # and ! comments and blank lines, also indented ones, but not # inside a value', () => {
    assert.deepEqual(parse('# c\n! c\n   # indented\n\t! tab\n\n   \na=1 # not a comment\n'), {
      a: '1 # not a comment',
    });
  });

  it('joins continuation lines and drops the next line’s leading whitespace', () => {
    assert.deepEqual(parse('fruits = apple, \\\n    banana, \\\n\tcherry\nnext=1\n'), {
      fruits: 'apple, banana, cherry',
      next: '1',
    });
  });

  it('continues only on an odd number of trailing backslashes', () => {
    assert.deepEqual(parse('even=x\\\\\nodd=y\\\\\\\n  z\n'), { even: 'x\\', odd: 'y\\z' });
  });

  it('does not continue a comment that ends with a backslash', () => {
    assert.deepEqual(parse('# comment \\\nb=2\n'), { b: '2' });
  });

  it('treats # and ! at the start of a continuation line as value text', () => {
    assert.deepEqual(parse('a=1\\\n  #2\\\n  !3\n'), { a: '1#2!3' });
  });

  it('ends a continuation at a blank line and at the end of the file', () => {
    assert.deepEqual(parse('a=1\\\n\nb=2\\'), { a: '1', b: '2' });
  });

  it('decodes \\t \\n \\r \\f \\\\ \\= \\: \\# \\! and unknown escapes', () => {
    assert.deepEqual(parse('v=a\\tb\\nc\\rd\\fe\\\\f\\=g\\:h\\#i\\!j\\qk\n'), { v: 'a\tb\nc\rd\fe\\f=g:h#i!jqk' });
  });

  it('decodes \\uXXXX, including surrogate pairs', () => {
    assert.deepEqual(parse('name=Ren\\u00e9 \\uD83D\\uDE00\nkey\\u0041=x\n'), { name: 'René 😀', keyA: 'x' });
  });

  it('rejects a malformed \\u escape with the line number', () => {
    assert.throws(
      () => parseProperties('ok=1\nbad=\\u12G4\n'),
      (err: unknown) => {
        assert.ok(err instanceof PropertiesSyntaxError);
        assert.equal(err.line, 2);
        assert.match(err.message, /line 2: malformed \\uXXXX/);
        return true;
      },
    );
    assert.throws(() => parseProperties('bad=\\u12'), PropertiesSyntaxError);
  });

  it('reads keys with escaped spaces, separators and comment characters', () => {
    assert.deepEqual(parse('my\\ key = v\na\\=b\\:c=d\n\\#notcomment=1\n'), {
      'my key': 'v',
      'a=b:c': 'd',
      '#notcomment': '1',
    });
  });

  it('accepts \\r\\n and lone \\r line ends and a byte order mark', () => {
    assert.deepEqual(parse('\uFEFFa=1\r\nb=2\rc=3\\\r\n  4'), { a: '1', b: '2', c: '34' });
  });

  it('keeps the last value of a repeated key', () => {
    assert.deepEqual(parse('a=1\na=2\n'), { a: '2' });
  });

  it('reads UTF-8, and ISO-8859-1 when the bytes are not UTF-8', () => {
    assert.deepEqual(parse(decodeProperties(Buffer.from('name=Jürgen\n', 'utf8'))), { name: 'Jürgen' });
    assert.deepEqual(parse(decodeProperties(Buffer.from('name=Jürgen\n', 'latin1'))), { name: 'Jürgen' });
  });
});

describe('properties escaping', () => {
  it('escapes every space of a key but only a leading space of a value', () => {
    assert.equal(escapeKey('a b'), 'a\\ b');
    assert.equal(escapeValue(' a b '), '\\ a b ');
  });

  it('escapes separators, comment characters, backslashes and control characters', () => {
    assert.equal(escapeValue('a=b:c#d!e\\f'), 'a\\=b\\:c\\#d\\!e\\\\f');
    assert.equal(escapeValue('\t\n\r\f'), '\\t\\n\\r\\f');
    assert.equal(escapeValue('\u0001\u007f\u2028'), '\\u0001\\u007f\\u2028');
  });

  it('keeps printable non-ASCII text readable but escapes lone surrogates', () => {
    assert.equal(escapeValue('Grüße 😀'), 'Grüße 😀');
    assert.equal(escapeValue('x\ud800y'), 'x\\ud800y');
  });
});

// One UTF-16 code unit at a time: covers separators, controls, astral pairs and lone surrogates.
const anyText = fc.string({
  unit: fc.integer({ min: 0, max: 0xffff }).map((n) => String.fromCharCode(n)),
  maxLength: 20,
});
const interesting = fc.string({
  unit: fc.constantFrom(' ', '=', ':', '#', '!', '\\', '\n', '\r', '\t', 'a', 'é', 'u', '\ud83d', '\ude00'),
  maxLength: 12,
});
const entries = fc.array(fc.tuple(fc.oneof(anyText, interesting), fc.oneof(anyText, interesting)), { maxLength: 8 });

describe('properties writer', () => {
  it('round-trips any keys and values (property test)', () => {
    fc.assert(
      fc.property(entries, (list) => {
        const map = new Map(list);
        assert.deepEqual(parseProperties(updateProperties('', map)), map);
      }),
      { numRuns: 500 },
    );
  });

  it('round-trips when updating an existing file (property test)', () => {
    fc.assert(
      fc.property(entries, entries, (before, after) => {
        const old = updateProperties('# header\n', new Map(before));
        const wanted = new Map(after);
        const text = updateProperties(old, wanted);
        assert.deepEqual(parseProperties(text), wanted);
        assert.ok(text.startsWith('# header\n'));
      }),
      { numRuns: 300 },
    );
  });

  const original =
    [
      '# Photo server settings',
      '! old-style comment',
      '',
      'keep   :   spelled  my way',
      'change = old',
      'long = one, \\',
      '       two',
      'drop=me',
      '  # indented comment',
      'dup=1',
      'dup=2',
      'last=x',
    ].join('\r\n') + '\r\n';

  it('keeps comments, blank lines, order, line ends and the spelling of unchanged entries', () => {
    const values = parseProperties(original);
    values.set('change', 'new value');
    values.set('long', 'short');
    values.delete('drop');
    values.set('added key', ' lead');
    values.set('dup', '3');
    const text = updateProperties(original, values);
    assert.equal(
      text,
      [
        '# Photo server settings',
        '! old-style comment',
        '',
        'keep   :   spelled  my way',
        'change=new value',
        'long=short',
        '  # indented comment',
        'dup=3',
        'last=x',
        'added\\ key=\\ lead',
      ].join('\r\n') + '\r\n',
    );
    assert.deepEqual(parseProperties(text), values);
  });

  it('leaves a file with no changes byte for byte as it was', () => {
    assert.equal(updateProperties(original, parseProperties(original)), original);
  });

  it('adds a line end before appending to a file that lacks one', () => {
    assert.equal(
      updateProperties(
        'a=1',
        new Map([
          ['a', '1'],
          ['b', '2'],
        ]),
      ),
      'a=1\nb=2\n',
    );
  });

  it('writes atomically: no temp file remains and the file mode is kept', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'host-props-'));
    try {
      const file = path.join(dir, 'settings.properties');
      await writeFile(file, '# mine\na=1\n');
      await chmod(file, 0o600);
      await writePropertiesFile(
        file,
        new Map([
          ['a', '2'],
          ['b', 'x y'],
        ]),
      );
      assert.equal(await readFile(file, 'utf8'), '# mine\na=2\nb=x y\n');
      assert.equal((await stat(file)).mode & 0o777, 0o600);
      assert.deepEqual(await readdir(dir), ['settings.properties']);
      await writeFileAtomic(path.join(dir, 'new.properties'), 'n=1\n');
      assert.deepEqual((await readdir(dir)).sort(), ['new.properties', 'settings.properties']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
