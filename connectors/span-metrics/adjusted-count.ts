/**
 * The adjusted count of a span sampled with OpenTelemetry's consistent probability sampling: its
 * W3C tracestate's `ot=th:<hex>` rejection threshold T (56 bits) means each kept span stands for
 * 2^56 / (2^56 - T) spans. otelcol rounds that stochastically to a whole count; so does this.
 */

const MAX_ADJUSTED_COUNT = 1n << 56n;
const THRESHOLD = /^[0-9a-f]{1,14}$/;

/** [count, adjusted]: [1, false] without a valid threshold. */
export function adjustedCount(traceState: string, random: () => number = Math.random): [number, boolean] {
  if (traceState === '' || !traceState.includes('ot=')) return [1, false];
  const th = threshold(traceState);
  if (th === undefined) return [1, false];
  const denominator = MAX_ADJUSTED_COUNT - th;
  if (denominator === 0n) return [1, false];
  let q = MAX_ADJUSTED_COUNT / denominator;
  const r = MAX_ADJUSTED_COUNT % denominator;
  // Round up with probability r / denominator, so the expected count is exact.
  if (r !== 0n && random() * Number(denominator) < Number(r)) q++;
  return [Number(q), true];
}

/** The `th` value of the `ot` entry, padded to 56 bits; undefined when absent or malformed. */
function threshold(traceState: string): bigint | undefined {
  for (const member of traceState.split(',')) {
    const eq = member.indexOf('=');
    if (eq < 0 || member.slice(0, eq).trim() !== 'ot') continue;
    for (const field of member.slice(eq + 1).trim().split(';')) {
      if (!field.startsWith('th:')) continue;
      const hex = field.slice(3);
      if (!THRESHOLD.test(hex)) return undefined;
      return BigInt(`0x${hex.padEnd(14, '0')}`);
    }
    return undefined;
  }
  return undefined;
}
