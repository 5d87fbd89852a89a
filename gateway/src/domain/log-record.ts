// The access-log record as the whole gateway sees it: validated by ingest, written by storage,
// published by live, read by analytics and GraphQL.

/** A validated, normalised access-log record, ready to store (route is filled in later). */
export interface LogRecord {
  timestamp: Date;
  service: string;
  method: string;
  path: string;
  status: number;
  latencyMs: number;
  userAgent: string | null;
  ipAddress: string | null;
  requestId: string | null;
  bytes: number | null;
  extra: Record<string, unknown> | null;
}

export interface RoutedRecord extends LogRecord {
  route: string;
}

/** A record as stored: what the live stream publishes after the batch commits. */
export interface StoredLog extends RoutedRecord {
  id: string;
  ingestedAt: Date;
}

/** PostgreSQL text cannot hold NUL, and lone surrogates break jsonb: clean both, keep the rest. */
export function cleanText(value: string, max?: number): string {
  let s = value.includes('\u0000') ? value.replaceAll('\u0000', '') : value;
  s = s.toWellFormed();
  return max !== undefined && s.length > max ? s.slice(0, max) : s;
}
