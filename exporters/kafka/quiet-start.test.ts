/**
 * Starting the kafka exporter logs nothing a user would read as a problem: kafkajs warns once per
 * process that its default partitioner changed in v2 unless a producer names its partitioner.
 * This file holds one test so that no other producer has spent kafkajs' one warning before it.
 */
import t from 'tap';
import { z } from 'zod';
import { kafkaClientFields } from '../../config/kafka-client.js';
import { createKafka } from '../../pipeline/kafka/client.js';
import { NoopHost } from '../../test/doubles.js';
import { unique } from '../../test/kafka.js';
import { kafkaAvailable, requireService } from '../../test/services.js';
import { capturedSettings } from '../exporterhelper/test-support.js';
import { factory } from './factory.js';

await factory.load?.(); // the implementation, as the service loads it before building

const PARTITIONER_WARNING = /switched default partitioner/;

t.test('start and shutdown log no partitioner warning (and the capture would have seen it)', async (t) => {
  if (!requireService(t, 'Kafka', await kafkaAvailable())) return;
  const { settings, lines } = capturedSettings('kafka/quiet', 'info');
  const exporter = factory.create(settings, factory.configSchema.parse({ brokers: ['localhost:9092'], traces: { topic: unique('vigil-quiet') } }));
  await exporter.start(new NoopHost());
  await exporter.shutdown(Date.now() + 5000);
  t.same(lines.filter((l) => PARTITIONER_WARNING.test(String(l.msg))), [], 'no partitioner warning');
  t.same(lines.filter((l) => l.level >= 40), [], 'no warning or error at all');

  // Control: a producer that names no partitioner, through the same logging, does warn.
  createKafka(z.strictObject(kafkaClientFields).parse({}), settings.logger).producer();
  t.ok(lines.some((l) => PARTITIONER_WARNING.test(String(l.msg))), 'kafkajs warns for a producer without a partitioner');
});
