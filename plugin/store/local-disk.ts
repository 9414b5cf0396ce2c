/**
 * Which file systems are local disks (statfs f_type): ext2/3/4, XFS, Btrfs,
 * tmpfs, F2FS, ZFS. On them the kernel sees every change, so what it says
 * (a cached inode, an inotify event) is the truth; network and FUSE file
 * systems may change behind its back.
 */
import { statfs } from 'node:fs/promises';

export const LOCAL_FILE_SYSTEMS: ReadonlySet<number> = new Set([
  0xef53, 0x58465342, 0x9123683e, 0x01021994, 0xf2f52010, 0x2fc12fc1,
]);

/** Whether `folder` lies on a local disk; false when that cannot be told. */
export async function onLocalDisk(folder: string): Promise<boolean> {
  try {
    return LOCAL_FILE_SYSTEMS.has((await statfs(folder)).type);
  } catch {
    return false;
  }
}
