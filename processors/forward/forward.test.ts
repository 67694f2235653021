/** forward connector: same-signal pass-through, acknowledgement and errors carried back. */
import t from 'tap';
import { RecordingConsumer, testSettings } from '../../test/doubles.js';
import { logsPayload, randomSpans } from '../processorhelper/test-support.js';
import { configSchema } from './config.js';
import { factory } from './factory.js';

await factory.load?.(); // the implementation, as the service loads it before building

t.test('passes payloads on unchanged, per signal', async (t) => {
  const next = new RecordingConsumer();
  const c = factory.create(testSettings('forward'), factory.createDefaultConfig(), 'traces', 'traces', next);
  const payload = randomSpans(3);
  await c.consume(payload);
  t.equal(next.received[0], payload, 'the very same payload');
  const logs = new RecordingConsumer();
  await factory.create(testSettings('forward'), {}, 'logs', 'logs', logs).consume(logsPayload(['0102030405060708090a0b0c0d0e0f10']));
  t.equal(logs.items, 1);
});

t.test('a failure downstream reaches the sender', async (t) => {
  const next = new RecordingConsumer();
  next.fail = new Error('down');
  const c = factory.create(testSettings('forward'), {}, 'metrics', 'metrics', next);
  await t.rejects(c.consume(randomSpans(1)), next.fail);
});

t.test('connects each signal only to itself; takes no settings', async (t) => {
  t.same(factory.connects, { traces: ['traces'], metrics: ['metrics'], logs: ['logs'] });
  t.throws(() => factory.create(testSettings('forward'), {}, 'traces', 'metrics', new RecordingConsumer()));
  t.notOk(configSchema.safeParse({ foo: 1 }).success, 'unknown keys rejected');
});
