/**
 * Unpacks one ZIP member into a new file, counting what it writes: the
 * directory's sizes were checked already (zip-members.ts), but a ZIP bomb's
 * headers lie, so the bytes are counted again as they come and unpacking
 * stops at the first byte past the member's declared size or the ZIP's
 * total limit. The CRC-32 is checked too (yauzl does not), so a member
 * damaged inside the ZIP is not filed as a photo with garbage in it.
 *
 * Errors of the ZIP (damage, a lie) are ZipRefusals; errors of the disk
 * (full, not writable) are not, so the caller retries instead of calling
 * the ZIP broken.
 */
import { crc32 } from 'node:zlib';
import { open, unlink } from 'node:fs/promises';
import type { ZipFile } from 'yauzl';
import { bytesInWords, type ZipLimits } from './zip-limits.js';
import { quoted, ZipRefusal, type ZipMember } from './zip-members.js';

/** Bytes unpacked so far from one ZIP, against its total limit. */
export class UnpackBudget {
  private used = 0;
  constructor(private readonly limits: ZipLimits) {}

  take(bytes: number): void {
    this.used += bytes;
    if (this.used > this.limits.maxTotalBytes)
      throw new ZipRefusal(
        `its files unpack to more than ${bytesInWords(this.limits.maxTotalBytes)} (the limit for one ZIP), more than its headers declare`,
      );
  }
}

/**
 * Writes `member` into the new file `target` (created here; removed again
 * if anything fails), with the member's modification time, and fsyncs it.
 */
export async function extractMember(
  zip: ZipFile,
  member: ZipMember,
  target: string,
  budget: UnpackBudget,
): Promise<void> {
  const { entry } = member;
  const file = await open(target, 'wx');
  let complete = false;
  try {
    const stream = await zip.openReadStreamPromise(entry).catch((error: unknown) => {
      throw damagedMember(member, error);
    });
    const chunks = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    let bytes = 0;
    let crc = 0;
    try {
      for (;;) {
        let next: IteratorResult<Buffer>;
        try {
          next = await chunks.next();
        } catch (error) {
          throw damagedMember(member, error);
        }
        if (next.done) break;
        const chunk = next.value;
        bytes += chunk.length;
        if (bytes > entry.uncompressedSize)
          throw new ZipRefusal(`the entry ${quoted(member.path)} unpacks to more bytes than its header declares`);
        budget.take(chunk.length);
        crc = crc32(chunk, crc);
        for (let done = 0; done < chunk.length;)
          done += (await file.write(chunk, done, chunk.length - done)).bytesWritten;
      }
    } finally {
      stream.destroy();
    }
    if (bytes !== entry.uncompressedSize)
      throw new ZipRefusal(`the entry ${quoted(member.path)} unpacks to fewer bytes than its header declares`);
    if (crc !== entry.crc32)
      throw new ZipRefusal(`the entry ${quoted(member.path)} is damaged: its content does not match its checksum`);
    await file.utimes(member.modified, member.modified);
    await file.sync();
    complete = true;
  } finally {
    await file.close();
    if (!complete) await unlink(target).catch(() => undefined);
  }
}

/** A member yauzl could not unpack: bad compressed data, sizes that do not match its header. */
function damagedMember(member: ZipMember, error: unknown): ZipRefusal {
  const detail = error instanceof Error ? error.message : String(error);
  return new ZipRefusal(`the entry ${quoted(member.path)} is damaged and cannot be unpacked (${detail})`);
}
