/**
 * Reads an HTTP request body with a hard cap, inflating gzip/deflate on the fly. Both the raw and
 * the inflated body are capped at the same limit, and reading stops the moment either passes it:
 * a gzip bomb costs at most `limit` bytes of memory, never its inflated size.
 */
import type { IncomingMessage } from 'node:http';
import { createGunzip, createInflate, type Gunzip, type Inflate } from 'node:zlib';
import { InvalidInputError } from '../../pipeline/errors.js';
import { BodyTooLargeError } from './status.js';

/** The client went away before the body was complete; there is nobody to answer. */
export class ClientGoneError extends Error {
  override readonly name = 'ClientGoneError';
}

/** Content-Encoding values we inflate; anything else is refused before reading. */
export function inflaterFor(encoding: string | undefined): (() => Gunzip | Inflate) | null | undefined {
  const e = (encoding ?? 'identity').trim().toLowerCase();
  if (e === '' || e === 'identity') return null;
  if (e === 'gzip' || e === 'x-gzip') return () => createGunzip();
  if (e === 'deflate') return () => createInflate();
  return undefined;
}

/**
 * Resolves with the (inflated) body. Rejects with BodyTooLargeError past `limit`, InvalidInputError
 * for a corrupt compressed stream, ClientGoneError when the request is aborted. On rejection the
 * request is paused and no longer listened to: the caller decides whether to drain or drop it.
 */
export function readBody(req: IncomingMessage, inflater: (() => Gunzip | Inflate) | null, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let raw = 0;
    let size = 0;
    let done = false;
    const zs = inflater?.();

    const finish = (err: Error | undefined): void => {
      if (done) return;
      done = true;
      req.off('data', onRaw).off('end', onRawEnd).off('aborted', onGone).off('close', onClose).off('error', onGone);
      if (zs) {
        zs.off('data', onInflated);
        zs.on('error', () => {});
        // Destroying stops zlib mid-stream: no more output is produced for a bomb.
        zs.destroy();
      }
      if (err) {
        chunks.length = 0;
        req.pause();
        reject(err);
      } else {
        resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
      }
    };
    const tooLarge = (): void => finish(new BodyTooLargeError(`request body exceeds the limit of ${limit} bytes`));

    const onInflated = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) return tooLarge();
      chunks.push(chunk);
    };
    const onRaw = (chunk: Buffer): void => {
      raw += chunk.length;
      if (raw > limit) return tooLarge();
      if (!zs) {
        size += chunk.length;
        chunks.push(chunk);
      } else if (!zs.write(chunk)) {
        // Let zlib catch up before reading more from the socket.
        req.pause();
        zs.once('drain', () => { if (!done) req.resume(); });
      }
    };
    const onRawEnd = (): void => {
      if (zs) zs.end();
      else finish(undefined);
    };
    const onGone = (): void => finish(new ClientGoneError('client closed the connection before the body was complete'));
    const onClose = (): void => { if (!req.complete) onGone(); };

    if (zs) {
      zs.on('data', onInflated);
      zs.once('end', () => finish(undefined));
      zs.on('error', (err) => finish(new InvalidInputError(`cannot decompress the request body: ${err.message}`)));
    }
    req.on('data', onRaw).once('end', onRawEnd).once('aborted', onGone).once('close', onClose).once('error', onGone);
  });
}
