/**
 * CPU time and memory of a process tree read from /proc, the outside view the benchmark trusts
 * over the daemon's own self-metrics. Worker threads are part of the process and are counted by
 * the kernel in its utime/stime; child processes (a cluster) are found and added.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** A snapshot of a process tree. */
export interface ProcSample {
  /** When it was taken (ms since epoch, from performance.timeOrigin). */
  atMs: number;
  /** User + system CPU seconds of every process in the tree. */
  cpuSeconds: number;
  /** Sum of current resident sets (VmRSS), bytes. */
  rssBytes: number;
  /** Sum of each process's peak resident set (VmHWM), bytes: an upper bound on the tree's peak. */
  hwmBytes: number;
  /** How many processes the tree had. */
  processes: number;
}

let clockTicks: number | undefined;

/** The kernel's clock ticks per second (`getconf CLK_TCK`), asked once. */
export function clkTck(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** utime + stime of one process, in clock ticks. The command name may hold spaces, so fields count from the last ')'. */
export function parseStatTicks(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After ')' field 3 (state) is index 0, so utime (14) and stime (15) are 11 and 12.
  return Number(fields[11]) + Number(fields[12]);
}

/** A `Vm…:  1234 kB` line of /proc/<pid>/status, in bytes (0 when absent, as for a zombie). */
export function parseStatusKb(status: string, key: string): number {
  const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status);
  return m ? Number(m[1]) * 1024 : 0;
}

/** The pid and every descendant, found through each thread's `children` list. */
export function processTree(pid: number): number[] {
  const out: number[] = [];
  const todo = [pid];
  while (todo.length > 0 && out.length < 1000) {
    const p = todo.pop()!;
    out.push(p);
    let tasks: string[];
    try {
      tasks = readdirSync(`/proc/${p}/task`);
    } catch {
      continue;
    }
    for (const tid of tasks) {
      try {
        for (const c of readFileSync(`/proc/${p}/task/${tid}/children`, 'utf8').split(' ')) if (c.trim()) todo.push(Number(c));
      } catch {
        // the thread ended between listing and reading
      }
    }
  }
  return out;
}

/** Samples the tree rooted at `pid`; throws if the root process is gone. */
export function sampleProc(pid: number): ProcSample {
  const sample: ProcSample = { atMs: performance.timeOrigin + performance.now(), cpuSeconds: 0, rssBytes: 0, hwmBytes: 0, processes: 0 };
  let ticks = 0;
  for (const p of processTree(pid)) {
    let stat: string;
    let status: string;
    try {
      stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      status = readFileSync(`/proc/${p}/status`, 'utf8');
    } catch (err) {
      if (p === pid) throw err;
      continue;
    }
    ticks += parseStatTicks(stat);
    sample.rssBytes += parseStatusKb(status, 'VmRSS');
    sample.hwmBytes += parseStatusKb(status, 'VmHWM');
    sample.processes++;
  }
  sample.cpuSeconds = ticks / clkTck();
  return sample;
}

/** CPU seconds and wall seconds between two samples of the same tree. */
export function cpuBetween(a: ProcSample, b: ProcSample): { cpuSeconds: number; wallSeconds: number; coreShare: number } {
  const cpuSeconds = b.cpuSeconds - a.cpuSeconds;
  const wallSeconds = (b.atMs - a.atMs) / 1000;
  return { cpuSeconds, wallSeconds, coreShare: wallSeconds > 0 ? cpuSeconds / wallSeconds : 0 };
}
