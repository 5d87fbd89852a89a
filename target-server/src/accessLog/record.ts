import { isIP } from 'node:net';
import { randomUUID } from 'node:crypto';

/** One access-log line. The keys, their order and their meaning are the contract with the shipper. */
export interface AccessRecord {
  /** When the request arrived: ISO-8601 UTC with milliseconds, e.g. 2026-11-25T10:00:01.123Z. */
  timestamp: string;
  method: string;
  /** Raw request target as received, query string included. */
  path: string;
  status: number;
  /** Arrival to response end, measured with process.hrtime; rounded to microseconds. */
  latency_ms: number;
  /** "-" when the request had none. */
  user_agent: string;
  /** First hop of X-Forwarded-For when present and valid, else the peer address. */
  ip_address: string;
  /** X-Request-Id when it is a plausible id, else a generated UUID. */
  request_id: string;
  /** Response body bytes. */
  bytes: number;
  service: string;
}

export const ACCESS_RECORD_KEYS = [
  'timestamp',
  'method',
  'path',
  'status',
  'latency_ms',
  'user_agent',
  'ip_address',
  'request_id',
  'bytes',
  'service',
] as const satisfies readonly (keyof AccessRecord)[];

/** Serialises a record as one line, keys always in contract order. */
export function formatAccessLine(record: AccessRecord): string {
  return (
    JSON.stringify({
      timestamp: record.timestamp,
      method: record.method,
      path: record.path,
      status: record.status,
      latency_ms: record.latency_ms,
      user_agent: record.user_agent,
      ip_address: record.ip_address,
      request_id: record.request_id,
      bytes: record.bytes,
      service: record.service,
    }) + '\n'
  );
}

export const roundLatency = (ms: number): number => Math.round(ms * 1000) / 1000;

const unmapIpv4 = (address: string): string => (address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address);

/** The client address: X-Forwarded-For's first hop (the original client) when it is an IP, else the peer. */
export function clientAddress(forwardedFor: string | string[] | undefined, peer: string | undefined): string {
  const header = Array.isArray(forwardedFor) ? forwardedFor[0] : forwardedFor;
  const first = header?.split(',')[0]?.trim();
  if (first && isIP(first)) return unmapIpv4(first);
  return peer ? unmapIpv4(peer) : '-';
}

const PLAUSIBLE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Keeps a caller's X-Request-Id when it looks like an id (bounded, no odd characters), else makes one. */
export function requestIdFrom(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value && PLAUSIBLE_REQUEST_ID.test(value) ? value : randomUUID();
}
