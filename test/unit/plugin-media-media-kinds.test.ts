import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mediaKindOf } from '../../plugin/media/media-kinds.js';

test('photo extensions, RAW formats included, are photos', () => {
  for (const name of ['a.jpg', 'a.jpeg', 'a.jpe', 'IMG_0001.HEIC', 'a.heif', 'a.avif', 'a.png', 'a.tif', 'a.tiff']) {
    assert.equal(mediaKindOf(name), 'photo', name);
  }
  for (const name of ['a.webp', 'a.gif', 'a.bmp', 'a.dng', 'a.cr2', 'a.cr3', 'a.crw', 'a.nef', 'a.nrw', 'a.arw']) {
    assert.equal(mediaKindOf(name), 'photo', name);
  }
  for (const name of ['a.srf', 'a.sr2', 'a.orf', 'a.rw2', 'a.raf', 'a.pef', 'a.srw', 'a.x3f', 'a.3fr', 'a.erf']) {
    assert.equal(mediaKindOf(name), 'photo', name);
  }
  for (const name of ['a.kdc', 'a.mrw', 'a.rwl', 'a.iiq']) assert.equal(mediaKindOf(name), 'photo', name);
});

test('video extensions are videos', () => {
  for (const name of ['a.mp4', 'a.m4v', 'IMG_0002.MOV', 'a.qt', 'a.3gp', 'a.3g2', 'a.avi', 'a.mkv', 'a.mts']) {
    assert.equal(mediaKindOf(name), 'video', name);
  }
  for (const name of ['a.m2ts', 'a.webm', 'a.wmv', 'a.mpg', 'a.mpeg']) assert.equal(mediaKindOf(name), 'video', name);
});

test('the extension counts in any case', () => {
  assert.equal(mediaKindOf('DSC_0001.JPG'), 'photo');
  assert.equal(mediaKindOf('clip.Mp4'), 'video');
  assert.equal(mediaKindOf('raw.NeF'), 'photo');
});

test('only the last extension counts, also in a path', () => {
  assert.equal(mediaKindOf('holiday.jpg.txt'), null);
  assert.equal(mediaKindOf('notes.txt.jpg'), 'photo');
  assert.equal(mediaKindOf('/shares/main/2024.mov/readme'), null);
  assert.equal(mediaKindOf('/shares/main/Camera/IMG_0001.jpg'), 'photo');
});

test('macOS AppleDouble sidecars are no media', () => {
  assert.equal(mediaKindOf('._IMG_0001.JPG'), null);
  assert.equal(mediaKindOf('/shares/main/Camera/._clip.mov'), null);
  assert.equal(mediaKindOf('_IMG_0001.JPG'), 'photo');
});

test('other files, and names with no extension, are no media', () => {
  for (const name of ['notes.txt', 'a.pdf', 'a.xmp', 'a.aae', 'a.thm', 'jpg', 'a.', '.jpg', 'Makefile', '']) {
    assert.equal(mediaKindOf(name), null, name);
  }
});
