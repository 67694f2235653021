/**
 * Buffers written into again instead of allocated per request, for the large, short-lived byte
 * arrays of an exporter: a batch's JSON (the file exporter) or its protobuf handed to grpc-js (the
 * otlp_grpc exporter). A Buffer lives off the V8 heap and is freed only when a garbage collection
 * finds it dead; when something keeps it past two young-generation collections it waits for a full
 * one, and V8 starts that only once such memory grew by tens of MiB: the daemon's peak RSS.
 *
 * grpc-js does exactly that with every message it sends: its call objects, which keep the message,
 * survive the young collections after the call ended (measured, not traced to the reference that
 * keeps them), so at 10,000 spans/s a third of the daemon's Buffer bytes were waiting for a full
 * collection. A message copied into a pooled buffer leaves only that
 * buffer behind, written into again by the next call.
 *
 * A user gives a buffer back once nothing reads it any more; at most `keep` are held. Only memory
 * this object allocated itself (never from Node's shared pool) is taken back: a Buffer's whole
 * ArrayBuffer is not ours to write into just because the view starts at its offset 0 (Node 24 cuts
 * every Buffer below 32 KiB from a shared 64 KiB pool, and a pool taken back here once had a
 * batch's JSON written over the Kafka records cut from the same pool).
 */
export class BufferPool {
  private readonly free: Buffer[] = [];
  /** The ArrayBuffers this object allocated: the only memory `give` takes back. */
  private readonly own = new WeakSet<ArrayBufferLike>();

  constructor(private readonly keep = 4) {}

  /** A free buffer of at least `size` bytes (the smallest that fits), else a new one of its own. */
  take(size: number): Buffer {
    let best = -1;
    for (let i = 0; i < this.free.length; i++) {
      const b = this.free[i]!;
      if (b.length >= size && (best < 0 || b.length < this.free[best]!.length)) best = i;
    }
    if (best >= 0) return this.free.splice(best, 1)[0]!;
    const fresh = Buffer.allocUnsafeSlow(size);
    this.own.add(fresh.buffer);
    return fresh;
  }

  /** `bytes` copied into a buffer of the pool: a view of exactly their length, to give back once read. */
  copyOf(bytes: Uint8Array): Buffer {
    const b = this.take(bytes.byteLength);
    b.set(bytes);
    return b.subarray(0, bytes.byteLength);
  }

  /** Takes back the buffer under `bytes` (a view from its start, as take and copyOf return), once nothing reads them any more. */
  give(bytes: Buffer): void {
    const whole = bytes.buffer;
    if (bytes.byteOffset !== 0 || !this.own.has(whole)) return;
    this.free.push(Buffer.from(whole, 0, whole.byteLength));
    if (this.free.length > this.keep) {
      // Drop the smallest: the largest fits every batch.
      let smallest = 0;
      for (let i = 1; i < this.free.length; i++) if (this.free[i]!.length < this.free[smallest]!.length) smallest = i;
      this.free.splice(smallest, 1);
    }
  }

  /** Buffers held for reuse. */
  get size(): number {
    return this.free.length;
  }
}
