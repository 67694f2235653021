/**
 * A buffered, size-rotated file. Records are queued in memory and written with writev from a
 * timer or once enough is pending; a record never straddles two files. Memory is bounded: past
 * HIGH_WATER_BYTES a write returns a promise that resolves once the buffer has been flushed.
 */
import { mkdir, open, rename, stat, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Logger } from 'pino';
import { backupName, pruneBackups } from './backups.js';
import type { RotationConfig } from './config.js';

/** Pending bytes that start a flush without waiting for the timer. */
export const FLUSH_AT_BYTES = 1 << 20;
/** Pending bytes past which writers wait for the disk. */
export const HIGH_WATER_BYTES = 16 << 20;
const IOV_MAX = 512;

/** Called once the record is on disk (err unset) or could not be written. */
export type Written = (err?: Error) => void;

interface Segment {
  chunks: Buffer[];
  bytes: number;
  written: Written[];
}

const segment = (): Segment => ({ chunks: [], bytes: 0, written: [] });

/** One output file with its rotation policy. */
export class RotatingFile {
  private fh: FileHandle | undefined;
  /** Bytes given to the current file, written or pending. */
  private size = 0;
  /** The first is the current file; each further segment starts a new file after a rotation. */
  private segments: Segment[] = [segment()];
  private pendingBytes = 0;
  private flushing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private lastBackup = 0;

  constructor(
    private readonly path: string,
    private readonly append: boolean,
    private readonly rotation: RotationConfig | undefined,
    private readonly flushIntervalMs: number,
    private readonly logger: Logger,
  ) {}

  /** Opens (truncating unless `append`) and starts the flush timer. */
  async open(): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true });
    this.fh = await open(this.path, this.append ? 'a' : 'w');
    this.size = this.append ? (await stat(this.path)).size : 0;
    this.timer = setInterval(() => { this.flush().catch(() => {}); }, this.flushIntervalMs);
    this.timer.unref();
  }

  /** Queues one record; returns a promise only when the caller should wait for the disk. */
  write(chunks: Buffer[], written: Written): Promise<void> | undefined {
    let bytes = 0;
    for (const c of chunks) bytes += c.length;
    const max = this.rotation ? this.rotation.max_megabytes * 1024 * 1024 : 0;
    if (max > 0 && this.size > 0 && this.size + bytes > max) {
      this.segments.push(segment());
      this.size = 0;
    }
    const seg = this.segments[this.segments.length - 1]!;
    for (const c of chunks) seg.chunks.push(c);
    seg.bytes += bytes;
    seg.written.push(written);
    this.size += bytes;
    this.pendingBytes += bytes;
    if (this.pendingBytes >= HIGH_WATER_BYTES) return this.flush();
    if (this.pendingBytes >= FLUSH_AT_BYTES && !this.flushing) this.flush().catch(() => {});
    return undefined;
  }

  /** Writes everything pending (rotating where records asked for it); one flush runs at a time. */
  flush(): Promise<void> {
    this.flushing ??= this.drain().finally(() => { this.flushing = undefined; });
    return this.flushing;
  }

  /** Flushes, fsyncs and closes; gives up waiting at `deadline` (epoch ms). */
  async close(deadline: number): Promise<void> {
    clearInterval(this.timer);
    if (!this.fh) return;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => { timer = setTimeout(() => resolve('late'), Math.max(0, deadline - Date.now())); });
    const done = (async () => { await this.flush(); await this.fh?.sync(); })();
    const outcome = await Promise.race([done.then(() => 'done' as const), late]).catch((err: Error) => err);
    clearTimeout(timer);
    if (outcome === 'late') this.logger.error({ path: this.path, pending_bytes: this.pendingBytes }, 'file not flushed by the shutdown deadline');
    else if (outcome instanceof Error) this.logger.error({ path: this.path, err: outcome.message }, 'flushing the file failed');
    const fh = this.fh;
    this.fh = undefined;
    await fh.close().catch(() => {});
  }

  private async drain(): Promise<void> {
    for (;;) {
      const seg = this.segments[0]!;
      if (seg.bytes > 0) {
        const chunks = seg.chunks.splice(0);
        const written = seg.written.splice(0);
        this.pendingBytes -= seg.bytes;
        seg.bytes = 0;
        let err: Error | undefined;
        try {
          await this.writeAll(chunks);
        } catch (e) {
          err = e as Error;
        }
        for (const w of written) w(err);
        continue;
      }
      if (this.segments.length === 1) return;
      this.segments.shift();
      await this.rotate();
    }
  }

  private async writeAll(chunks: Buffer[]): Promise<void> {
    if (!this.fh) throw new Error(`file ${this.path} is not open`);
    for (let i = 0; i < chunks.length; i += IOV_MAX) {
      let group = chunks.slice(i, i + IOV_MAX);
      let want = group.reduce((n, c) => n + c.length, 0);
      while (want > 0) {
        const { bytesWritten } = await this.fh.writev(group);
        if (bytesWritten === want) break;
        // A short write: keep the rest in one buffer and try again.
        const rest = Buffer.concat(group).subarray(bytesWritten);
        group = [rest];
        want = rest.length;
      }
    }
  }

  /** Renames the full file to its backup name, opens a fresh one, prunes old backups. */
  private async rotate(): Promise<void> {
    await this.fh!.close();
    this.fh = undefined;
    // Two rotations within one millisecond would collide on the backup name.
    const at = Math.max(Date.now(), this.lastBackup + 1);
    this.lastBackup = at;
    await rename(this.path, backupName(this.path, new Date(at), this.rotation!.localtime));
    this.fh = await open(this.path, 'w');
    try {
      await pruneBackups(this.path, this.rotation!);
    } catch (err) {
      this.logger.warn({ path: this.path, err: (err as Error).message }, 'could not prune old backups');
    }
  }
}
