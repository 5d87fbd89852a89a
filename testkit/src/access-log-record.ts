import type { AccessRecord } from '@logpulse/target-server';

/**
 * One access-log record as the tests send it to /log/ingest: the target server's record (the
 * contract with the shipper) without the response size, which ingest takes as optional.
 */
export type AccessLogRecord = Omit<AccessRecord, 'bytes'>;
