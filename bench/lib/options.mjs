/**
 * Command line of `npm run bench -- [options]` and the two profiles: the
 * full benchmark and --quick, a short version for development.
 */
import { sizes } from './data.mjs';

const { MiB, GiB } = sizes;

export const PROFILES = {
  full: {
    runs: 3,
    wrkSeconds: 10,
    mixedSeconds: 20,
    warmupSeconds: 2,
    listings: [10_000, 100_000],
    bigFiles: [
      ['big-1g.bin', GiB],
      ['big-4g.bin', 4 * GiB],
    ],
    getFile: 'big-1g.bin',
    putFile: 'big-1g.bin',
    rangeFile: 'big-4g.bin',
    rangeCount: 1000,
    uploadCount: 2000,
  },
  quick: {
    runs: 1,
    wrkSeconds: 3,
    mixedSeconds: 4,
    warmupSeconds: 1,
    listings: [10_000],
    bigFiles: [['big-256m.bin', 256 * MiB]],
    getFile: 'big-256m.bin',
    putFile: 'big-256m.bin',
    rangeFile: 'big-256m.bin',
    rangeCount: 200,
    uploadCount: 300,
  },
};

export const USAGE = `npm run bench -- [options]

  --quick               a short run for development: 1 run, a few seconds per workload,
                        smaller files, no 100,000-file folder
  --check               exit 1 when a target is missed (see bench/targets.mjs)
  --only W[,W...]       only these workloads (ids below)
  --servers S[,S...]    only these servers (ours is always measured)
  --runs N              runs per workload and server (default 3, quick 1)
  --no-save             do not write bench/results/latest.json and latest.svg
  --help

workloads: WORKLOADS
servers:   SERVERS`;

export function parseOptions(argv, { workloadIds, serverIds }) {
  const o = { quick: false, check: false, only: null, servers: null, runs: null, save: true, help: false };
  const list = (value, known, what) => {
    const items = String(value ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const unknown = items.filter((i) => !known.includes(i));
    if (items.length === 0 || unknown.length)
      throw new Error(`unknown ${what}: ${unknown.join(', ') || '(none given)'}; known: ${known.join(', ')}`);
    return items;
  };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    const value = () => (inline !== undefined ? inline : argv[++i]);
    switch (flag) {
      case '--quick':
        o.quick = true;
        break;
      case '--check':
        o.check = true;
        break;
      case '--only':
        o.only = list(value(), workloadIds, 'workload');
        break;
      case '--servers':
        o.servers = list(value(), serverIds, 'server');
        break;
      case '--runs': {
        const n = Number(value());
        if (!Number.isInteger(n) || n < 1 || n > 20) throw new Error('--runs takes a number from 1 to 20');
        o.runs = n;
        break;
      }
      case '--no-save':
        o.save = false;
        break;
      case '--help':
      case '-h':
        o.help = true;
        break;
      default:
        throw new Error(`unknown option ${argv[i]} (see --help)`);
    }
  }
  if (o.servers && !o.servers.includes('ours')) o.servers.unshift('ours');
  o.profile = { ...PROFILES[o.quick ? 'quick' : 'full'] };
  if (o.runs) o.profile.runs = o.runs;
  return o;
}
