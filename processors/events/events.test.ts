/** events connector: logs payloads go on, the pipeline's own data does not. */
import t from 'tap';
import { RecordingConsumer, testSettings } from '../../test/doubles.js';
import { logsPayload, randomSpans } from '../processorhelper/test-support.js';
import { configSchema } from './config.js';
import { factory } from './factory.js';

await factory.load?.(); // the implementation, as the service loads it before building

t.test('passes the events on and lets the pipeline\'s own data go by', async (t) => {
  const next = new RecordingConsumer();
  const c = factory.create(testSettings('events'), {}, 'traces', 'logs', next);
  await c.consume(randomSpans(3));
  const events = logsPayload(['0102030405060708090a0b0c0d0e0f10']);
  await c.consume(events);
  t.same(next.received, [events]);
});

t.test('a failure of the logs pipeline reaches the processor', async (t) => {
  const next = new RecordingConsumer();
  next.fail = new Error('down');
  const c = factory.create(testSettings('events'), {}, 'metrics', 'logs', next);
  await t.rejects(c.consume(logsPayload(['0102030405060708090a0b0c0d0e0f10'])), next.fail);
});

t.test('connects traces and metrics to logs only; takes no settings', async (t) => {
  t.same(factory.connects, { traces: ['logs'], metrics: ['logs'] });
  t.throws(() => factory.create(testSettings('events'), {}, 'metrics', 'metrics', new RecordingConsumer()));
  t.notOk(configSchema.safeParse({ foo: 1 }).success, 'unknown keys rejected');
});
