/** Helpers for the notification exporters' tests: a local HTTP server that records requests and answers from a script. */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { NoopHost } from '../../test/doubles.js';
import { capturedSettings } from '../exporterhelper/test-support.js';
import type { Exporter } from '../../pipeline/component.js';
import { buildAlerts, type AlertInput } from './alert-builder.js';
import type { Payload } from '../../pdata/payload.js';

/** A request the server received. */
export interface Received {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  /** The status it was answered with. */
  status: number;
}

/** One scripted answer. */
export interface Answer {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body?: string;
}

/** What to answer a request that the script does not cover. */
export type Responder = (r: Received) => Answer;

/** A server on 127.0.0.1:0; `script` answers the next requests in order, then `fallback`. */
export class ScriptedServer {
  readonly received: Received[] = [];
  readonly script: Answer[] = [];
  private server: Server | undefined;

  constructor(private readonly fallback: Responder) {}

  /** Starts listening; resolves to the base URL. */
  async listen(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const r: Received = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), status: 0 };
        const a = this.script.shift() ?? this.fallback(r);
        r.status = a.status;
        this.received.push(r);
        res.writeHead(a.status, { 'content-type': 'application/json', ...a.headers });
        res.end(a.body ?? '');
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Requests answered with a 2xx status. */
  accepted(): Received[] {
    return this.received.filter((r) => r.status >= 200 && r.status < 300);
  }

  /** Stops listening. */
  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/** Delivery settings fast enough for tests. */
export const FAST_DELIVERY = {
  retry_on_failure: { initial_interval: '50ms', max_interval: '200ms', randomization_factor: 0 },
  rate_limit: { per_second: 1000, burst: 1000 },
};

/** A firing alert and its resolve, for tests. */
export function sampleAlert(overrides: Partial<AlertInput> = {}): { firing: Payload; resolved: Payload; input: AlertInput } {
  const input: AlertInput = {
    alertname: 'HighLatency', state: 'firing', severity: 'critical',
    labels: { service_name: 'checkout', team: 'payments' },
    annotations: { summary: 'p95 latency of checkout is 1.4s', description: 'p95 above 1s for 5m' },
    startsAt: Date.parse('2026-11-26T10:00:00Z'), value: 1432.5,
    traceIds: ['5b8efff798038103d269b633813fc60c'], generatorUrl: 'http://vigil.example/rules/HighLatency',
    ...overrides,
  };
  return {
    input,
    firing: buildAlerts([input])!,
    resolved: buildAlerts([{ ...input, state: 'resolved', endsAt: input.startsAt.valueOf() + 600_000 }])!,
  };
}

/** An exporter started on a NoopHost, with its captured log and settings. */
export async function started<C>(
  factory: { configSchema: { parse(v: unknown): C }; load?: () => Promise<void>; create(s: ReturnType<typeof capturedSettings>['settings'], c: C): Exporter },
  id: string, config: unknown, host = new NoopHost(),
): Promise<{ exporter: Exporter; settings: ReturnType<typeof capturedSettings>['settings']; lines: ReturnType<typeof capturedSettings>['lines']; host: NoopHost }> {
  const { settings, lines } = capturedSettings(id);
  await factory.load?.();
  const exporter = factory.create(settings, factory.configSchema.parse(config));
  await exporter.start(host);
  return { exporter, settings, lines, host };
}

/** The value of a notification counter for one label set. */
export async function counterValue(settings: ReturnType<typeof capturedSettings>['settings'], name: string, labels: Record<string, string>): Promise<number> {
  const json = await settings.metrics.registry.getSingleMetric(name)?.get();
  return json?.values.filter((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x)).reduce((s, v) => s + v.value, 0) ?? 0;
}
