import t from 'tap';
import { factory } from './factory.js';
import { FAST_DELIVERY, ScriptedServer, counterValue, sampleAlert, started, type Answer, type Received } from '../notify-common/test-support.js';

const TOKEN = 'xoxb-test-token';

/** Slack as documented: the Web API's chat.postMessage / chat.update, and an incoming webhook; messages kept per channel. */
class FakeSlackWorkspace {
  readonly messages = new Map<string, { channel: string; text: string; blocks: unknown[]; updates: number }>();
  private next = 1;

  answer = (r: Received): Answer => {
    if (r.url === '/services/T0/B0/secret') return this.webhook(r);
    if (r.headers.authorization !== `Bearer ${TOKEN}`) return ok({ ok: false, error: 'invalid_auth' });
    const body = JSON.parse(r.body) as { channel?: string; ts?: string; text?: string; blocks?: unknown[] };
    if (r.url === '/api/chat.postMessage') {
      if (body.channel !== 'C0ALERTS') return ok({ ok: false, error: 'channel_not_found' });
      const ts = `1764151200.${String(this.next++).padStart(6, '0')}`;
      this.messages.set(ts, { channel: body.channel, text: body.text ?? '', blocks: body.blocks ?? [], updates: 0 });
      return ok({ ok: true, channel: body.channel, ts, message: { text: body.text } });
    }
    if (r.url === '/api/chat.update') {
      const m = this.messages.get(body.ts ?? '');
      if (!m || m.channel !== body.channel) return ok({ ok: false, error: 'message_not_found' });
      Object.assign(m, { text: body.text ?? '', blocks: body.blocks ?? [], updates: m.updates + 1 });
      return ok({ ok: true, channel: body.channel, ts: body.ts, text: body.text });
    }
    return ok({ ok: false, error: 'unknown_method' });
  };

  private webhook(r: Received): Answer {
    const body = JSON.parse(r.body) as { text?: string; blocks?: unknown[] };
    if (!body.text && !body.blocks) return { status: 400, body: 'invalid_payload', headers: { 'content-type': 'text/plain' } };
    this.messages.set(`webhook-${this.next++}`, { channel: 'webhook', text: body.text ?? '', blocks: body.blocks ?? [], updates: 0 });
    return { status: 200, body: 'ok', headers: { 'content-type': 'text/plain' } };
  }
}

const ok = (body: unknown): Answer => ({ status: 200, body: JSON.stringify(body) });

t.test('chat.postMessage on firing, chat.update of the same message on resolve, once each through 429 and 5xx', async (t) => {
  const slack = new FakeSlackWorkspace();
  const server = new ScriptedServer(slack.answer);
  const url = await server.listen();
  t.teardown(() => server.close());
  const { exporter, settings } = await started(factory, 'slack', {
    token: TOKEN, channel: 'C0ALERTS', api_url: `${url}/api`, trace_url: 'https://jaeger.example/trace/{trace_id}', ...FAST_DELIVERY,
  });
  t.teardown(() => exporter.shutdown(Date.now() + 2000));
  const { firing, resolved } = sampleAlert();
  server.script.push({ status: 429, headers: { 'retry-after': '1' } }, { status: 503 });
  const began = Date.now();
  await exporter.consume(firing);
  t.ok(Date.now() - began >= 950, 'waited for Retry-After');
  await exporter.consume(firing);
  t.equal(slack.messages.size, 1, 'one message');
  const [ts, message] = [...slack.messages][0]!;
  t.equal(message.text, '[FIRING] HighLatency: p95 latency of checkout is 1.4s');
  t.match(JSON.stringify(message.blocks), /\[FIRING\] HighLatency/);
  t.match(JSON.stringify(message.blocks), /jaeger.example\/trace\/5b8efff798038103d269b633813fc60c/);

  server.script.push({ status: 500 });
  await exporter.consume(resolved);
  await exporter.consume(resolved);
  t.equal(slack.messages.size, 1, 'still one message');
  t.equal(slack.messages.get(ts)!.updates, 1, 'updated once');
  t.equal(slack.messages.get(ts)!.text, '[RESOLVED] HighLatency: p95 latency of checkout is 1.4s');
  t.same(server.accepted().map((r) => r.url), ['/api/chat.postMessage', '/api/chat.update']);
  t.equal(await counterValue(settings, 'vigil_notifications_total', { outcome: 'duplicate' }), 2);
});

t.test('incoming webhook: one message per firing and per resolve', async (t) => {
  const slack = new FakeSlackWorkspace();
  const server = new ScriptedServer(slack.answer);
  const url = await server.listen();
  t.teardown(() => server.close());
  const { exporter } = await started(factory, 'slack/hook', { webhook_url: `${url}/services/T0/B0/secret`, ...FAST_DELIVERY });
  t.teardown(() => exporter.shutdown(Date.now() + 2000));
  const { firing, resolved } = sampleAlert();
  server.script.push({ status: 429, headers: { 'retry-after': '1' } });
  for (const p of [firing, firing, resolved, resolved]) await exporter.consume(p);
  t.same([...slack.messages.values()].map((m) => m.text), ['[FIRING] HighLatency: p95 latency of checkout is 1.4s', '[RESOLVED] HighLatency: p95 latency of checkout is 1.4s']);
});

t.test('a Web API error is permanent unless Slack says it is transient', async (t) => {
  const slack = new FakeSlackWorkspace();
  const server = new ScriptedServer(slack.answer);
  const url = await server.listen();
  t.teardown(() => server.close());
  const { exporter, settings, lines } = await started(factory, 'slack/bad', { token: TOKEN, channel: 'C0NOPE', api_url: `${url}/api`, ...FAST_DELIVERY });
  t.teardown(() => exporter.shutdown(Date.now() + 2000));
  await exporter.consume(sampleAlert().firing);
  t.equal(server.received.length, 1, 'channel_not_found is not retried');
  t.equal(await counterValue(settings, 'vigil_notifications_dead_lettered_total', { reason: 'rejected' }), 1);
  t.match(lines.find((l) => l.msg === 'notification dead-lettered'), { err: /channel_not_found/ });
  server.script.push(ok({ ok: false, error: 'service_unavailable' }), ok({ ok: false, error: 'service_unavailable' }));
  const { exporter: good } = await started(factory, 'slack/good', { token: TOKEN, channel: 'C0ALERTS', api_url: `${url}/api`, ...FAST_DELIVERY });
  t.teardown(() => good.shutdown(Date.now() + 2000));
  await good.consume(sampleAlert().firing);
  t.equal(slack.messages.size, 1, 'service_unavailable retried until posted');
});

t.test('config', async (t) => {
  t.throws(() => factory.configSchema.parse({}), /either webhook_url/);
  t.throws(() => factory.configSchema.parse({ token: 'x' }), /needs a channel/);
  t.throws(() => factory.configSchema.parse({ token: 'x', channel: 'C', webhook_url: 'http://h' }), /either webhook_url/);
  t.match(factory.configSchema.parse({ webhook_url: 'https://hooks.example/x' }), { rate_limit: { per_second: 1, burst: 10 } });
});
