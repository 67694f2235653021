/**
 * The file exporter: one export request per line of OTLP/JSON (otelcol's format), or with
 * `format: proto` / compression each request behind a 4-byte big-endian length. One instance is
 * shared by every pipeline and signal that names it, so all of them land in one file.
 */
import type { CreateSettings, Exporter } from '../../pipeline/component.js';
import { UnavailableError } from '../../pipeline/errors.js';
import { zstdCompress } from '../../pipeline/kafka/zstd-codec.js';
import { BufferPool, toJsonBytes } from '../../pdata/index.js';
import type { Payload } from '../../pdata/payload.js';
import { BurstLog } from '../../pipeline/burst-log.js';
import type { Config } from './config.js';
import { RotatingFile } from './rotating-file.js';

const NEWLINE = Buffer.from('\n');

function lengthPrefixed(body: Buffer): Buffer[] {
  const prefix = Buffer.allocUnsafe(4);
  prefix.writeUInt32BE(body.length, 0);
  return [prefix, body];
}

/** Writes payloads to a file; `consume` resolves once the request was written to the file. */
export class FileExporter implements Exporter {
  private readonly file: RotatingFile;
  private readonly burst: BurstLog;
  private readonly labels: { exporter: string };
  private state: 'created' | 'running' | 'closed' = 'created';
  /** The JSON writer's output buffers, used again once their batch is in the file (BufferPool says why). */
  private readonly jsonBuffers = new BufferPool();

  constructor(private readonly settings: CreateSettings, private readonly config: Config) {
    this.file = new RotatingFile(config.path, config.append, config.rotation, config.flush_interval, settings.logger);
    this.burst = new BurstLog(settings.logger);
    this.labels = { exporter: settings.id.id };
  }

  async start(): Promise<void> {
    await this.file.open();
    this.state = 'running';
  }

  async consume(payload: Payload): Promise<void> {
    if (this.state !== 'running') throw new UnavailableError(`file exporter ${this.labels.exporter} is not running`);
    const m = this.settings.metrics;
    try {
      const { chunks, json } = await this.encode(payload);
      await this.file.write(chunks);
      // Written: nothing reads the JSON any more (a failed write drops its chunks, but is rare enough to leave to the GC).
      if (json) this.jsonBuffers.give(json);
    } catch (err) {
      m.exporterFailed[payload.signal].inc(this.labels, payload.itemCount);
      this.burst.warn({ path: this.config.path, err: (err as Error).message }, 'writing to the file failed; the request is retried upstream');
      // A full or failing disk may recover; the stage log keeps the request and tries again.
      throw new UnavailableError(`file exporter ${this.labels.exporter}: writing ${this.config.path} failed: ${(err as Error).message}`);
    }
    m.exporterSent[payload.signal].inc(this.labels, payload.itemCount);
  }

  async shutdown(deadline: number): Promise<void> {
    if (this.state === 'closed') return;
    this.state = 'closed';
    await this.file.close(deadline);
  }

  /** The chunks to write, and the JSON writer's buffer among them (or compressed into them) to give back once written. */
  private async encode(payload: Payload): Promise<{ chunks: Buffer[]; json?: Buffer }> {
    const zstd = this.config.compression === 'zstd';
    // The JSON writer's own bytes, never a string: see toJsonBytes.
    if (this.config.format === 'json' && !zstd) {
      const json = toJsonBytes(payload, this.jsonBuffers);
      return { chunks: [json, NEWLINE], json };
    }
    // The consumer contract forbids keeping the payload's bytes, so proto is copied.
    const body = this.config.format === 'json' ? toJsonBytes(payload) : Buffer.from(payload.bytes);
    if (!zstd) return { chunks: lengthPrefixed(body) };
    // Node's zlib on 22.15+, the WebAssembly libzstd before (the Kafka clients' codec).
    return { chunks: lengthPrefixed(await zstdCompress(body)) };
  }
}
