-- One row per ingest request answered 200 (stored, all records rejected, or a retry answered
-- duplicate), at the time it ARRIVED, with its records counted per service they went to.
-- pipelineHealth reads only this, so a retry is counted when it came, never in the window of
-- the batch it repeats, and an all-rejected batch counts for its service like any other.
CREATE TABLE "ingest_arrivals" (
    "id" BIGSERIAL NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "digest" TEXT NOT NULL,
    "duplicate" BOOLEAN NOT NULL DEFAULT false,
    "accepted_counts" JSONB NOT NULL DEFAULT '{}',
    "rejected_counts" JSONB NOT NULL DEFAULT '{}',
    CONSTRAINT "ingest_arrivals_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "ingest_arrivals_received_at_idx" ON "ingest_arrivals"("received_at" DESC);

-- History from ingest_batches: each batch when it was stored; the arrival times of its earlier
-- retries were never kept, so they are placed at the batch's own time (as they were reported).
-- Rejections were only counted per batch: they go to the one service the batch's stored records
-- went to, else to its tag (the rule new batches follow, less the service a record named).
INSERT INTO "ingest_arrivals" ("received_at", "digest", "duplicate", "accepted_counts", "rejected_counts")
SELECT b.received_at, b.digest, d.n > 0,
       CASE WHEN d.n > 0 THEN (SELECT coalesce(jsonb_object_agg(k, 0), '{}') FROM jsonb_object_keys(b.service_counts) AS k) ELSE b.service_counts END,
       CASE WHEN b.rejected > 0 OR b.service_counts = '{}' THEN jsonb_build_object(
              coalesce((SELECT min(k) FROM jsonb_object_keys(b.service_counts) AS k HAVING count(*) = 1), b.service),
              CASE WHEN d.n > 0 THEN 0 ELSE b.rejected END)
            ELSE '{}' END
FROM "ingest_batches" AS b, generate_series(0, b.duplicates) AS d(n);
