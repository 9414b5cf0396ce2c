/** Uploads, deletes and moves through WebDAV reach the host's media library. */
import assert from 'node:assert/strict';
import { realpath } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { startPlugin } from '../helpers/plugin-harness.js';

test('PUT, COPY, MOVE and DELETE tell the host which files changed or went away', async () => {
  const harness = await startPlugin();
  try {
    const root = await realpath(harness.root);
    const put = await harness.fetch('/webdav/main/a.jpg', { method: 'PUT', body: 'jpeg' });
    assert.equal(put.status, 201);
    const copy = await harness.fetch('/webdav/main/a.jpg', {
      method: 'COPY',
      headers: { destination: '/webdav/main/b.jpg' },
    });
    assert.equal(copy.status, 201);
    const move = await harness.fetch('/webdav/main/b.jpg', {
      method: 'MOVE',
      headers: { destination: '/webdav/main/c.jpg' },
    });
    assert.equal(move.status, 201);
    assert.equal((await harness.fetch('/webdav/main/c.jpg', { method: 'DELETE' })).status, 204);
    // A refused request tells nothing.
    assert.equal((await harness.fetch('/webdav/main/c.jpg', { method: 'DELETE' })).status, 404);
    assert.deepEqual(harness.mediaEvents, [
      ['changed', join(root, 'a.jpg')],
      ['changed', join(root, 'b.jpg')],
      ['removed', join(root, 'b.jpg')],
      ['changed', join(root, 'c.jpg')],
      ['removed', join(root, 'c.jpg')],
    ]);
  } finally {
    await harness.stop();
  }
});
