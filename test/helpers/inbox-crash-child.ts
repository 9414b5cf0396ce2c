/**
 * Run by test/reliability/inbox-crash.test.ts as `node <this> <share root>`:
 * one filing pass over `<share root>/Inbox`, in a process of its own so the
 * test can kill it with SIGKILL at any moment. Says "ready" just before the
 * pass starts and "done" after it.
 */
import { eagerFiler } from './inbox.js';

const root = process.argv[2];
if (!root) throw new Error('usage: inbox-crash-child.js <share root>');
const filer = eagerFiler(root);
process.stdout.write('ready\n');
await filer.fileSettled();
process.stdout.write('done\n');
