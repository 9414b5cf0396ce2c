/**
 * The part of piexifjs (1.0.x, which ships no types) that the media
 * fixtures use. It works on JPEG bytes as binary ("latin1") strings.
 */
declare module 'piexifjs' {
  /** Tag number → value, per IFD ("0th", "Exif", "GPS", "Interop", "1st"). */
  export type ExifDict = Record<string, Record<number, string | number | number[] | number[][]>>;

  interface Piexif {
    /** The EXIF APP1 segment for `exif`, as a binary string. */
    dump(exif: ExifDict): string;
    /** `jpeg` (a binary string) with its EXIF segment replaced by `exif`. */
    insert(exif: string, jpeg: string): string;
    load(jpeg: string): ExifDict;
    /** The tags piexifjs can write, per IFD; a tag missing here cannot be dumped. */
    TAGS: Record<string, Record<number, { name: string; type: string }>>;
    ExifIFD: Record<string, number>;
    ImageIFD: Record<string, number>;
  }

  const piexif: Piexif;
  export default piexif;
}
