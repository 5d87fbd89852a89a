/** Whether a request may go ahead, and if not, when the client should try again. */
export type RateVerdict = { allowed: true } | { allowed: false; retryAfterSeconds: number };

interface Bucket {
  tokens: number;
  /** When `tokens` was last brought up to date (ms). */
  at: number;
}

/**
 * A token bucket per client key (an IP address): `burst` requests at once, then `ratePerSecond`
 * on average. Used on /log/ingest, where a refusal is a 429 with Retry-After that Fluent Bit (and
 * the dev shipper) retry, so throttling a client delays its data but never loses it.
 *
 * Memory stays bounded however many addresses appear: past `maxKeys`, buckets that have refilled
 * (idle clients) are forgotten, then the oldest ones; a forgotten client just starts full again.
 */
export class TokenBucketLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    readonly ratePerSecond: number,
    readonly burst: number,
    private readonly maxKeys = 50_000,
  ) {
    if (!(ratePerSecond > 0) || !(burst >= 1)) throw new RangeError('ratePerSecond must be > 0 and burst >= 1');
  }

  take(key: string, now = Date.now()): RateVerdict {
    let bucket = this.buckets.get(key);
    if (bucket) {
      bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.ratePerSecond);
      bucket.at = now;
    } else {
      if (this.buckets.size >= this.maxKeys) this.evict(now);
      bucket = { tokens: this.burst, at: now };
      this.buckets.set(key, bucket);
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true };
    }
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / this.ratePerSecond)) };
  }

  /** Clients currently tracked (for tests and metrics). */
  get size(): number {
    return this.buckets.size;
  }

  private evict(now: number): void {
    for (const [key, bucket] of this.buckets) {
      if (bucket.tokens + ((now - bucket.at) / 1000) * this.ratePerSecond >= this.burst) this.buckets.delete(key);
    }
    // Everyone is busy: drop the longest-tracked tenth (Map keeps insertion order).
    let excess = this.buckets.size - Math.floor(this.maxKeys * 0.9);
    for (const key of this.buckets.keys()) {
      if (excess-- <= 0) break;
      this.buckets.delete(key);
    }
  }
}
