// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { completeBuckets, relativeChange, seriesHasData, statusClassOf, toHeatRows, toSeries } from './chart-data.ts';

describe('chart data shaping', () => {
  it('turns rows into series, keeping missing latencies as gaps', () => {
    const rows = [
      { bucket: 't1', requests: 3, p95: 12.5 },
      { bucket: 't2', requests: 0, p95: null },
    ];
    const series = toSeries(rows, 'bucket', [
      { key: 'requests', label: 'Requests', color: 'blue' },
      { key: 'p95', label: 'p95', color: 'red' },
    ]);
    expect(series).toEqual([
      { id: 'requests', label: 'Requests', color: 'blue', points: [{ x: 't1', y: 3 }, { x: 't2', y: 0 }] },
      { id: 'p95', label: 'p95', color: 'red', points: [{ x: 't1', y: 12.5 }, { x: 't2', y: null }] },
    ]);
    expect(seriesHasData(series)).toBe(true);
    expect(seriesHasData(toSeries([{ bucket: 't', requests: 0 }], 'bucket', [{ key: 'requests', label: 'r', color: 'c' }]))).toBe(false);
  });

  it('builds a full heat-map grid, busiest rows first, capped', () => {
    const rows = toHeatRows(
      [
        { row: 'GET /a', column: '1', value: 2 },
        { row: 'GET /b', column: '0', value: 5 },
        { row: 'GET /a', column: '1', value: 1 },
        { row: 'GET /c', column: '2', value: 1 },
      ],
      ['0', '1', '2'],
      2,
    );
    expect(rows).toEqual([
      { id: 'GET /b', data: [{ x: '0', y: 5 }, { x: '1', y: null }, { x: '2', y: null }] },
      { id: 'GET /a', data: [{ x: '0', y: null }, { x: '1', y: 3 }, { x: '2', y: null }] },
    ]);
  });

  it('computes relative change only when there is something to compare with', () => {
    expect(relativeChange(150, 100)).toBe(0.5);
    expect(relativeChange(50, 100)).toBe(-0.5);
    expect(relativeChange(10, 0)).toBeNull();
    expect(relativeChange(null, 10)).toBeNull();
  });

  it('classifies status codes', () => {
    expect([200, 304, 404, 503, 99].map(statusClassOf)).toEqual(['2xx', '3xx', '4xx', '5xx', 'other']);
  });

  it('leaves out the bucket that is still filling', () => {
    const minute = (m: number) => new Date(Date.UTC(2026, 11, 5, 10, m)).toISOString();
    const points = [0, 1, 2, 3].map((m) => ({ bucket: minute(m), requests: 60 }));
    const now = Date.parse(minute(3)) + 20_000;
    expect(completeBuckets(points, 60, now)).toEqual({ complete: points.slice(0, 3), partial: 1 });
    // A bucket ending exactly now is complete.
    expect(completeBuckets(points, 60, Date.parse(minute(4))).partial).toBe(0);
    expect(completeBuckets(points, 300, now)).toEqual({ complete: [], partial: 4 });
  });
});
