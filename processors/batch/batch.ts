/**
 * The batch processor with end-to-end acknowledgement: `consume` resolves only once every batch
 * holding part of its payload was accepted by the next consumer, and rejects with that consumer's
 * error if any of them failed, so the stage log upstream redelivers it.
 *
 * Sends run concurrently and without a bound of their own: while one batch is being sent, new data
 * starts the next one. What is in flight is bounded by the stage log, which holds every payload
 * until its consume() settles.
 */
import type { Consumer, CreateSettings, Host, Processor } from '../../pipeline/component.js';
import { mergePayloads, splitPayload } from '../../pdata/index.js';
import type { Payload, Signal } from '../../pdata/payload.js';
import { processorLabels, type ProcessorLabels } from '../processorhelper/index.js';
import type { Config } from './config.js';

/** One consume() call waiting for every part of its payload to be sent. */
class Contribution {
  private parts = 0;
  private settled = false;
  constructor(private readonly resolve: () => void, private readonly reject: (err: unknown) => void) {}

  addPart(): void {
    this.parts++;
  }

  partSent(): void {
    if (this.settled) return;
    if (--this.parts === 0) {
      this.settled = true;
      this.resolve();
    }
  }

  fail(err: unknown): void {
    if (this.settled) return;
    this.settled = true;
    this.reject(err);
  }
}

/** The batch being filled: its parts and whose they are. */
interface OpenBatch {
  parts: Payload[];
  owners: Contribution[];
  items: number;
}

type Trigger = 'size' | 'timeout' | 'immediate';

const emptyBatch = (): OpenBatch => ({ parts: [], owners: [], items: 0 });

/** Splits a payload into its first `n` items and the rest (which may be null). */
function take(payload: Payload, n: number): [Payload, Payload | null] {
  const pieces = splitPayload(payload, n);
  return [pieces[0]!, pieces.length > 1 ? mergePayloads(pieces.slice(1)) : null];
}

/** Batches payloads by size and time; see the file comment for the acknowledgement contract. */
export class BatchProcessor implements Processor {
  private open = emptyBatch();
  private timer: NodeJS.Timeout | undefined;
  private readonly sending = new Set<Promise<void>>();
  private closed = false;
  private readonly labels: ProcessorLabels;
  private readonly idLabel: { processor: string };

  constructor(
    private readonly settings: CreateSettings,
    private readonly config: Config,
    signal: Signal,
    private readonly next: Consumer,
  ) {
    this.labels = processorLabels(settings, signal);
    this.idLabel = { processor: settings.id.id };
  }

  async start(_host: Host): Promise<void> {}

  consume(payload: Payload): Promise<void> {
    this.settings.metrics.processorIncoming.inc(this.labels, payload.itemCount);
    return new Promise<void>((resolve, reject) => {
      this.add(payload, new Contribution(resolve, reject));
    });
  }

  /** Adds a payload to the open batch, sending every batch it fills; all parts are counted before any send settles. */
  private add(payload: Payload, owner: Contribution): void {
    const max = this.config.send_batch_max_size;
    let rest: Payload | null = payload;
    while (rest !== null) {
      const room = max > 0 ? max - this.open.items : Infinity;
      let part: Payload = rest;
      if (rest.itemCount > room) [part, rest] = take(rest, room);
      else rest = null;
      owner.addPart();
      this.open.parts.push(part);
      this.open.owners.push(owner);
      this.open.items += part.itemCount;
      if (max > 0 && this.open.items >= max) this.flush('size');
    }
    const { send_batch_size: size, timeout } = this.config;
    if (this.open.parts.length === 0) return;
    if (this.closed || timeout === 0) this.flush('immediate');
    else if (size > 0 && this.open.items >= size) this.flush('size');
    else this.timer ??= setTimeout(() => this.flush('timeout'), timeout);
  }

  /** Sends the open batch (if any) and starts a new one. */
  private flush(trigger: Trigger): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.open;
    if (batch.parts.length === 0) return;
    this.open = emptyBatch();
    const { metrics } = this.settings;
    if (trigger === 'size') metrics.batchSizeTrigger.inc(this.idLabel);
    else if (trigger === 'timeout') metrics.batchTimeoutTrigger.inc(this.idLabel);
    metrics.batchSendSize.observe(this.idLabel, batch.items);
    const sent = this.send(batch);
    this.sending.add(sent);
    void sent.finally(() => this.sending.delete(sent));
  }

  private async send(batch: OpenBatch): Promise<void> {
    try {
      const merged = mergePayloads(batch.parts);
      this.settings.metrics.processorOutgoing.inc(this.labels, merged.itemCount);
      await this.next.consume(merged);
    } catch (err) {
      for (const owner of batch.owners) owner.fail(err);
      return;
    }
    for (const owner of batch.owners) owner.partSent();
  }

  /** Sends what is held now, then waits for every send until the deadline. Later consumes are sent at once. */
  async shutdown(deadline: number): Promise<void> {
    this.closed = true;
    this.flush('immediate');
    if (this.sending.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => { timer = setTimeout(resolve, Math.max(0, deadline - Date.now())); });
    await Promise.race([Promise.allSettled([...this.sending]), late]);
    clearTimeout(timer);
  }
}
