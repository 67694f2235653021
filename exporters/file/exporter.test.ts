import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { decodeProtobuf, fromJson, toJson } from '../../pdata/index.js';
import type { Payload } from '../../pdata/payload.js';
import { tempDir } from '../../test/daemon.js';
import { NoopHost, testSettings } from '../../test/doubles.js';
import { benchPayload, metricValue, samplePayload } from '../exporterhelper/test-support.js';
import { jsZstdDecompress } from '../../pipeline/kafka/zstd-codec.js';
import { configSchema } from './config.js';
import { factory } from './factory.js';

await factory.load?.(); // the implementation, as the service loads it before building

const make = (config: Record<string, unknown>, id = 'file') => {
  const settings = testSettings(id);
  return { settings, exporter: factory.create(settings, configSchema.parse(config)) };
};
const soon = () => Date.now() + 5000;
const lines = (path: string) => readFileSync(path, 'utf8').split('\n').filter(Boolean);

t.test('one line of OTLP/JSON per request, all signals in one shared file', async (t) => {
  const path = join(tempDir(), 'out.jsonl');
  const { settings, exporter } = make({ path });
  await exporter.start(new NoopHost());
  const payloads = [await samplePayload('traces', 3), await samplePayload('metrics'), await samplePayload('logs', 2)];
  for (const p of payloads) await exporter.consume(p);
  await exporter.shutdown(soon());
  const got = lines(path);
  t.equal(got.length, 3);
  got.forEach((line, i) => {
    const back = fromJson(payloads[i]!.signal, line);
    t.ok(back.payload, `line ${i} parses as an OTLP/JSON ${payloads[i]!.signal} request`);
    t.equal(back.payload!.itemCount, payloads[i]!.itemCount);
    t.equal(line, toJson(payloads[i]!));
  });
  t.ok(JSON.parse(got[0]!).resourceSpans, 'the traces line is an ExportTraceServiceRequest');
  t.equal(await metricValue(settings, 'otelcol_exporter_sent_spans_total'), 3);
  t.equal(await metricValue(settings, 'otelcol_exporter_sent_log_records_total'), 2);
});

t.test('truncates at start unless append is set', async (t) => {
  const dir = tempDir();
  const path = join(dir, 'out.jsonl');
  writeFileSync(path, 'old line\n');
  const p = await samplePayload('logs', 1);
  const a = make({ path, append: true }).exporter;
  await a.start(new NoopHost());
  await a.consume(p);
  await a.shutdown(soon());
  t.equal(lines(path).length, 2);
  t.equal(lines(path)[0], 'old line', 'append kept what was there');
  const b = make({ path }).exporter;
  await b.start(new NoopHost());
  await b.consume(p);
  await b.shutdown(soon());
  t.same(lines(path), [toJson(p)], 'default truncates');
});

t.test('a request is in the file when consume resolves, so a crash after the acknowledgement loses nothing', async (t) => {
  const path = join(tempDir(), 'out.jsonl');
  const { exporter } = make({ path, flush_interval: '1h' });
  await exporter.start(new NoopHost());
  await exporter.consume(await samplePayload('traces', 1));
  t.equal(lines(path).length, 1, 'written before consume resolved, with no flush timer or shutdown');
  // Requests arriving together share writes and each one's consume waits only for its own.
  const many = await Promise.all(Array.from({ length: 200 }, () => samplePayload('logs', 1)));
  await Promise.all(many.map((p) => exporter.consume(p)));
  t.equal(lines(path).length, 201, 'every concurrent request written once its consume resolved');
  await exporter.shutdown(soon());
  await t.rejects(exporter.consume(await samplePayload('traces', 1)), { name: 'UnavailableError' }, 'refuses after shutdown');
});

t.test('a write that fails is refused retryably, not reported as sent', async (t) => {
  const dir = tempDir();
  const { settings, exporter } = make({ path: join(dir, 'out.jsonl') });
  await exporter.start(new NoopHost());
  // Closing the file underneath makes the next write fail like a lost disk would.
  await (exporter as unknown as { file: { fh: { close(): Promise<void> } } }).file.fh.close();
  await t.rejects(exporter.consume(await samplePayload('traces', 2)), { name: 'UnavailableError' });
  t.equal(await metricValue(settings, 'otelcol_exporter_send_failed_spans_total'), 2);
  t.equal(await metricValue(settings, 'otelcol_exporter_sent_spans_total'), 0);
  await exporter.shutdown(soon());
});

