/**
 * Alertmanager's alert fingerprint: 64-bit FNV-1a over the label set sorted by name (name, 0xff,
 * value, 0xff for each), as 16 hex digits. Computing the same value lets a webhook receiver or an
 * Alertmanager correlate vigil's alerts with their own.
 */
const OFFSET = 0xcbf29ce484222325n;
const PRIME = 0x100000001b3n;
const MASK = 0xffffffffffffffffn;
const SEPARATOR = 0xff;

/** The fingerprint of a label set. */
export function fingerprintOf(labels: Readonly<Record<string, string>>): string {
  let h = OFFSET;
  const add = (bytes: Uint8Array): void => {
    for (const b of bytes) h = ((h ^ BigInt(b)) * PRIME) & MASK;
  };
  const sep = Uint8Array.of(SEPARATOR);
  for (const name of Object.keys(labels).sort()) {
    add(Buffer.from(name, 'utf8'));
    add(sep);
    add(Buffer.from(labels[name]!, 'utf8'));
    add(sep);
  }
  return h.toString(16).padStart(16, '0');
}
