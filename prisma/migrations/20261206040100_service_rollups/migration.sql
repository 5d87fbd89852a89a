-- Per-service rollups: per (bucket, service) at 5 minutes, 15 minutes and 1 hour, with histograms,
-- derived from the endpoint rollups by compaction like them (same rollup_dirty rule), so
-- overall and per-service series (traffic, the overall anomaly series) merge one row per service
-- and bucket instead of one per endpoint. rollup-levels.ts SERVICE_LEVELS.

-- The backfill below reads every endpoint rollup row; the session's statement timeout is meant
-- for queries, not for this one-off.
SET LOCAL statement_timeout = 0;
SET LOCAL work_mem = '256MB';

CREATE TABLE "rollup_service_5m" (
    "bucket" TIMESTAMPTZ(3) NOT NULL,
    "service" TEXT NOT NULL,
    "count" INTEGER NOT NULL,
    "errors_4xx" INTEGER NOT NULL,
    "errors_5xx" INTEGER NOT NULL,
    "latency_sum" DOUBLE PRECISION NOT NULL,
    "latency_max" DOUBLE PRECISION NOT NULL,
    "hist_keys" SMALLINT[],
    "hist_counts" INTEGER[],
    CONSTRAINT "rollup_service_5m_pkey" PRIMARY KEY ("bucket","service")
);

CREATE TABLE "rollup_service_15m" (LIKE "rollup_service_5m" INCLUDING ALL);
CREATE TABLE "rollup_service_hour" (LIKE "rollup_service_5m" INCLUDING ALL);

-- Backfill from the endpoint rollups, finest level first (the 15-minute level is built from the
-- 5-minute one), with the statements compaction runs. Buckets still marked dirty are rebuilt by
-- the next compaction, as for the endpoint levels.
INSERT INTO rollup_service_5m (bucket, service, count, errors_4xx, errors_5xx, latency_sum, latency_max, hist_keys, hist_counts)
SELECT t.b, t.service, t.c, t.e4, t.e5, t.ls, t.lm, coalesce(h.ks, '{}'), coalesce(h.ns, '{}')
FROM (
  SELECT b, service, sum(count)::int AS c, sum(e4)::int AS e4, sum(e5)::int AS e5, sum(latency_sum) AS ls, max(latency_max) AS lm
  FROM (SELECT date_bin('300 seconds'::interval, bucket, timestamptz '2000-01-03 00:00:00+00') AS b, service, count, errors_4xx AS e4, errors_5xx AS e5, latency_sum, latency_max FROM rollup_endpoint_5m) AS src
  GROUP BY b, service
) AS t LEFT JOIN (
  SELECT b, service, array_agg(k ORDER BY k) AS ks, array_agg(n ORDER BY k) AS ns
  FROM (
    SELECT b, service, k, sum(n)::int AS n
    FROM (SELECT date_bin('300 seconds'::interval, bucket, timestamptz '2000-01-03 00:00:00+00') AS b, service, unnest(hist_keys) AS k, unnest(hist_counts) AS n FROM rollup_endpoint_5m) AS entries
    GROUP BY b, service, k
  ) AS per_key
  GROUP BY b, service
) AS h USING (b, service);

INSERT INTO rollup_service_15m (bucket, service, count, errors_4xx, errors_5xx, latency_sum, latency_max, hist_keys, hist_counts)
SELECT t.b, t.service, t.c, t.e4, t.e5, t.ls, t.lm, coalesce(h.ks, '{}'), coalesce(h.ns, '{}')
FROM (
  SELECT b, service, sum(count)::int AS c, sum(e4)::int AS e4, sum(e5)::int AS e5, sum(latency_sum) AS ls, max(latency_max) AS lm
  FROM (SELECT date_bin('900 seconds'::interval, bucket, timestamptz '2000-01-03 00:00:00+00') AS b, service, count, errors_4xx AS e4, errors_5xx AS e5, latency_sum, latency_max FROM rollup_service_5m) AS src
  GROUP BY b, service
) AS t LEFT JOIN (
  SELECT b, service, array_agg(k ORDER BY k) AS ks, array_agg(n ORDER BY k) AS ns
  FROM (
    SELECT b, service, k, sum(n)::int AS n
    FROM (SELECT date_bin('900 seconds'::interval, bucket, timestamptz '2000-01-03 00:00:00+00') AS b, service, unnest(hist_keys) AS k, unnest(hist_counts) AS n FROM rollup_service_5m) AS entries
    GROUP BY b, service, k
  ) AS per_key
  GROUP BY b, service
) AS h USING (b, service);

INSERT INTO rollup_service_hour (bucket, service, count, errors_4xx, errors_5xx, latency_sum, latency_max, hist_keys, hist_counts)
SELECT t.b, t.service, t.c, t.e4, t.e5, t.ls, t.lm, coalesce(h.ks, '{}'), coalesce(h.ns, '{}')
FROM (
  SELECT b, service, sum(count)::int AS c, sum(e4)::int AS e4, sum(e5)::int AS e5, sum(latency_sum) AS ls, max(latency_max) AS lm
  FROM (SELECT date_bin('3600 seconds'::interval, bucket, timestamptz '2000-01-03 00:00:00+00') AS b, service, count, errors_4xx AS e4, errors_5xx AS e5, latency_sum, latency_max FROM rollup_endpoint_hour) AS src
  GROUP BY b, service
) AS t LEFT JOIN (
  SELECT b, service, array_agg(k ORDER BY k) AS ks, array_agg(n ORDER BY k) AS ns
  FROM (
    SELECT b, service, k, sum(n)::int AS n
    FROM (SELECT date_bin('3600 seconds'::interval, bucket, timestamptz '2000-01-03 00:00:00+00') AS b, service, unnest(hist_keys) AS k, unnest(hist_counts) AS n FROM rollup_endpoint_hour) AS entries
    GROUP BY b, service, k
  ) AS per_key
  GROUP BY b, service
) AS h USING (b, service);
