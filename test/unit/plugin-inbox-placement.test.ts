/**
 * Where an inbox file goes (plugin/inbox/placement.ts): its month folder,
 * the ` (n)` names Explorer and Finder use for copies, and "same content"
 * by size, then SHA-256.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { link, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { candidateName, monthFolder, sameContent } from '../../plugin/inbox/placement.js';
import { tempFolder } from '../helpers/system.js';

describe('inbox placement', () => {
  it('puts a month into its year folder', () => {
    assert.deepEqual(monthFolder('2024-05'), ['2024', '2024-05']);
    assert.throws(() => monthFolder('2024-13'), /capture month/);
    assert.throws(() => monthFolder('../x'), /capture month/);
  });

  it('numbers copies before the extension', () => {
    assert.equal(candidateName('IMG_0001.jpg', 1), 'IMG_0001.jpg');
    assert.equal(candidateName('IMG_0001.jpg', 2), 'IMG_0001 (2).jpg');
    assert.equal(candidateName('IMG_0001.JPG', 13), 'IMG_0001 (13).JPG');
    assert.equal(candidateName('archive.tar.gz', 2), 'archive.tar (2).gz');
    assert.equal(candidateName('README', 3), 'README (3)');
    assert.equal(candidateName('.profile', 2), '.profile (2)');
  });

  it('compares content by size, then by hash', async (t) => {
    const dir = await tempFolder(t, 'inbox-placement-');
    const at = (name: string) => join(dir, name);
    await writeFile(at('a'), 'same bytes');
    await writeFile(at('b'), 'same bytes');
    await writeFile(at('c'), 'same bytez'); // same size, other content
    await writeFile(at('d'), 'other size!');
    await link(at('a'), at('a-link'));
    assert.equal(await sameContent(at('a'), at('b')), true);
    assert.equal(await sameContent(at('a'), at('c')), false);
    assert.equal(await sameContent(at('a'), at('d')), false);
    assert.equal(await sameContent(at('a'), at('a-link')), true);
  });
});
