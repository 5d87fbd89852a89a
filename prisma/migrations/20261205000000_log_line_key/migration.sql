-- Per-record idempotency (gateway/src/storage/line-key.ts): a log line that a shipper sends again in
-- another batch (Fluent Bit re-reading a rotated file, or lines re-read after a kill -9) is stored
-- once. Each row carries a 64-bit key of its content; (service, timestamp, line_key) is unique.
-- The unique index replaces logs_service_timestamp_idx, whose queries it serves as well (same
-- leading columns), so the key costs its 8 bytes in the row and 8 in the index entry.
-- Rows stored before this migration have no key (NULL never conflicts): they are not compared.
ALTER TABLE "logs" ADD COLUMN "line_key" BIGINT;
DROP INDEX "logs_service_timestamp_idx";
CREATE UNIQUE INDEX "logs_service_timestamp_line_key_key" ON "logs"("service", "timestamp" DESC, "line_key");

-- Records of a batch that were already stored (or repeated within it), skipped by ingest.
ALTER TABLE "ingest_batches" ADD COLUMN "duplicate_records" INTEGER NOT NULL DEFAULT 0;

-- Called by the ingest statement when ON CONFLICT skipped some of its rows: the statement's
-- rollups were computed for every row, so it must not commit. The gateway then drops the
-- records already stored and writes the rest (SQLSTATE LP001).
CREATE FUNCTION logpulse_assert_all_stored(stored bigint, expected integer) RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
  IF stored < expected THEN
    RAISE EXCEPTION 'logpulse: % of % records in this batch are already stored', expected - stored, expected
      USING ERRCODE = 'LP001';
  END IF;
  RETURN true;
END $$;
