import type { ProducerBatch } from 'kafkajs';
import { pino } from 'pino';
import t from 'tap';
import { FreshProducer, type ProducerClient } from './fresh-producer.js';

/** A stand-in for producer clients: records what each was asked, fails on demand. */
class FakeProducers {
  readonly made: Array<{ sent: number; connected: boolean; disconnected: boolean; failNext: boolean; failConnect: boolean }> = [];
  failConnectOfNext = false;

  readonly make = (): ProducerClient => {
    const p = { sent: 0, connected: false, disconnected: false, failNext: false, failConnect: this.failConnectOfNext };
    this.made.push(p);
    return {
      connect: async () => {
        if (p.failConnect) throw new Error('connection refused');
        p.connected = true;
      },
      disconnect: async () => { p.disconnected = true; },
      sendBatch: async () => {
        if (p.failNext) {
          p.failNext = false;
          throw new Error('request timed out');
        }
        p.sent++;
        return [];
      },
    };
  };
}

const batch: ProducerBatch = { topicMessages: [{ topic: 't', messages: [{ value: 'x' }] }] };
const logger = pino({ level: 'silent' });

t.test('a failed request retires the producer; the next request goes to a new idempotent one', async (t) => {
  const f = new FakeProducers();
  const producer = new FreshProducer(f.make, logger);
  await producer.connect();
  await producer.sendBatch(batch);
  f.made[0]!.failNext = true;
  await t.rejects(producer.sendBatch(batch), /timed out/);
  t.equal(f.made.length, 2, 'a new producer (a new producer id, fresh sequence numbers)');
  t.ok(f.made[0]!.disconnected, 'the old one is disconnected');
  await producer.sendBatch(batch);
  t.equal(f.made[1]!.sent, 1, 'later requests use the new producer');
  t.equal(f.made[0]!.sent, 1);
});

t.test('failures of the same producer replace it once', async (t) => {
  const f = new FakeProducers();
  const producer = new FreshProducer(f.make, logger);
  await producer.connect();
  const old = f.made[0]!;
  old.failNext = true;
  const first = producer.sendBatch(batch);
  await t.rejects(first);
  // A second failure reported by the producer already replaced changes nothing.
  (producer as unknown as { replace(p: unknown): void }).replace({});
  t.equal(f.made.length, 2);
});

t.test('a new producer that cannot connect is answered retryably and replaced on the next request', async (t) => {
  const f = new FakeProducers();
  const producer = new FreshProducer(f.make, logger);
  await producer.connect();
  f.failConnectOfNext = true;
  f.made[0]!.failNext = true;
  await t.rejects(producer.sendBatch(batch));
  await t.rejects(producer.sendBatch(batch), { name: 'UnavailableError' }, 'not connected: told to retry');
  f.failConnectOfNext = false;
  await t.rejects(producer.sendBatch(batch), { name: 'UnavailableError' }, 'the third producer could not connect either');
  t.equal(f.made.length, 4);
  await producer.sendBatch(batch);
  t.equal(f.made[3]!.sent, 1, 'once a producer connects, requests flow again');
  await producer.disconnect();
  t.ok(f.made[3]!.disconnected);
});
