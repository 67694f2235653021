/**
 * The events connector: the exporter of a traces or metrics pipeline and the receiver of a logs
 * pipeline. It carries the events (OTLP log records: `vigil.anomaly`, …) that the processors of its
 * pipeline emit into the logs pipeline, and lets the pipeline's own data go by: that data is the
 * business of the pipeline's exporters.
 */
import type { Connector, Consumer } from '../../pipeline/component.js';
import type { Payload } from '../../pdata/payload.js';

/** Passes logs payloads on (their promise is the logs pipeline's acknowledgement); ignores the rest. */
export class EventsConnector implements Connector {
  constructor(private readonly next: Consumer) {}
  async start(): Promise<void> {}
  async shutdown(): Promise<void> {}
  consume(payload: Payload): Promise<void> {
    return payload.signal === 'logs' ? this.next.consume(payload) : Promise.resolve();
  }
}
