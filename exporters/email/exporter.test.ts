import type { AddressInfo } from 'node:net';
import t, { type Test } from 'tap';
import { SMTPServer } from 'smtp-server';
import { factory } from './factory.js';
import { FAST_DELIVERY, counterValue, sampleAlert, started } from '../notify-common/test-support.js';
import { buildGroup, readAlerts } from '../notify-common/index.js';

interface Delivered {
  from: string;
  to: string[];
  raw: string;
  /** The session had upgraded to TLS (STARTTLS) before the mail. */
  secure: boolean;
  user: string;
}

/** A real SMTP server in-process: STARTTLS (its built-in test certificate), AUTH PLAIN/LOGIN; `failNext` answers DATA with 451 that many times. */
async function smtp(t: Test): Promise<{ port: number; mails: Delivered[]; failNext: { count: number } }> {
  const mails: Delivered[] = [];
  const failNext = { count: 0 };
  const server = new SMTPServer({
    authOptional: false,
    disabledCommands: [],
    logger: false,
    onAuth(auth, _session, cb) {
      if (auth.username === 'vigil' && auth.password === 's3cret') cb(null, { user: auth.username });
      else cb(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if (failNext.count > 0) {
          failNext.count--;
          cb(Object.assign(new Error('Try again later'), { responseCode: 451 }));
          return;
        }
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'), secure: session.secure, user: String(session.user),
        });
        cb();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { port: (server.server.address() as AddressInfo).port, mails, failNext };
}

/** The raw message with quoted-printable soft breaks and escapes undone (nodemailer encodes the long HTML line so). */
function quotedPrintable(raw: string): string {
  return raw.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
}

/** A header of a raw message, unfolded. */
function header(raw: string, name: string): string | undefined {
  const head = raw.slice(0, raw.indexOf('\r\n\r\n')).replace(/\r\n[ \t]+/g, ' ');
  return head.split('\r\n').find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`))?.slice(name.length + 1).trim();
}

t.test('one mail per firing and per resolve over STARTTLS with auth, HTML and text, none duplicated after a 451', async (t) => {
  const { port, mails, failNext } = await smtp(t);
  const { exporter, settings } = await started(factory, 'email', {
    endpoint: `127.0.0.1:${port}`, username: 'vigil', password: 's3cret', tls: { insecure_skip_verify: true },
    from: 'vigil@example.com', to: ['oncall@example.com', 'sre@example.com'], ...FAST_DELIVERY,
  });
  t.teardown(() => exporter.shutdown(Date.now() + 2000));
  const { firing, resolved } = sampleAlert();
  failNext.count = 1;
  await exporter.consume(firing);
  await exporter.consume(firing);
  t.equal(mails.length, 1, 'one mail for the firing');
  const m = mails[0]!;
  t.ok(m.secure, 'sent after STARTTLS');
  t.equal(m.user, 'vigil', 'authenticated');
  t.equal(m.from, 'vigil@example.com');
  t.same(m.to, ['oncall@example.com', 'sre@example.com']);
  t.equal(header(m.raw, 'Subject'), '[FIRING] HighLatency (checkout): p95 latency of checkout is 1.4s');
  t.match(header(m.raw, 'Content-Type'), /^multipart\/alternative/);
  t.match(quotedPrintable(m.raw), /Content-Type: text\/plain[\s\S]*\[FIRING\] p95 latency of checkout is 1\.4s[\s\S]*Content-Type: text\/html[\s\S]*<h2>\[FIRING\] p95 latency of checkout is 1\.4s<\/h2>/);
  t.match(m.raw, /Evidence trace: 5b8efff798038103d269b633813fc60c/);
  const firingId = header(m.raw, 'Message-ID');
  t.match(firingId, /^<[0-9a-f]{32}\.firing@vigil>$/);

  await exporter.consume(resolved);
  await exporter.consume(resolved);
  t.equal(mails.length, 2, 'one mail for the resolve');
  t.equal(header(mails[1]!.raw, 'Subject'), '[RESOLVED] HighLatency (checkout): p95 latency of checkout is 1.4s');
  t.equal(header(mails[1]!.raw, 'In-Reply-To'), firingId, 'threaded under the firing mail');
  t.equal(await counterValue(settings, 'vigil_notifications_total', { outcome: 'sent' }), 2);
});

t.test('a grouped notification is one mail listing its alerts; the group\'s mails share one thread', async (t) => {
  const { port, mails } = await smtp(t);
  const { exporter } = await started(factory, 'email', {
    endpoint: `127.0.0.1:${port}`, username: 'vigil', password: 's3cret', tls: { insecure_skip_verify: true },
    from: 'vigil@example.com', to: ['oncall@example.com'], ...FAST_DELIVERY,
  });
  t.teardown(() => exporter.shutdown(Date.now() + 2000));
  const a = readAlerts(sampleAlert().firing).alerts[0]!;
  const b = readAlerts(sampleAlert({ alertname: 'HighErrors', annotations: { summary: 'errors of checkout at 7%' } }).firing).alerts[0]!;
  const bResolved = readAlerts(sampleAlert({ alertname: 'HighErrors' }).resolved).alerts[0]!;
  const group = { groupKey: '{}:{service_name="checkout"}', groupLabels: { service_name: 'checkout' }, startedAtMs: a.startsAtMs, receivers: ['email'] };
  const first = buildGroup({ ...group, status: 'firing', notificationId: 'n1', alerts: [a, b] }, a.startsAtMs)!;
  await exporter.consume(first);
  await exporter.consume(first);
  await exporter.consume(buildGroup({ ...group, status: 'firing', notificationId: 'n2', alerts: [a, bResolved] }, a.startsAtMs)!);
  t.equal(mails.length, 2, 'one mail per notification, none twice');
  t.equal(header(mails[0]!.raw, 'Subject'), '[FIRING:2] service_name=checkout');
  t.match(quotedPrintable(mails[0]!.raw), /\[FIRING\] HighLatency \(critical\): p95 latency of checkout is 1\.4s[\s\S]*\[FIRING\] HighErrors \(critical\): errors of checkout at 7%/);
  t.equal(header(mails[1]!.raw, 'Subject'), '[FIRING:1] service_name=checkout');
  t.match(mails[1]!.raw, /\[RESOLVED\] HighErrors/);
  t.equal(header(mails[0]!.raw, 'In-Reply-To'), header(mails[1]!.raw, 'In-Reply-To'), 'one thread');
  t.not(header(mails[0]!.raw, 'Message-ID'), header(mails[1]!.raw, 'Message-ID'));
});

t.test('bad credentials are dead-lettered at once', async (t) => {
  const { port, mails } = await smtp(t);
  const { exporter, settings } = await started(factory, 'email/badauth', {
    endpoint: `127.0.0.1:${port}`, username: 'vigil', password: 'wrong', tls: { insecure_skip_verify: true },
    from: 'vigil@example.com', to: ['oncall@example.com'], ...FAST_DELIVERY,
  });
  t.teardown(() => exporter.shutdown(Date.now() + 2000));
  await exporter.consume(sampleAlert().firing);
  t.equal(mails.length, 0);
  t.equal(await counterValue(settings, 'vigil_notifications_dead_lettered_total', { reason: 'rejected' }), 1);
});

t.test('config', async (t) => {
  t.throws(() => factory.configSchema.parse({ endpoint: 'smtp:587', from: 'a@b', to: [] }), /at least one recipient/);
  t.throws(() => factory.configSchema.parse({ endpoint: 'smtp:587', from: 'a@b', to: ['c@d'], username: 'u' }), /together/);
  t.match(factory.configSchema.parse({ endpoint: 'smtp:587', from: 'a@b', to: ['c@d'] }), { starttls: 'required', implicit_tls: false });
});
