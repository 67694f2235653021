/**
 * The kafka receiver: one consumer group member reading every wired signal's topics, each record
 * decoded per its topic's encoding and handed to that signal's pipeline. A record's offset is
 * committed once the pipeline accepted it; a record that does not decode is skipped (counted,
 * logged once per burst, committed past) so it never blocks its partition.
 */
import type { Consumer, CreateSettings, Receiver } from '../../pipeline/component.js';
import { InvalidInputError, PermanentError, isPermanent, messageOf } from '../../pipeline/errors.js';
import { createKafka } from '../../pipeline/kafka/client.js';
import type { Encoding } from '../../pipeline/kafka/encoding.js';
import { GroupConsumer, type ConsumedRecord } from '../../pipeline/kafka/group-consumer.js';
import { decodeProtobuf, fromJson, type DecodeResult } from '../../pdata/index.js';
import type { Signal } from '../../pdata/payload.js';
import { sourceOf, type Config } from './config.js';

interface Route {
  signal: Signal;
  encoding: Encoding;
  next: Consumer;
}

/** The transport label of the receiver self-metrics. */
const TRANSPORT = 'kafka';

/** Maps each topic to the one signal (and encoding) it carries; a topic named for two signals is refused. */
export function routesOf(config: Config, next: ReadonlyMap<Signal, Consumer>): Map<string, Route> {
  const routes = new Map<string, Route>();
  for (const [signal, consumer] of next) {
    const { topics, encoding } = sourceOf(config, signal);
    for (const topic of topics) {
      const taken = routes.get(topic);
      if (taken) throw new PermanentError(`kafka receiver: topic ${JSON.stringify(topic)} is configured for both ${taken.signal} and ${signal}; a topic carries one signal`);
      routes.set(topic, { signal, encoding, next: consumer });
    }
  }
  return routes;
}

/** Decodes one record value; throws InvalidInputError when it is not a valid request. */
function decode(route: Route, value: Buffer): DecodeResult {
  return route.encoding === 'otlp_json' ? fromJson(route.signal, value) : decodeProtobuf(route.signal, value);
}

/** Reads the configured topics into the pipelines. */
export class KafkaReceiver implements Receiver {
  private readonly routes: Map<string, Route>;
  private consumer: GroupConsumer | undefined;

  constructor(private readonly settings: CreateSettings, private readonly config: Config, next: ReadonlyMap<Signal, Consumer>) {
    this.routes = routesOf(config, next);
  }

  async start(): Promise<void> {
    const c = this.config;
    // Only when set (to what vigil does not do): a notice about a key the user never wrote reads like a problem.
    const marking = c.message_marking;
    if (marking && (!marking.after || marking.on_error)) {
      this.settings.logger.info({ message_marking: c.message_marking },
        'message_marking is accepted for otelcol compatibility: vigil marks a record once the pipeline accepted it, retries it while the pipeline refuses it, and skips it only when it can never be delivered');
    }
    const consumer = new GroupConsumer({
      kafka: createKafka(c, this.settings.logger),
      groupId: c.group_id,
      topics: [...this.routes.keys()],
      handler: (r) => this.handle(r),
      logger: this.settings.logger,
      metrics: this.settings.metrics,
      name: this.settings.id.id,
      fromBeginning: c.initial_offset === 'earliest',
      sessionTimeoutMs: c.session_timeout,
      heartbeatIntervalMs: c.heartbeat_interval,
      maxInFlightPerPartition: c.max_records_in_flight,
      commitIntervalMs: c.autocommit.interval,
      retry: {
        initialMs: c.error_backoff.initial_interval, maxMs: c.error_backoff.max_interval,
        multiplier: c.error_backoff.multiplier, jitter: c.error_backoff.randomization_factor,
      },
    });
    try {
      await consumer.start();
    } catch (err) {
      await consumer.stop(Date.now()).catch(() => {});
      throw new Error(`kafka receiver cannot consume ${[...this.routes.keys()].join(', ')} from ${c.brokers.join(',')}: ${messageOf(err)}`, { cause: err });
    }
    this.consumer = consumer;
    this.settings.logger.info({ topics: [...this.routes.keys()], group_id: c.group_id }, 'consuming');
  }

  /** Not ready while the consumer group member has not joined, or crashed (brokers away) and not rejoined. */
  notReadyReasons(): string[] {
    return this.consumer?.notReadyReasons() ?? [];
  }

  async shutdown(deadline: number): Promise<void> {
    const c = this.consumer;
    this.consumer = undefined;
    await c?.stop(deadline);
  }

  /** One record into its pipeline; rejects with a PermanentError when it can never be delivered. */
  private async handle(record: ConsumedRecord): Promise<void> {
    const route = this.routes.get(record.topic)!;
    const labels = { receiver: this.settings.id.id, transport: TRANSPORT };
    let result: DecodeResult;
    try {
      result = decode(route, record.value);
    } catch (err) {
      if (err instanceof InvalidInputError) throw new PermanentError(`record is not an ${route.encoding} ${route.signal} request: ${err.message}`, { cause: err });
      throw err;
    }
    const m = this.settings.metrics;
    if (result.rejected > 0) m.receiverRefused[route.signal].inc(labels, result.rejected);
    const payload = result.payload;
    if (!payload || payload.itemCount === 0) return;
    try {
      await route.next.consume(payload);
    } catch (err) {
      // Retryable refusals are retried by the group consumer and counted there; a permanent one is final.
      if (isPermanent(err)) m.receiverRefused[route.signal].inc(labels, payload.itemCount);
      throw err;
    }
    m.receiverAccepted[route.signal].inc(labels, payload.itemCount);
  }
}
