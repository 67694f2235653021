/**
 * The two producer clients vigil has, side by side on the same broker: kafkajs' producer and the
 * stage log's (`pipeline/kafka/record-producer.ts`, on @platformatic/kafka), both through
 * FreshProducer as the stage log uses them (idempotent, acks=all, one request in flight). Each sends
 * the same requests — 8 partitions × 8 records of 16 KiB, 1 MiB a request, about what the chain's
 * produce batcher sends — and reports its process CPU per MiB produced. The clients alternate, each
 * run on a fresh topic, so both see the same broker.
 *
 *   npm run services:up && node dist/bench/kafka-producers.js [--brokers localhost:9092] [--requests 300] [--repeat 3]
 */
import { parseArgs } from 'node:util';
import { CompressionTypes, Kafka, logLevel, type Message } from 'kafkajs';
import { pino } from 'pino';
import { kafkajsProducer } from '../pipeline/kafka/client.js';
import { FreshProducer } from '../pipeline/kafka/fresh-producer.js';
import { RecordProducer } from '../pipeline/kafka/record-producer.js';

const { values } = parseArgs({ options: { brokers: { type: 'string', default: 'localhost:9092' }, requests: { type: 'string', default: '300' }, repeat: { type: 'string', default: '3' } } });
const brokers = values.brokers.split(',');
const requests = Number(values.requests);
const PARTITIONS = 8;
const value = Buffer.alloc(16 * 1024, 7);
const messages: Message[] = Array.from({ length: 64 }, (_, i) => ({ partition: i % PARTITIONS, value }));
const MIB_PER_REQUEST = messages.length * value.length / (1024 * 1024);
const logger = pino({ level: 'silent' });
const kafka = new Kafka({ brokers, clientId: 'vigil-bench', logLevel: logLevel.NOTHING });

type Client = 'kafkajs' | '@platformatic/kafka';

async function run(client: Client, topic: string): Promise<{ mibPerSec: number; cpuMsPerMib: number }> {
  const make = client === 'kafkajs'
    ? () => kafkajsProducer(kafka)
    : () => new RecordProducer({ brokers, clientId: 'vigil-bench', connectTimeoutMs: 3000, requestTimeoutMs: 30_000 });
  const producer = new FreshProducer(make, logger);
  await producer.connect();
  const send = () => producer.sendBatch({ acks: -1, compression: CompressionTypes.None, topicMessages: [{ topic, messages }] });
  try {
    for (let i = 0; i < 20; i++) await send(); // warm-up: connections, metadata, JIT
    const cpu = process.cpuUsage();
    const started = performance.now();
    for (let i = 0; i < requests; i++) await send();
    const used = process.cpuUsage(cpu);
    const mib = requests * MIB_PER_REQUEST;
    return { mibPerSec: mib / ((performance.now() - started) / 1000), cpuMsPerMib: (used.user + used.system) / 1000 / mib };
  } finally {
    await producer.disconnect();
  }
}

const admin = kafka.admin();
await admin.connect();
try {
  for (let rep = 1; rep <= Number(values.repeat); rep++) {
    const order: Client[] = rep % 2 === 1 ? ['kafkajs', '@platformatic/kafka'] : ['@platformatic/kafka', 'kafkajs'];
    for (const client of order) {
      const topic = `vigil-bench-producers-${process.pid}-${rep}-${client === 'kafkajs' ? 'kafkajs' : 'platformatic'}`;
      await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS }], waitForLeaders: true });
      try {
        const r = await run(client, topic);
        process.stdout.write(`#${rep} ${client.padEnd(20)} ${r.mibPerSec.toFixed(0).padStart(5)} MiB/s  ${r.cpuMsPerMib.toFixed(2).padStart(6)} ms CPU per MiB\n`);
      } finally {
        await admin.deleteTopics({ topics: [topic] }).catch(() => {});
      }
    }
  }
} finally {
  await admin.disconnect();
}
