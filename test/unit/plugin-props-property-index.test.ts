/**
 * The index of which resources of a mount may have dead properties
 * (plugin/props/property-index.ts): a resource, a folder's members, a whole
 * tree; paths spelled as the table spells them.
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { PropertyIndex } from '../../plugin/props/property-index.js';

it('names the resources with properties, the folders holding them, and every tree that contains one', () => {
  const index = new PropertyIndex(['album/sub/a.jpg', 'b.jpg']);
  assert.equal(index.size, 2);
  assert.equal(index.mayHave(['album', 'sub', 'a.jpg']), true);
  assert.equal(index.mayHave(['album', 'sub']), false);
  assert.equal(index.mayHave(['b.jpg']), true);
  assert.equal(index.mayHave(['c.jpg']), false);

  assert.equal(index.mayHaveMembersWith(['album', 'sub']), true);
  assert.equal(index.mayHaveMembersWith([]), true);
  assert.equal(index.mayHaveMembersWith(['album']), false, 'a grandchild is not a member');

  for (const tree of [[], ['album'], ['album', 'sub'], ['album', 'sub', 'a.jpg'], ['b.jpg']])
    assert.equal(index.mayHaveWithin(tree), true, tree.join('/'));
  for (const tree of [['album', 'other'], ['alb'], ['c.jpg'], ['album', 'sub', 'a.jpg', 'x']])
    assert.equal(index.mayHaveWithin(tree), false, tree.join('/'));
});

it('grows with add(), counting each resource once', () => {
  const index = new PropertyIndex();
  assert.equal(index.mayHaveWithin([]), false);
  index.add(['x', 'y.jpg']);
  index.add(['x', 'y.jpg']);
  assert.equal(index.size, 1);
  assert.equal(index.mayHave(['x', 'y.jpg']), true);
  assert.equal(index.mayHaveMembersWith(['x']), true);
  assert.equal(index.mayHaveWithin([]), true);
  index.add(['x', 'z.jpg']);
  assert.equal(index.size, 2);
});

it('knows the share root as the path ""', () => {
  const index = new PropertyIndex(['']);
  assert.equal(index.mayHave([]), true);
  assert.equal(index.mayHaveWithin([]), true);
  assert.equal(index.mayHaveMembersWith([]), false, 'the root is no member of anything');
  assert.equal(index.mayHaveWithin(['a']), false);
});

it('takes names with `/`-free odd characters literally', () => {
  const index = new PropertyIndex(['Mädchen😀/a%b_c.jpg']);
  assert.equal(index.mayHave(['Mädchen😀', 'a%b_c.jpg']), true);
  assert.equal(index.mayHave(['mädchen😀', 'a%b_c.jpg']), false);
  assert.equal(index.mayHaveMembersWith(['Mädchen😀']), true);
});
