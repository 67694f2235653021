/** Go's number formatting (fmt's %v, %g, %e, %f, %d), so templates print values as Prometheus does. */

function specials(v: number): string | undefined {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return undefined;
}

function expForm(mantissa: string, exp: number): string {
  const sign = exp < 0 ? '-' : '+';
  const digits = String(Math.abs(exp)).padStart(2, '0');
  return `${mantissa}e${sign}${digits}`;
}

function trimZeros(s: string): string {
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s;
}

/** Go's %v (and %g with no precision) for a float64: shortest form, exponent below 1e-4 or from 1e21. */
export function formatFloat(v: number): string {
  const special = specials(v);
  if (special !== undefined) return special;
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const [m = '0', e = '0'] = v.toExponential().split('e');
  const exp = Number(e);
  if (exp < -4 || exp >= 21) return expForm(m, exp);
  return String(v).includes('e') ? plain(m, exp) : String(v);
}

function plain(mantissa: string, exp: number): string {
  const negative = mantissa.startsWith('-');
  const digits = mantissa.replace('-', '').replace('.', '');
  let out: string;
  if (exp < 0) out = `0.${'0'.repeat(-exp - 1)}${digits}`;
  else out = digits.length > exp + 1 ? `${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}` : digits.padEnd(exp + 1, '0');
  return negative ? `-${out}` : out;
}

/** Go's %.<precision>g. */
export function formatG(v: number, precision: number): string {
  const special = specials(v);
  if (special !== undefined) return special;
  const p = precision === 0 ? 1 : precision;
  if (v === 0) return '0';
  const [m = '0', e = '0'] = v.toExponential(p - 1).split('e');
  const exp = Number(e);
  if (exp < -4 || exp >= p) return expForm(trimZeros(m), exp);
  return trimZeros(v.toFixed(Math.max(0, p - 1 - exp)));
}

/** Go's %.<precision>e. */
export function formatE(v: number, precision: number): string {
  const special = specials(v);
  if (special !== undefined) return special;
  const [m = '0', e = '0'] = v.toExponential(precision).split('e');
  return expForm(m, Number(e));
}

/** Go's %.<precision>f. */
export function formatF(v: number, precision: number): string {
  return specials(v) ?? v.toFixed(precision);
}
