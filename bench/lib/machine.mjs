/** What the results were measured on: cores, memory, kernel, CPU, Node, and how busy the machine was. */
import { execFileSync } from 'node:child_process';
import os from 'node:os';

export function machineInfo() {
  let free;
  try {
    free = execFileSync('free', ['-h'], { encoding: 'utf8' }).trim();
  } catch {
    free = `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB total`;
  }
  return {
    nproc: os.availableParallelism(),
    cpu: os.cpus()[0]?.model ?? 'unknown',
    memory: free,
    kernel: `${os.type()} ${os.release()}`,
    node: process.version,
    loadavg: os.loadavg().map((n) => Number(n.toFixed(2))),
  };
}
