import t from 'tap';
import { RetryableError } from '../../pipeline/errors.js';
import type { Delivery, Hold } from '../../pipeline/delivery.js';
import { NoopHost } from '../../test/doubles.js';
import { waitFor } from '../../test/wait.js';
import { capturedSettings } from '../exporterhelper/test-support.js';
import type { Alert } from './alert.js';
import { deliveryShape } from './config.js';
import { NotifyExporter, type Sink } from './notifier.js';
import { FAST_DELIVERY, sampleAlert } from './test-support.js';
import { z } from 'zod';

/** A sink that fails while `down` and records what it delivered. */
class FlakySink implements Sink {
  down = true;
  readonly delivered: Alert[] = [];
  async send(alert: Alert): Promise<void> {
    if (this.down) throw new RetryableError('sink down');
    this.delivered.push(alert);
  }
}

/** A delivery whose holds are counted. */
function delivery(): { delivery: Delivery; held: () => number } {
  let held = 0;
  const d = {
    log: 'logs.ingest', partition: 0, offset: 1, durable: false,
    hold: (): Hold => { held++; return { release: () => { held--; } }; },
  } as unknown as Delivery;
  return { delivery: d, held: () => held };
}

t.test('from a stage log: consume resolves at once and the record is held until delivered', async (t) => {
  const { settings } = capturedSettings('notify');
  const sink = new FlakySink();
  const exporter = new NotifyExporter(settings, z.strictObject(deliveryShape()).parse(FAST_DELIVERY), sink);
  await exporter.start(new NoopHost());
  t.teardown(() => exporter.shutdown(Date.now() + 1000));
  const { delivery: d, held } = delivery();
  await exporter.consume(sampleAlert().firing, d);
  t.equal(held(), 1, 'held while the sink is down');
  sink.down = false;
  await waitFor('the hold released', () => held() === 0, 10_000);
  t.equal(sink.delivered.length, 1);
});

t.test('a shutdown leaves the hold unreleased: the record is not acknowledged', async (t) => {
  const { settings } = capturedSettings('notify');
  const sink = new FlakySink();
  const exporter = new NotifyExporter(settings, z.strictObject(deliveryShape()).parse(FAST_DELIVERY), sink);
  await exporter.start(new NoopHost());
  const { delivery: d, held } = delivery();
  await exporter.consume(sampleAlert().firing, d);
  await exporter.shutdown(Date.now() + 1000);
  t.equal(held(), 1);
  t.equal(sink.delivered.length, 0);
});
