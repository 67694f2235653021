/** OTLP/gRPC answers as typed outcomes: the OTLP spec's retryable codes, RetryInfo, partial success. */
import { status as Code, type ServiceError } from '@grpc/grpc-js';
import { PermanentError, RetryableError } from '../../pipeline/errors.js';
import { parseRpcStatus } from '../exporterhelper/index.js';

/** Retryable per the OTLP spec; RESOURCE_EXHAUSTED only when the server sent RetryInfo. */
const RETRYABLE = new Set<number>([Code.CANCELLED, Code.DEADLINE_EXCEEDED, Code.ABORTED, Code.OUT_OF_RANGE, Code.UNAVAILABLE, Code.DATA_LOSS]);

/** The error a failed call becomes: RetryableError (with the server's delay) or PermanentError. */
export function errorOfCall(err: ServiceError): Error {
  const details = err.metadata?.get('grpc-status-details-bin')[0];
  const rpc = Buffer.isBuffer(details) ? parseRpcStatus(details) : undefined;
  const name = Code[err.code] ?? String(err.code);
  const message = `${name}: ${err.details || rpc?.message || err.message}`;
  const delay = rpc?.retryDelayMs;
  if (RETRYABLE.has(err.code) || (err.code === Code.RESOURCE_EXHAUSTED && delay !== undefined)) {
    return new RetryableError(message, delay, { cause: err });
  }
  return new PermanentError(message, { cause: err });
}
