/**
 * The silences API, shaped like Alertmanager's v2 (`amtool` and Grafana speak it):
 * POST /api/v2/silences → `{silenceID}`; GET /api/v2/silences; GET /api/v2/silence/{id};
 * DELETE /api/v2/silence/{id} expires it. Served on the processor's own `silences.endpoint`
 * through pipeline/http (fastify), on the thread that runs the processor, so it can write the
 * state store (on the Kafka queue the main thread's view of the store is read-only).
 */
import type { FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import { HttpHost } from '../../pipeline/http/http-host.js';
import { messageOf } from '../../pipeline/errors.js';
import { SilenceError, stateOf, type PostableSilence, type SilenceBook } from './silences.js';

const matcherSchema = {
  type: 'object',
  required: ['name', 'value', 'isRegex'],
  properties: { name: { type: 'string' }, value: { type: 'string' }, isRegex: { type: 'boolean' }, isEqual: { type: 'boolean' } },
} as const;

/** The PostableSilence schema of Alertmanager's OpenAPI spec; fastify answers 400 to what breaks it. */
const postableSchema = {
  type: 'object',
  required: ['matchers', 'startsAt', 'endsAt', 'createdBy', 'comment'],
  properties: {
    id: { type: 'string' },
    matchers: { type: 'array', items: matcherSchema },
    startsAt: { type: 'string' },
    endsAt: { type: 'string' },
    createdBy: { type: 'string' },
    comment: { type: 'string' },
  },
} as const;

/** Builds the HTTP host serving `book`; the caller starts and closes it. `saved` runs after each silence is saved (acknowledgements). */
export function silencesApi(book: SilenceBook, endpoint: string, component: string, logger: Logger, now: () => number = Date.now, saved: () => void = () => {}): HttpHost {
  const http = new HttpHost({ component, endpoint, logger });
  const app = http.app;
  app.post<{ Body: PostableSilence }>('/api/v2/silences', { schema: { body: postableSchema } }, async (req, reply) =>
    answer(reply, logger, async () => {
      const silenceID = await book.upsert(req.body);
      logger.info({ silence: silenceID, matchers: req.body.matchers, created_by: req.body.createdBy }, 'silence saved');
      saved();
      return { silenceID };
    }));
  app.get<{ Querystring: { filter?: unknown } }>('/api/v2/silences', async (req, reply) => answer(reply, logger, async () => {
    // Refused rather than ignored: a client filtering must not get every silence back as if filtered.
    if (req.query.filter !== undefined) throw new SilenceError(400, 'the filter parameter is not supported; filter the list client-side');
    return (await book.list()).map((s) => ({ ...s, status: { state: stateOf(s, now()) } }));
  }));
  app.get<{ Params: { id: string } }>('/api/v2/silence/:id', async (req, reply) => answer(reply, logger, async () => {
    const s = await book.get(req.params.id);
    return { ...s, status: { state: stateOf(s, now()) } };
  }));
  app.delete<{ Params: { id: string } }>('/api/v2/silence/:id', async (req, reply) => answer(reply, logger, async () => {
    await book.expire(req.params.id);
    logger.info({ silence: req.params.id }, 'silence expired');
    return {};
  }));
  return http;
}

/** Runs a handler: 200 with its JSON; 400/404 with the message as a JSON string (as Alertmanager does); 503 when the store fails. */
async function answer(reply: FastifyReply, logger: Logger, fn: () => Promise<object>): Promise<FastifyReply> {
  try {
    return await reply.code(200).send(await fn());
  } catch (err) {
    if (err instanceof SilenceError) return reply.code(err.status).type('application/json').send(JSON.stringify(err.message));
    logger.warn({ err: messageOf(err) }, 'silences API: the state store failed');
    return reply.code(503).type('application/json').send(JSON.stringify(`state store unavailable: ${messageOf(err)}`));
  }
}
