/**
 * A size-rotated file with group commit. `write` resolves once the record was handed to the
 * operating system, so a record acknowledged upstream survives the process being killed. Records
 * written while a writev is under way gather and leave together in the next one: at low load each
 * record is written at once, under load writes grow by themselves. A record never straddles two
 * files. The file is fsynced every flush interval, bounding what a machine crash can take; the
 * fsync runs beside the writes, never in front of them: a slow disk (another process's dirty pages
 * flushed by the same journal commit) must not hold every acknowledgement up for its duration.
 */
import { mkdir, open, rename, stat, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Logger } from 'pino';
import { messageOf } from '../../pipeline/errors.js';
import { backupName, pruneBackups } from './backups.js';
import type { RotationConfig } from './config.js';

const IOV_MAX = 512;

/** A record's writer, told once the record was written (err unset) or could not be. */
type Written = (err?: Error) => void;

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
  private flushQueued = false;
  /** The fsync under way, if any; rotation and close wait for it before closing the handle. */
  private syncing: Promise<void> | undefined;
  /** Bytes written since the last fsync. */
  private unsynced = 0;
  private timer: NodeJS.Timeout | undefined;
  private lastBackup = 0;

  constructor(
    private readonly path: string,
    private readonly append: boolean,
    private readonly rotation: RotationConfig | undefined,
    private readonly flushIntervalMs: number,
    private readonly logger: Logger,
  ) {}

  /** Opens (truncating unless `append`) and starts the fsync timer. */
  async open(): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true });
    this.fh = await open(this.path, this.append ? 'a' : 'w');
    this.size = this.append ? (await stat(this.path)).size : 0;
    this.timer = setInterval(() => this.syncNow(), this.flushIntervalMs);
    this.timer.unref();
  }

  /** Queues one record; resolves once it was written, rejects when it could not be. */
  write(chunks: Buffer[]): Promise<void> {
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
    this.size += bytes;
    this.pendingBytes += bytes;
    const done = new Promise<void>((resolve, reject) => seg.written.push((err) => (err ? reject(err) : resolve())));
    this.scheduleFlush();
    return done;
  }

  /** Writes everything pending (rotating where records asked for it); one flush runs at a time. */
  flush(): Promise<void> {
    this.flushing ??= this.drain().finally(() => {
      this.flushing = undefined;
      // A record queued after the drain looked for the last time must not wait for another writer.
      if (this.pendingBytes > 0) this.scheduleFlush();
    });
    return this.flushing;
  }

  /** Starts a flush after this turn of the event loop, so the records written in it share one writev. */
  private scheduleFlush(): void {
    if (this.flushing || this.flushQueued) return;
    this.flushQueued = true;
    setImmediate(() => {
      this.flushQueued = false;
      this.flush().catch(() => {});
    });
  }

  /**
   * The timer's fsync, concurrent with writes (the kernel orders them: it covers what was written
   * before it started). At most one at a time; skipped when nothing was written since the last.
   */
  private syncNow(): void {
    if (this.syncing || !this.fh || this.unsynced === 0) return;
    const fh = this.fh;
    this.unsynced = 0;
    this.syncing = fh.sync().catch((err: unknown) => {
      this.logger.warn({ path: this.path, err: messageOf(err) }, 'fsync failed');
    }).finally(() => {
      this.syncing = undefined;
    });
  }

  /** Flushes, fsyncs and closes; gives up waiting at `deadline` (epoch ms). */
  async close(deadline: number): Promise<void> {
    clearInterval(this.timer);
    if (!this.fh) return;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => { timer = setTimeout(() => resolve('late'), Math.max(0, deadline - Date.now())); });
    const done = (async () => { await this.flush(); await this.syncing; await this.fh?.sync(); })();
    const outcome = await Promise.race([done.then(() => 'done' as const), late]).catch((err: unknown) => err);
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
        this.unsynced += bytesWritten;
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
    // No new fsync on this handle from now on; the last one may still run on it.
    const old = this.fh!;
    this.fh = undefined;
    await this.syncing;
    await old.close();
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
