import type { AccessLogRecord } from './access-log-record.ts';

// A scripted incident small enough for the end-to-end run: two hours of steady traffic on one
// endpoint (12 requests a minute, all fine), then a three-minute burst of 5xx at double volume:
// two requests in three fail, so the hour the tests analyse is past the 5 % of 5xx that makes
// the endpoint's "Investigate 5xx errors" advice (48 of 756 requests), while that advice's
// priority stays below the standing "speed up /api/slow" (the page ranks the live one first).
// Two hours, because the detector judges each minute against the hour before it (and needs at
// least half of it), and because a series that appeared mid-range would itself look like a
// traffic spike of the whole system. Doubling the volume in the burst gives the error rate the
// 20 requests a minute it needs to count, while staying under a traffic spike's threshold.

export const INCIDENT_ENDPOINT = { service: 'shop-api', method: 'POST', route: '/api/checkout' } as const;

const MINUTE = 60_000;
const HISTORY_MINUTES = 120;
const PER_MINUTE = 12;
const BURST_PER_MINUTE = 24;

export interface Incident {
  records: AccessLogRecord[];
  /** The burst: whole minutes, [start, end). */
  burst: { start: Date; end: Date };
  /** The range the tests analyse: the last hour before `end`. */
  range: { from: string; to: string };
}

/** `end` must be a whole minute at least a minute in the past, so every bucket is complete. */
export function buildIncident(end: number): Incident {
  if (end % MINUTE !== 0) throw new Error('the incident must end on a whole minute');
  const burst = { start: new Date(end - 8 * MINUTE), end: new Date(end - 5 * MINUTE) };
  const records: AccessLogRecord[] = [];
  let id = 0;
  for (let minute = end - HISTORY_MINUTES * MINUTE; minute < end; minute += MINUTE) {
    const inBurst = minute >= burst.start.getTime() && minute < burst.end.getTime();
    const count = inBurst ? BURST_PER_MINUTE : PER_MINUTE;
    for (let i = 0; i < count; i += 1) {
      id += 1;
      const failed = inBurst && i % 3 !== 0;
      records.push({
        timestamp: new Date(minute + Math.floor(((i + 0.5) * MINUTE) / count)).toISOString(),
        service: INCIDENT_ENDPOINT.service,
        method: INCIDENT_ENDPOINT.method,
        path: INCIDENT_ENDPOINT.route,
        status: failed ? 500 : 201,
        // Deterministic spread of ordinary latencies; failures answer fast.
        latency_ms: failed ? 4 + (id % 7) : 40 + ((id * 37) % 50),
        user_agent: 'shop-web/3.2 (checkout)',
        ip_address: `10.1.${id % 4}.${1 + (id % 23)}`,
        request_id: `incident-${id}`,
      });
    }
  }
  return { records, burst, range: { from: new Date(end - 60 * MINUTE).toISOString(), to: new Date(end).toISOString() } };
}
