/** Every server the benchmark can start, ours first; the order of the table's columns. */
import { apache } from './apache.mjs';
import { nodePut, nodeStat, nodeStream } from './bare.mjs';
import { lighttpd } from './lighttpd.mjs';
import { ours } from './ours.mjs';
import { rclone } from './rclone.mjs';

export const SERVERS = [ours, apache, lighttpd, rclone, nodeStat, nodeStream, nodePut];
export const serverById = new Map(SERVERS.map((s) => [s.id, s]));
