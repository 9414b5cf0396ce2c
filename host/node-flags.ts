/**
 * The V8 options the reference host is started with: by `npm start`, by the
 * systemd unit in docs/deploy.md and by the benchmark. V8 sizes its heap
 * when the process starts, so they work only on node's command line or in
 * NODE_OPTIONS (`v8.setFlagsFromString` at run time resizes nothing). The
 * `mediahost` command's first line stays `#!/usr/bin/env node`: options
 * there need `env -S` (GNU coreutils 8.30 and later, macOS, FreeBSD), which
 * a minimal container image may lack, and its other commands do not need
 * them.
 *
 * Why, measured with 2,000 photo uploads from 8 clients (docs/deploy.md):
 *
 * - `--initial-old-space-size=64`: V8 counts the buffers that request
 *   bodies arrive in (64 KiB each, freed only by a collection) against the
 *   old generation's budget, which it sets at about twice the live heap
 *   (ours: 21 MB, so a 45 MB limit). Past about 8 MB of bodies it began a
 *   full mark-compact: 43 to 51 of them per 2,000 uploads, against 2 to 5
 *   young collections, and 1.2 to 2.2 s of CPU in user mode where a bare
 *   Node server used 0.3 to 0.6. With a 64 MB floor under that budget the
 *   body buffers die in cheap young collections (21 to 23 per run, 0 to 2
 *   full ones), and uploads went from 610–700 to 830–920 files/s.
 * - `--max-semi-space-size=8` (MB; V8's own default here is 16): the
 *   young generation that a busy server grows to stays at half the size.
 *   Resident memory after the same uploads 152 MB instead of 166 with the
 *   floor alone; PROPFIND and GET rates unchanged within the noise.
 */
export const NODE_FLAGS: readonly string[] = ['--initial-old-space-size=64', '--max-semi-space-size=8'];

/** The name of an option as V8 reads it: `--max_semi_space_size=8` and `--max-semi-space-size 8` are both this. */
function optionName(flag: string): string {
  return flag.split('=')[0]!.replace(/_/g, '-');
}

/**
 * Which of NODE_FLAGS this process was started without (whatever value it
 * was given counts: the admin may have chosen another size).
 */
export function missingNodeFlags(
  execArgv: readonly string[] = process.execArgv,
  nodeOptions: string | undefined = process.env.NODE_OPTIONS,
): string[] {
  const given = new Set([...execArgv, ...(nodeOptions ?? '').split(/\s+/)].filter(Boolean).map(optionName));
  return NODE_FLAGS.filter((flag) => !given.has(optionName(flag)));
}
