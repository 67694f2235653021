/** How much memory the process may use and uses: the machine's or its cgroup's limit, and RSS. */
import { readFileSync } from 'node:fs';
import { totalmem } from 'node:os';

const CGROUP_FILES = ['/sys/fs/cgroup/memory.max', '/sys/fs/cgroup/memory/memory.limit_in_bytes'];

/** The cgroup memory limit in bytes, or undefined when there is none or it cannot be read. */
export function cgroupLimitBytes(files: readonly string[] = CGROUP_FILES): number | undefined {
  for (const file of files) {
    try {
      const text = readFileSync(file, 'utf8').trim();
      const n = Number(text);
      // "max" (v2) or a huge sentinel (v1) mean no limit.
      if (Number.isFinite(n) && n > 0 && n < Number.MAX_SAFE_INTEGER) return n;
    } catch {
      // not in a cgroup with a memory controller, or not Linux
    }
  }
  return undefined;
}

/** Memory available to this process: the machine's total, or its cgroup's limit when lower. */
export function availableMemoryBytes(): number {
  const cgroup = cgroupLimitBytes();
  return cgroup === undefined ? totalmem() : Math.min(cgroup, totalmem());
}

/** Reads the process's resident set size in bytes. */
export type RssReader = () => number;

/** The real reader: RSS as the kernel counts it, without walking the heap. */
export const processRss: RssReader = () => process.memoryUsage.rss();
