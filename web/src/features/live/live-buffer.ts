/** What the live console holds: the newest records (newest first), capped, and the counts. */
export interface LiveBuffer<Log> {
  logs: Log[];
  /** Records received since the subscription started (kept or not). */
  received: number;
  /** Records the server skipped because this subscriber fell behind. */
  dropped: number;
}

export const LIVE_CAP = 500;

export function emptyBuffer<Log>(): LiveBuffer<Log> {
  return { logs: [], received: 0, dropped: 0 };
}

/** Adds one streamed batch (oldest first, as sent) to the buffer, newest first, at most `cap` kept. */
export function appendBatch<Log>(buffer: LiveBuffer<Log>, batch: { logs: readonly Log[]; dropped: number }, cap = LIVE_CAP): LiveBuffer<Log> {
  if (batch.logs.length === 0 && batch.dropped === 0) return buffer;
  const incoming = [...batch.logs].reverse();
  return {
    logs: [...incoming, ...buffer.logs].slice(0, cap),
    received: buffer.received + batch.logs.length,
    dropped: buffer.dropped + batch.dropped,
  };
}
