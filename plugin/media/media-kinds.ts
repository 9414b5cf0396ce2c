/**
 * Which files are photos and which are videos, told by the name alone (no
 * file is opened): the photo views and the inbox decide this for every entry
 * of a folder, so it has to cost nothing.
 */

export type MediaKind = 'photo' | 'video';

/** Still images, and the camera RAW formats (their metadata is TIFF- or ISO-BMFF-based). */
const PHOTO_EXTENSIONS = [
  'jpg', 'jpeg', 'jpe', 'heic', 'heif', 'avif', 'png', 'tif', 'tiff', 'webp', 'gif', 'bmp',
  'dng', 'cr2', 'cr3', 'crw', 'nef', 'nrw', 'arw', 'srf', 'sr2', 'orf', 'rw2', 'raf', 'pef',
  'srw', 'x3f', '3fr', 'erf', 'kdc', 'mrw', 'rwl', 'iiq',
]; // prettier-ignore

const VIDEO_EXTENSIONS = [
  'mp4', 'm4v', 'mov', 'qt', '3gp', '3g2', 'avi', 'mkv', 'mts', 'm2ts', 'webm', 'wmv', 'mpg', 'mpeg',
]; // prettier-ignore

const KINDS = new Map<string, MediaKind>([
  ...PHOTO_EXTENSIONS.map((extension) => [extension, 'photo'] as const),
  ...VIDEO_EXTENSIONS.map((extension) => [extension, 'video'] as const),
]);

/**
 * The kind of the file called `name` (a base name, or a path: only what
 * follows the last dot counts), by its extension in any case; null when it
 * is neither. `._` files are macOS AppleDouble sidecars (the resource fork
 * and Finder details of `name` without the prefix, written on volumes that
 * lack extended attributes): they carry the photo's extension but no photo.
 */
export function mediaKindOf(name: string): MediaKind | null {
  const base = name.slice(name.lastIndexOf('/') + 1);
  if (base.startsWith('._')) return null;
  const dot = base.lastIndexOf('.');
  if (dot <= 0) return null;
  return KINDS.get(base.slice(dot + 1).toLowerCase()) ?? null;
}
