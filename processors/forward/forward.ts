/** The forward connector: the exporter of one pipeline and the receiver of another, of the same signal. */
import type { Connector, Consumer } from '../../pipeline/component.js';
import type { Delivery } from '../../pipeline/delivery.js';
import type { Payload } from '../../pdata/payload.js';

/**
 * Hands every payload on unchanged; its promise is the next pipeline's acknowledgement. The
 * delivery goes along: a stage log's entry ignores it, a pipeline run in-line (pipeline/inline.ts)
 * runs on it.
 */
export class ForwardConnector implements Connector {
  constructor(private readonly next: Consumer) {}
  async start(): Promise<void> {}
  async shutdown(): Promise<void> {}
  consume(payload: Payload, delivery?: Delivery): Promise<void> {
    return this.next.consume(payload, delivery);
  }
}
