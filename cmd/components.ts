/**
 * The registry: every component vigil is built with. Adding a component is one line here plus its
 * folder; nothing else knows this list.
 */
import { factory as alertRules } from '../processors/alert-rules/index.js';
import { factory as alertRouting } from '../processors/alert-routing/index.js';
import { factory as alertmanager } from '../exporters/alertmanager/index.js';
import { factory as baseline } from '../processors/baseline/index.js';
import { factory as batch } from '../processors/batch/index.js';
import { factory as debug } from '../exporters/debug/index.js';
import { factory as email } from '../exporters/email/index.js';
import { factory as anomaly } from '../processors/anomaly/index.js';
import { factory as events } from '../processors/events/index.js';
import { factory as file } from '../exporters/file/index.js';
import { factory as forward } from '../processors/forward/index.js';
import { factory as healthCheck } from '../extensions/health-check/index.js';
import { factory as kafkaExporter } from '../exporters/kafka/index.js';
import { factory as kafkaReceiver } from '../receivers/kafka/index.js';
import { factory as memoryLimiter } from '../processors/memory-limiter/index.js';
import { factory as otlpGrpc } from '../exporters/otlp-grpc/index.js';
import { factory as otlpHttp } from '../exporters/otlp-http/index.js';
import { factory as pagerduty } from '../exporters/pagerduty/index.js';
import { factory as slack } from '../exporters/slack/index.js';
import { factory as webhook } from '../exporters/webhook/index.js';
import { factory as otlpReceiver } from '../receivers/otlp/index.js';
import { factory as probabilisticSampler } from '../processors/probabilistic-sampler/index.js';
import { factory as spanMetrics } from '../connectors/span-metrics/index.js';
import { factory as tailSampling } from '../processors/tail-sampling/index.js';
import { factory as redIndicators } from '../processors/red-indicators/index.js';
import type { Factory } from '../pipeline/component.js';

/** All factories, receivers first, in the order `vigil components` lists them. */
export const FACTORIES: readonly Factory[] = [
  otlpReceiver,
  kafkaReceiver,
  batch,
  memoryLimiter,
  probabilisticSampler,
  alertRules,
  alertRouting,
  tailSampling,
  forward,
  redIndicators,
  spanMetrics,
  baseline,
  anomaly,
  events,
  debug,
  file,
  otlpGrpc,
  otlpHttp,
  kafkaExporter,
  webhook,
  slack,
  pagerduty,
  email,
  alertmanager,
  healthCheck,
];