t.test('rotation: backups named <name>-<timestamp><ext>, at most max_backups kept, no line split', async (t) => {
  const dir = tempDir();
  const path = join(dir, 'spans.jsonl');
  const p = benchPayload(256); // ~0.3 MB of JSON per line
  const lineBytes = Buffer.byteLength(toJson(p)) + 1;
  const { exporter } = make({ path, rotation: { max_megabytes: 1, max_backups: 2 } });
  await exporter.start(new NoopHost());
  const perFile = Math.floor((1024 * 1024) / lineBytes);
  const total = perFile * 4 + 1;
  for (let i = 0; i < total; i++) await exporter.consume(p);
  await exporter.shutdown(soon());
  const names = readdirSync(dir).sort();
  const backups = names.filter((n) => n !== 'spans.jsonl');
  t.equal(backups.length, 2, `max_backups kept (${names.join(', ')})`);
  for (const b of backups) {
    t.match(b, /^spans-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}\.\d{3}\.jsonl$/);
    const content = readFileSync(join(dir, b));
    t.ok(content.length <= 1024 * 1024, 'backup within max_megabytes');
    t.equal(lines(join(dir, b)).length, perFile, 'whole lines only');
  }
  t.equal(lines(path).length, 1, 'the current file has the last line');
  t.ok(existsSync(path));
});

t.test('proto format: 4-byte big-endian length then the request bytes', async (t) => {
  const path = join(tempDir(), 'out.binpb');
  const { exporter } = make({ path, format: 'proto' });
  await exporter.start(new NoopHost());
  const payloads: Payload[] = [await samplePayload('traces', 2), await samplePayload('logs', 1)];
  for (const p of payloads) await exporter.consume(p);
  await exporter.shutdown(soon());
  const buf = readFileSync(path);
  let pos = 0;
  for (const p of payloads) {
    const len = buf.readUInt32BE(pos);
    const body = buf.subarray(pos + 4, pos + 4 + len);
    t.same(Buffer.from(body), Buffer.from(p.bytes), 'bytes unchanged');
    t.equal(decodeProtobuf(p.signal, body).payload?.itemCount, p.itemCount);
    pos += 4 + len;
  }
  t.equal(pos, buf.length);
});

t.test('throughput: toJson + buffered write of 512-span requests', async (t) => {
  const path = join(tempDir(), 'bench.jsonl');
  const { exporter } = make({ path });
  await exporter.start(new NoopHost());
  const p = benchPayload(512);
  const requests = 200;
  const start = process.hrtime.bigint();
  for (let i = 0; i < requests; i++) await exporter.consume(p);
  await exporter.shutdown(Date.now() + 30_000);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const rate = Math.round((requests * 512) / seconds);
  t.comment(`file exporter: ${rate} spans/s (${requests} × 512-span requests in ${seconds.toFixed(2)}s, flushed and fsynced)`);
  t.equal(lines(path).length, requests);
  // The target is 50 000/s; the test only guards against a collapse on a busy CI machine.
  t.ok(rate > 20_000, `at least 20 000 spans/s (got ${rate})`);
});

t.test('zstd: each request compressed behind a length prefix (on every Node)', async (t) => {
  const path = join(tempDir(), 'out.jsonl.zst');
  const { exporter } = make({ path, compression: 'zstd' });
  await exporter.start(new NoopHost());
  const p = await samplePayload('traces', 3);
  await exporter.consume(p);
  await exporter.consume(p);
  await exporter.shutdown(soon());
  const buf = readFileSync(path);
  const unzstd = jsZstdDecompress; // fzstd: an independent reader of the frames
  let pos = 0;
  for (let i = 0; i < 2; i++) {
    const len = buf.readUInt32BE(pos);
    t.equal(unzstd(buf.subarray(pos + 4, pos + 4 + len)).toString('utf8'), toJson(p));
    pos += 4 + len;
  }
  t.equal(pos, buf.length);
});
