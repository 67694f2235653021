/**
 * Client TLS settings with otelcol's configtls keys, shared by every component that dials out: the
 * otlp exporters and the Kafka clients (stage log, kafka receiver and exporter).
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { PermanentError } from '../pipeline/errors.js';

const tlsVersion = z.enum(['1.0', '1.1', '1.2', '1.3'], { error: 'expected one of "1.0", "1.1", "1.2", "1.3"' });

/** `tls`: `insecure: true` means plaintext; files or inline PEM for the CA and a client certificate. */
export const tlsSchema = z.strictObject({
  insecure: z.boolean().default(false),
  insecure_skip_verify: z.boolean().default(false),
  ca_file: z.string().optional(),
  ca_pem: z.string().optional(),
  cert_file: z.string().optional(),
  cert_pem: z.string().optional(),
  key_file: z.string().optional(),
  key_pem: z.string().optional(),
  server_name_override: z.string().optional(),
  min_version: tlsVersion.optional(),
  max_version: tlsVersion.optional(),
  /** Accepted for otelcol compatibility; Node always adds its bundled roots unless ca_* is set. */
  include_system_ca_certs_pool: z.boolean().optional(),
}).refine((t) => !(t.cert_file && t.cert_pem) && !(t.key_file && t.key_pem) && !(t.ca_file && t.ca_pem), {
  error: 'set a file or a PEM, not both',
}).refine((t) => Boolean(t.cert_file || t.cert_pem) === Boolean(t.key_file || t.key_pem), {
  error: 'a client certificate needs both cert_* and key_*',
});

/** The parsed `tls` block. */
export type TlsConfig = z.infer<typeof tlsSchema>;

/** What Node's tls and grpc-js need, read from the files once at start. */
export interface TlsMaterial {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  rejectUnauthorized: boolean;
  servername?: string;
  minVersion?: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';
  maxVersion?: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';
}

const NODE_VERSION = { '1.0': 'TLSv1', '1.1': 'TLSv1.1', '1.2': 'TLSv1.2', '1.3': 'TLSv1.3' } as const;

function pem(file: string | undefined, inline: string | undefined, what: string): Buffer | undefined {
  if (inline !== undefined) return Buffer.from(inline);
  if (file === undefined) return undefined;
  try {
    return readFileSync(file);
  } catch (err) {
    throw new PermanentError(`cannot read tls ${what} ${file}: ${(err as Error).message}`);
  }
}

/** Reads the configured files; throws a PermanentError naming the file that cannot be read. */
export function loadTls(config: TlsConfig): TlsMaterial {
  const m: TlsMaterial = { rejectUnauthorized: !config.insecure_skip_verify };
  const ca = pem(config.ca_file, config.ca_pem, 'ca_file');
  const cert = pem(config.cert_file, config.cert_pem, 'cert_file');
  const key = pem(config.key_file, config.key_pem, 'key_file');
  if (ca) m.ca = ca;
  if (cert) m.cert = cert;
  if (key) m.key = key;
  if (config.server_name_override) m.servername = config.server_name_override;
  if (config.min_version) m.minVersion = NODE_VERSION[config.min_version];
  if (config.max_version) m.maxVersion = NODE_VERSION[config.max_version];
  return m;
}
