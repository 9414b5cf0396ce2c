/**
 * An HTTP answer as the consumer of a file stream's chunks (ChunkConsumer in
 * store/store.ts): it is done with them once the kernel has their bytes.
 *
 * `writableLength` counts every byte the answer still holds: what waits for
 * its connection, what waits corked or queued in the socket, and what a
 * write under way still reads from (Node counts a write until its callback).
 * So when it is 0, no chunk handed to the answer is used any more.
 *
 * A connection cut off is never done: Node then calls the callbacks of
 * writes that were still queued, and even emits 'finish', while the write
 * under way is only cancelled when the socket has closed. Its buffers are
 * left to the garbage collector.
 */
import type { ServerResponse } from 'node:http';
import type { ChunkConsumer } from '../store/store.js';

export function sentChunksOf(res: Pick<ServerResponse, 'writableLength' | 'once' | 'req'>): ChunkConsumer {
  const connection = res.req.socket;
  return {
    doneWithAll: () => res.writableLength === 0 && !connection.destroyed,
    onceDoneWithAll: (callback) => {
      res.once('finish', () => {
        if (!connection.destroyed) callback();
      });
    },
  };
}
