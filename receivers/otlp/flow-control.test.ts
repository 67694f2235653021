/**
 * The gRPC server advertises wide HTTP/2 receive windows (node's default of 64 KiB throttled large
 * export requests to a WINDOW_UPDATE round trip every 32 KiB). Checked from a raw http2 client, as
 * a peer sees them; this also catches a grpc-js release that hides the field the widening uses.
 */
import t from 'tap';
import { waitUntil } from '../../test/wait.js';
import * as http2 from 'node:http2';
import { once } from 'node:events';
import { CONNECTION_WINDOW_BYTES, STREAM_WINDOW_BYTES } from './flow-control.js';
import { startReceiver } from './test-support.js';

t.test('the gRPC server advertises wide stream and connection windows', async (t) => {
  const running = await startReceiver({ grpc: { max_concurrent_streams: 50 }, http: null });
  t.teardown(() => running.stop());
  const session = http2.connect(`http://${running.addresses.grpc!}`);
  t.teardown(() => session.close());
  const [settings] = (await once(session, 'remoteSettings')) as [http2.Settings];
  t.equal(settings.initialWindowSize, STREAM_WINDOW_BYTES, 'per-stream window from the first SETTINGS frame');
  t.equal(settings.maxConcurrentStreams, 50, 'the configured stream limit is kept alongside');
  // The connection window grows by a WINDOW_UPDATE right after the handshake.
  await waitUntil(() => session.state.remoteWindowSize! >= CONNECTION_WINDOW_BYTES, 2000, 10);
  t.equal(session.state.remoteWindowSize, CONNECTION_WINDOW_BYTES, 'connection window');
});
