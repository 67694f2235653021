/**
 * The Kafka stage log's producer names kafkajs' default partitioner, so kafkajs does not warn (once
 * per process, hence this file of its own) that its default changed in v2. Partitioning is the
 * same either way: the stage log gives every record its partition.
 */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import t from 'tap';
import { z } from 'zod';
import { kafkaClientFields } from '../../config/kafka-client.js';
import { createKafka, kafkajsProducer } from './client.js';
import { FreshProducer } from './fresh-producer.js';

const PARTITIONER_WARNING = /switched default partitioner/;

t.test('the stage log\'s kafkajs producer makes kafkajs log no partitioner warning (and the capture would have seen it)', async (t) => {
  const lines: Array<{ level: number; msg: string }> = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString('utf8').split('\n')) if (l) lines.push(JSON.parse(l) as { level: number; msg: string });
      cb();
    },
  });
  const logger = pino({ level: 'info' }, stream);
  const kafka = createKafka(z.strictObject(kafkaClientFields).parse({}), logger);
  const producer = new FreshProducer(() => kafkajsProducer(kafka), logger); // makes its kafkajs producer now; no broker needed
  await producer.disconnect();
  t.same(lines.filter((l) => PARTITIONER_WARNING.test(l.msg)), []);

  kafka.producer(); // control: no partitioner named
  t.ok(lines.some((l) => PARTITIONER_WARNING.test(l.msg)), 'kafkajs warns for a producer without a partitioner');
});
