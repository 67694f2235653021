/**
 * The stage log's producer client without a broker: the settings it is made from (the same keys
 * as kafkajs'), and that a record without a partition is refused instead of being put somewhere.
 * Producing for real is the stage log's broker tests' (kafka-queue.test.ts, broker-restart).
 */
import t from 'tap';
import { z } from 'zod';
import { kafkaClientFields } from '../../config/kafka-client.js';
import { recordProducerSettings } from './client.js';
import { RecordProducer } from './record-producer.js';

const parse = (raw: unknown) => z.strictObject(kafkaClientFields).parse(raw);

t.test('brokers, client id and SASL come from the same config as kafkajs\'; mechanisms in Kafka\'s upper case', async (t) => {
  const s = recordProducerSettings(parse({ brokers: ['k1:9092', 'k2:9093'], client_id: 'edge', auth: { sasl: { mechanism: 'SCRAM-SHA-512', username: 'vigil', password: 'pw' } } }));
  t.same(s.brokers, ['k1:9092', 'k2:9093']);
  t.equal(s.clientId, 'edge');
  t.same(s.sasl, { mechanism: 'SCRAM-SHA-512', username: 'vigil', password: 'pw' });
  t.equal(s.tls, undefined, 'plaintext when tls is absent');
  t.same(recordProducerSettings(parse({ auth: { plain_text: { username: 'u', password: 'p' } } })).sasl, { mechanism: 'PLAIN', username: 'u', password: 'p' }, 'plain_text is SASL PLAIN');
  t.same(recordProducerSettings(parse({ tls: { insecure: false } })).tls, { rejectUnauthorized: true }, 'tls: {} verifies the broker');
});

t.test('a record without a partition is refused before anything is sent', async (t) => {
  const producer = new RecordProducer({ brokers: ['127.0.0.1:9'], clientId: 't', connectTimeoutMs: 100, requestTimeoutMs: 100 });
  await t.rejects(producer.sendBatch({ topicMessages: [{ topic: 'x', messages: [{ value: Buffer.from('v') }] }] }), /has no partition/);
  await producer.disconnect();
});
