/**
 * HTTP/2 receive windows for the gRPC server. Node's http2 advertises nghttp2's 64 KiB window per
 * stream and per connection, and grpc-js offers no option to change it; grpc-go grows its windows
 * by BDP estimation, which the Collector's receiver gets for free. With 64 KiB, a 250 KiB export
 * request needs several WINDOW_UPDATE round trips, each waiting for a turn of the event loop: on
 * this machine that capped one daemon's Kafka-backed pipeline at ~60 000 spans/s, against ~86 000
 * with the windows below. The memory cost is bounded by what grpc-js buffers anyway: it reads
 * every message whole before the handler runs.
 */
import type * as http2 from 'node:http2';
import type * as grpc from '@grpc/grpc-js';
import type { Logger } from 'pino';

/** Per stream: an export request of up to 1 MiB arrives without waiting for a WINDOW_UPDATE. */
export const STREAM_WINDOW_BYTES = 1024 * 1024;
/** Per connection: the SDK exporters multiplex their concurrent exports on one connection. */
export const CONNECTION_WINDOW_BYTES = 16 * 1024 * 1024;

/**
 * Widens the windows of every session `server` accepts from now on. Call after bindAsync. The
 * http2 servers are a private field of grpc-js: when a release renames it, the defaults stay (a
 * warning says so) and the receiver works as before, only slower; a test pins the behaviour.
 */
export function widenFlowControlWindows(server: grpc.Server, logger: Logger): boolean {
  const servers = (server as unknown as { http2Servers?: Map<http2.Http2Server, unknown> }).http2Servers;
  if (!(servers instanceof Map)) {
    logger.warn('this @grpc/grpc-js keeps its http2 servers elsewhere: gRPC receive windows stay at 64 KiB');
    return false;
  }
  for (const http2Server of servers.keys()) {
    http2Server.updateSettings({ initialWindowSize: STREAM_WINDOW_BYTES });
    http2Server.on('session', (session: http2.ServerHttp2Session) => {
      // The connection window is not a SETTINGS value: it grows by a WINDOW_UPDATE once connected.
      if (session.connecting) session.once('connect', () => session.setLocalWindowSize(CONNECTION_WINDOW_BYTES));
      else session.setLocalWindowSize(CONNECTION_WINDOW_BYTES);
    });
  }
  return true;
}
