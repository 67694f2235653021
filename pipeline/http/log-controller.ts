/**
 * Fastify's per-request log lines (and 4xx answers) at debug instead of info, so that probes and
 * scrapes every few seconds stay out of a normal (info) log; server errors (5xx) stay at error.
 */
import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';

/** Logs incoming, completed and not-found requests at debug. */
export class QuietRequestLog extends LogController {
  override incomingRequest(request: FastifyRequest): void {
    request.log.debug({ req: request }, 'incoming request');
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (error) reply.log.error({ res: reply, err: error, responseTime: reply.elapsedTime }, 'request errored');
    else reply.log.debug({ res: reply, responseTime: reply.elapsedTime }, 'request completed');
  }

  override defaultErrorLog(error: Error, request: FastifyRequest, reply: FastifyReply): void {
    // A client's mistake (400 on a failed schema) is the client's to see, not the operator's.
    if (reply.statusCode >= 500) reply.log.error({ req: request, res: reply, err: error }, error.message);
    else reply.log.debug({ res: reply, err: error }, error.message);
  }

  override routeNotFound(request: FastifyRequest): void {
    request.log.debug({ method: request.raw.method, url: request.raw.url }, 'route not found');
  }
}
