/**
 * Bookkeeping of ingest requests by ARRIVAL (table `ingest_arrivals`): one row per request
 * answered 200 — stored, all records rejected, or a retry answered duplicate — with its records
 * counted per service they went to. pipelineHealth reads only these rows, so what a window
 * shows is what arrived in it, and it never changes afterwards.
 */

/** What the bookkeeping needs of a batch (a subset of write-batch's BatchInput). */
export interface ArrivalInput {
  /** The ingest route's ?service= tag, else "default" (or the service a token is bound to). */
  service: string;
  records: readonly { service: string }[];
  /** `service`: the service a rejected record named, when it named a valid one. */
  rejections: readonly { service?: string }[];
}

/**
 * Rejected records per service: the service a record named; else the one service the batch's
 * stored records went to; else the batch's tag. So a shipper that sends no ?service= does not
 * make up a `default` service for the odd bad line.
 */
export function rejectedByService(batch: ArrivalInput): Record<string, number> {
  const counts: Record<string, number> = {};
  if (batch.rejections.length === 0) return counts;
  const first = batch.records[0]?.service;
  const sole = first !== undefined && batch.records.every((r) => r.service === first) ? first : undefined;
  for (const r of batch.rejections) {
    const service = r.service ?? sole ?? batch.service;
    counts[service] = (counts[service] ?? 0) + 1;
  }
  return counts;
}

/** The same services with 0 records: a duplicate arrival counts as a batch, never as records. */
export function zeroCounts(counts: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.keys(counts).map((k) => [k, 0]));
}

/**
 * A retry of a stored batch: bumps the original's duplicate counter and records the arrival now
 * ($1 digest, $2/$3 the services of the retried body's records, with 0 counts). Answers the
 * original's counts, which the ingest route repeats to the shipper.
 */
export const RECORD_DUPLICATE_ARRIVAL = `WITH original AS (
  UPDATE ingest_batches SET duplicates = duplicates + 1 WHERE digest = $1 RETURNING accepted, rejected
), arrival AS (
  INSERT INTO ingest_arrivals (digest, duplicate, accepted_counts, rejected_counts)
  SELECT $1, true, $2::jsonb, $3::jsonb FROM original
)
SELECT accepted, rejected FROM original`;
