/** The forward connector: the exporter of one pipeline and the receiver of another, of the same signal. */
import type { Connector, Consumer } from '../../pipeline/component.js';
import type { Payload } from '../../pdata/payload.js';

/** Hands every payload on unchanged; its promise is the next pipeline's acknowledgement. */
export class ForwardConnector implements Connector {
  constructor(private readonly next: Consumer) {}
  async start(): Promise<void> {}
  async shutdown(): Promise<void> {}
  consume(payload: Payload): Promise<void> {
    return this.next.consume(payload);
  }
}
