/** One access-log record as the tests send it to /log/ingest: the fields of the ingest contract they use. */
export interface AccessLogRecord {
  timestamp: string;
  service: string;
  method: string;
  path: string;
  status: number;
  latency_ms: number;
  user_agent: string;
  ip_address: string;
  request_id: string;
}
