/**
 * The `rule-eval` scenario's workload: a fleet of services exporting OTLP metrics (span-metrics
 * histograms and call counters, HTTP and database counters, process and queue gauges), 2,000
 * Prometheus series per service, and 100 rules over them in the shapes rule files use (rate and
 * increase over counters, histogram_quantile over the span-metrics histogram, sum/avg/max/topk/
 * quantile by, ratios, comparisons, `and on`, recording rules read by alerts).
 */
import { MetricsBuilder, type Payload } from '../pdata/index.js';

/** Series per service (span metrics 800, per-instance metrics 10 × 120). */
export const SERIES_PER_SERVICE = 2000;
/** OTLP data points per service and scrape (histogram points count once). */
export const POINTS_PER_SERVICE = 1280;

const INSTANCES = 10;
const OPERATIONS = 20;
const ROUTES = 10;
const STATUSES = ['200', '201', '404', '503'];
const QUEUES = 10;
const DB_OPERATIONS = ['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'UPSERT', 'COUNT'];
const TABLES = 10;
const LAG_PARTITIONS = 8;
/** span_metrics' default buckets (ms): 17 buckets + _count + _sum = 19 series per histogram point. */
const BOUNDS = [2, 4, 6, 8, 10, 50, 100, 200, 400, 800, 1000, 1400, 2000, 5000, 10_000, 15_000];
const SPAN_CODES = ['STATUS_CODE_UNSET', 'STATUS_CODE_ERROR'];

/** The name of service `s` (its `job`). */
export const serviceName = (s: number): string => `svc-${s}`;

const ns = (ms: number): bigint => BigInt(ms) * 1_000_000n;

/** A few services misbehave, so a realistic handful of alerts is pending or firing. */
const unhealthy = (s: number): boolean => s % 17 === 7;

/** One service's span metrics at scrape `k` (cumulative since the run began). */
function spanMetrics(b: MetricsBuilder, s: number, k: number, t: bigint, start: bigint): void {
  const scope = b.scope({ 'service.name': serviceName(s) }, { name: 'spanmetricsconnector' });
  for (let op = 0; op < OPERATIONS; op++) {
    for (const [ci, code] of SPAN_CODES.entries()) {
      const attributes = { 'span.name': `op-${op}`, 'span.kind': op < OPERATIONS / 2 ? 'SPAN_KIND_SERVER' : 'SPAN_KIND_CLIENT', 'status.code': code };
      const perScrape = ci === 0 ? 40 + op : (unhealthy(s) ? 20 : 1);
      const calls = perScrape * k;
      // Most calls fast, a tail in the slow buckets; slower for the unhealthy services.
      const slow = unhealthy(s) && op === 3 ? 0.5 : 0.02;
      const counts = BOUNDS.map(() => 0).concat([0]);
      counts[4] = Math.round(calls * (1 - slow) * 0.6);
      counts[6] = Math.round(calls * (1 - slow) * 0.4);
      counts[10] = Math.round(calls * slow);
      const count = counts.reduce((a, c) => a + c, 0);
      scope.histogram({ name: 'traces.span.metrics.duration', unit: 'ms', temporality: 'cumulative' },
        { attributes, startTimeUnixNano: start, timeUnixNano: t, count, sum: count * 37.5, bucketCounts: counts, explicitBounds: BOUNDS });
      scope.sum({ name: 'traces.span.metrics.calls', temporality: 'cumulative', monotonic: true }, { attributes, startTimeUnixNano: start, timeUnixNano: t, value: calls });
    }
  }
}

/** One instance's own metrics at scrape `k`. */
function instanceMetrics(b: MetricsBuilder, s: number, i: number, k: number, t: bigint, start: bigint): void {
  const scope = b.scope({ 'service.name': serviceName(s), 'service.instance.id': `${serviceName(s)}-${i}` }, { name: 'app' });
  const counter = (name: string, attributes: Record<string, string>, value: number): void => void
    scope.sum({ name, temporality: 'cumulative', monotonic: true }, { attributes, startTimeUnixNano: start, timeUnixNano: t, value });
  for (let r = 0; r < ROUTES; r++) {
    for (const [si, status] of STATUSES.entries()) {
      const perScrape = si === 3 ? (unhealthy(s) ? 60 : 1) : 150 - si * 60 + r;
      counter('http.server.requests', { 'http.route': `/api/r${r}`, 'http.response.status_code': status }, perScrape * k);
    }
  }
  scope.gauge({ name: 'process.cpu.utilization', unit: '1' }, { timeUnixNano: t, value: unhealthy(s) ? 0.93 : 0.2 + ((i * 7 + k) % 10) / 50 });
  scope.gauge({ name: 'process.memory.usage', unit: 'By' }, { timeUnixNano: t, value: (300 + i * 20 + (unhealthy(s) ? 900 : 0)) * 1048576 });
  for (let q = 0; q < QUEUES; q++) {
    scope.gauge({ name: 'queue.depth', unit: '{item}' }, { attributes: { queue: `q${q}` }, timeUnixNano: t, value: unhealthy(s) && q === 0 ? 100 * k : (q * 13 + k) % 50 });
  }
  for (const [oi, op] of DB_OPERATIONS.entries()) {
    for (let tb = 0; tb < TABLES; tb++) counter('db.client.operations', { 'db.operation': op, 'db.table': `t${tb}` }, (10 + oi * 5 + tb) * k);
  }
  for (let p = 0; p < LAG_PARTITIONS; p++) {
    scope.gauge({ name: 'kafka.consumer.lag', unit: '{message}' }, { attributes: { partition: String(p) }, timeUnixNano: t, value: unhealthy(s) ? 5000 + 100 * k : p * 3 });
  }
}

/** The OTLP request of service `s` at scrape `k` (time `tMs`): 1,280 data points, as one SDK export. */
export function scrapeRequest(s: number, k: number, tMs: number, startMs: number): Payload {
  const b = new MetricsBuilder();
  const t = ns(tMs);
  const start = ns(startMs);
  spanMetrics(b, s, k, t, start);
  for (let i = 0; i < INSTANCES; i++) instanceMetrics(b, s, i, k, t, start);
  return b.build()!;
}

/** One rule in the rule-file format. */
export interface RuleInput {
  readonly record?: string;
  readonly alert?: string;
  readonly expr: string;
  readonly for?: string;
  readonly labels?: Record<string, string>;
}

const WINDOWS = ['1m', '2m', '3m', '5m', '5m'];
const QUANTILES = ['0.5', '0.9', '0.95', '0.99', '0.999'];
const SPAN = 'traces_span_metrics_duration_milliseconds_bucket';
const CALLS = 'traces_span_metrics_calls_total';
const HTTP = 'http_server_requests_total';

/** Twenty rule shapes, each in five variants (window, quantile, threshold): 20 recording rules, 80 alerts. */
const SHAPES: Array<(v: number, w: string, q: string) => RuleInput> = [
  (v, w) => ({ record: `job_route:http_server_requests:rate${v}`, expr: `sum by (job, http_route) (rate(${HTTP}${v === 4 ? '{http_response_status_code!="404"}' : ''}[${w}]))` }),
  (v, w) => ({ record: `job:http_server_errors:ratio${v}`, expr: `sum by (job) (rate(${HTTP}{http_response_status_code=~"5.."}[${w}])) / sum by (job) (rate(${HTTP}[${w}]))` }),
  (v) => ({ alert: `HighErrorRatio${v}`, expr: `job:http_server_errors:ratio${v} > ${0.01 * (v + 1)}`, for: '2m', labels: { severity: 'high' } }),
  (_v, _w, q) => ({ record: `job_span:latency_ms:p${q.slice(2)}`, expr: `histogram_quantile(${q}, sum by (le, job, span_name) (rate(${SPAN}[5m])))` }),
  (v, w, q) => ({ alert: `SlowServerOperationP${q.slice(2)}`, expr: `histogram_quantile(${q}, sum by (le, job, span_name) (rate(${SPAN}{span_kind="SPAN_KIND_SERVER"}[${w}]))) > ${200 + 100 * v}`, for: '5m' }),
  (v, w, q) => ({ alert: `SlowServiceP${q.slice(2)}`, expr: `histogram_quantile(${q}, sum by (le, job) (rate(${SPAN}[${w}]))) > ${300 + 100 * v}`, for: '5m', labels: { severity: 'medium' } }),
  (v, w) => ({ alert: `SpanErrors${v}`, expr: `sum by (job, span_name) (increase(${CALLS}{status_code="STATUS_CODE_ERROR"}[${w}])) > ${50 * (v + 1)}`, for: '1m' }),
  (v, w) => ({ alert: `SpanErrorRatio${v}`, expr: `sum by (job) (rate(${CALLS}{status_code="STATUS_CODE_ERROR"}[${w}])) / sum by (job) (rate(${CALLS}[${w}])) > ${0.02 * (v + 1)}`, for: '2m' }),
  (v, w) => ({ alert: `HighCpu${v}`, expr: v < 2 ? `${['avg', 'max'][v]} by (job) (process_cpu_utilization_ratio) * 100 > 80` : `avg_over_time(process_cpu_utilization_ratio[${w}]) > ${0.7 + 0.05 * v}`, for: '1m' }),
  (v) => ({ alert: `HighMemory${v}`, expr: `max by (job, instance) (process_memory_usage_bytes) / 1048576 > ${1024 + 256 * v}`, for: '1m' }),
  (v, w) => ({ alert: `QueueBacklog${v}`, expr: `max_over_time(queue_depth[${w}]) > ${500 + 500 * v}` }),
  (v, w) => ({ alert: `QueueGrowing${v}`, expr: `delta(queue_depth{queue=~"q[0-${v + 4}]"}[${w}]) > ${100 * (v + 1)}`, for: '2m' }),
  (v, w) => ({ record: `job_table:db_client_operations:rate${v}`, expr: `sum by (job, db_table) (rate(db_client_operations_total[${w}]))` }),
  (v, w) => ({ alert: `DbWriteBurst${v}`, expr: `sum by (job, db_table) (rate(db_client_operations_total{db_operation=~"INSERT|UPDATE|DELETE"}[${w}])) > ${20 + 10 * v}` }),
  (v) => ({ alert: `ConsumerLag${v}`, expr: v % 2 === 0 ? `sum by (job) (kafka_consumer_lag) > ${50_000 * (v + 1)}` : `max by (job, instance) (kafka_consumer_lag) > ${5000 * v}`, for: '3m' }),
  (v, w) => ({ alert: `TopRouteHot${v}`, expr: `topk(3, sum by (job, http_route) (rate(${HTTP}[${w}]))) > ${100 + 20 * v}` }),
  (v, w) => ({ alert: `Errors503WithCpu${v}`, expr: `sum by (job, instance) (rate(${HTTP}{http_response_status_code="503"}[${w}])) > ${2 + v} and on (job, instance) process_cpu_utilization_ratio > 0.${5 + v}`, for: '1m' }),
  (v, w) => ({ alert: `NoTraffic${v}`, expr: v < 3 ? `sum by (job) (rate(${HTTP}{http_route="/api/r${v}"}[${w}])) == 0` : `absent(${HTTP}{job="${serviceName(v)}"})` }),
  (v, _w, q) => ({ alert: `SlowAndFailing${v}`, expr: `job_span:latency_ms:p${q.slice(2)} > ${400 + 50 * v} and on (job, span_name) sum by (job, span_name) (rate(${CALLS}{status_code="STATUS_CODE_ERROR"}[1m])) > 0`, for: '2m' }),
  (v, w, q) => ({ alert: `RouteErrorsQuantile${v}`, expr: `quantile by (job) (${q}, rate(${HTTP}{http_response_status_code=~"5.."}[${w}])) > ${1 + v}` }),
];

/** The 100 rules in five groups of 20, variant v of every shape in group v (in SHAPES' order: a recorded series before the alerts reading it). */
export function ruleGroups(intervalS: number): Array<{ name: string; interval: string; rules: RuleInput[] }> {
  const rules: RuleInput[][] = [[], [], [], [], []];
  for (let v = 0; v < 5; v++) for (const shape of SHAPES) rules[v]!.push(shape(v, WINDOWS[v]!, QUANTILES[v]!));
  return rules.map((r, v) => ({ name: `bench-${v}`, interval: `${intervalS}s`, rules: r }));
}
