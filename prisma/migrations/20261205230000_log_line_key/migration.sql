-- Per-record idempotency (gateway/src/storage/line-key.ts): a log line that a shipper sends again in
-- another batch (Fluent Bit re-reading a rotated file, or lines re-read after a kill -9) is stored
-- once. A row's content key is a 64-bit hash of every stored field but the time and service, and
-- (service, timestamp, key) is unique. The key lives only in the index (an expression index, no
-- column), and the index replaces logs_service_timestamp_idx, whose queries it serves as well
-- (same leading columns): the mechanism costs one 8-byte value per index entry.
-- Rows stored before this migration are covered too: the key is computed from the stored fields.

-- The key of one row. IMMUTABLE: it depends only on its arguments (the text forms of smallint,
-- double precision and jsonb do not depend on settings that the gateway changes).
CREATE FUNCTION logpulse_line_key(method text, path text, status smallint, latency_ms double precision, user_agent text,
                                  ip_address text, request_id text, bytes integer, extra jsonb) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN hashtextextended(
  method || e'\x1f' || path || e'\x1f' || status::text || e'\x1f' || latency_ms::text
  || e'\x1f' || coalesce(user_agent, e'\x1e') || e'\x1f' || coalesce(ip_address, e'\x1e')
  || e'\x1f' || coalesce(request_id, e'\x1e') || e'\x1f' || coalesce(bytes::text, e'\x1e')
  || e'\x1f' || coalesce(extra::text, e'\x1e'), 0);

DROP INDEX "logs_service_timestamp_idx";
CREATE UNIQUE INDEX "logs_service_timestamp_line_key_key" ON "logs"(
  "service", "timestamp" DESC,
  logpulse_line_key("method", "path", "status", "latency_ms", "user_agent", "ip_address", "request_id", "bytes", "extra"));

-- Records of a batch that were already stored (or repeated within it), skipped by ingest.
ALTER TABLE "ingest_batches" ADD COLUMN "duplicate_records" INTEGER NOT NULL DEFAULT 0;
