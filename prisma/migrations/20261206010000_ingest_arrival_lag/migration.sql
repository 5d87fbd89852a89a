-- Ingest lag per arrival: for each service a stored batch's records went to, how late its
-- oldest record arrived (received_at − the record's own timestamp, in ms, never negative).
-- The ingest-lag alert condition reads these (one row per request), never the raw logs.
-- Older arrivals keep '{}': no lag was measured for them.
ALTER TABLE "ingest_arrivals" ADD COLUMN "lag_ms" JSONB NOT NULL DEFAULT '{}';
