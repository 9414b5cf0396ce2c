import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { missingNodeFlags, NODE_FLAGS } from '../../host/node-flags.js';
import { REPO_ROOT } from '../helpers/host-process.js';

const read = (file: string): string => readFileSync(path.join(REPO_ROOT, file), 'utf8');
const flags = NODE_FLAGS.join(' ');

describe('host node flags', () => {
  it('a node started with every flag misses none', () => {
    assert.deepEqual(missingNodeFlags([...NODE_FLAGS], undefined), []);
  });

  it('names the flags a node was started without', () => {
    assert.deepEqual(missingNodeFlags([], undefined), [...NODE_FLAGS]);
    assert.deepEqual(missingNodeFlags(['--max-semi-space-size=8'], ''), ['--initial-old-space-size=64']);
  });

  it('takes them from NODE_OPTIONS too, with any value and either spelling', () => {
    assert.deepEqual(missingNodeFlags([], '--initial_old_space_size=128  --max-semi-space-size=4'), []);
    assert.deepEqual(missingNodeFlags(['--max-semi-space-size', '8'], '--enable-source-maps'), [
      '--initial-old-space-size=64',
    ]);
  });

  // V8 reads these only at start, so every way the host is started must carry the same list.
  it('npm start and the systemd unit give node the same flags', () => {
    const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string> };
    assert.match(pkg.scripts.start!, new RegExp(`\\bnode ${flags} dist/host/cli\\.js start\\b`));
    assert.match(
      read('docs/deploy.md'),
      new RegExp(`ExecStart=/usr/bin/node ${flags} /opt/mediahost/dist/host/cli\\.js start`),
    );
  });
});
