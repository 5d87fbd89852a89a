/**
 * Bounds the ingest batches being read, decoded and written at once. A batch's memory is several
 * times its decoded size (bytes, then text, then objects, then query parameters), so without a
 * bound RSS grows with the number of clients. Waiting requests have not had their bodies read
 * yet: TCP backpressure holds the bytes in the kernel, so waiting costs a socket, not a body.
 * Past `maxWaiting` the caller answers 503 + Retry-After, which Fluent Bit retries.
 */
export class IngestAdmission {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    readonly maxConcurrent: number,
    readonly maxWaiting: number,
  ) {
    if (!(maxConcurrent >= 1) || !(maxWaiting >= 0)) throw new RangeError('maxConcurrent must be >= 1 and maxWaiting >= 0');
  }

  /** Resolves with a release function once the batch may proceed, or null when the queue is full. */
  async enter(): Promise<(() => void) | null> {
    if (this.running >= this.maxConcurrent) {
      if (this.waiting.length >= this.maxWaiting) return null;
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.running++;
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      // Hand the slot straight to the next waiter, so `running` never dips and overshoots.
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    };
  }

  get inFlight(): number {
    return this.running;
  }

  get queued(): number {
    return this.waiting.length;
  }
}
