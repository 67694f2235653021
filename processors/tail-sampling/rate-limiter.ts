/**
 * A token bucket with the behaviour of Go's golang.org/x/time/rate.Limiter as otelcol's
 * rate_limiting and bytes_limiting policies use it: it starts full (`burst` tokens), refills at
 * `rate` tokens a second up to `burst`, and `allowN` takes n tokens when there are enough (n above
 * the burst is never allowed). Time is the wall clock, as in otelcol: these limits are per vigil
 * instance, and a replay does not reproduce them.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(private readonly rate: number, private readonly burst: number, now: number) {
    this.tokens = burst;
    this.last = now;
  }

  /** Takes n tokens at `nowMs` if there are enough. */
  allowN(nowMs: number, n: number): boolean {
    if (nowMs > this.last) {
      this.tokens = Math.min(this.burst, this.tokens + ((nowMs - this.last) / 1000) * this.rate);
      this.last = nowMs;
    }
    if (n > this.burst && this.rate !== Infinity) return false;
    if (this.tokens < n) return false;
    this.tokens -= n;
    return true;
  }
}
