// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { appendBatch, emptyBuffer } from './live-buffer.ts';

describe('live console buffer', () => {
  it('puts the newest record first and counts what arrived and what the server dropped', () => {
    let b = emptyBuffer<number>();
    b = appendBatch(b, { logs: [1, 2, 3], dropped: 0 });
    b = appendBatch(b, { logs: [4], dropped: 7 });
    expect(b).toEqual({ logs: [4, 3, 2, 1], received: 4, dropped: 7 });
  });

  it('keeps at most the cap, dropping the oldest', () => {
    const b = appendBatch(appendBatch(emptyBuffer<number>(), { logs: [1, 2, 3], dropped: 0 }, 4), { logs: [4, 5], dropped: 0 }, 4);
    expect(b.logs).toEqual([5, 4, 3, 2]);
    expect(b.received).toBe(5);
  });

  it('returns the same buffer for the empty first batch that confirms the subscription', () => {
    const b = emptyBuffer<number>();
    expect(appendBatch(b, { logs: [], dropped: 0 })).toBe(b);
  });
});
