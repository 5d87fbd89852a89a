-- Endpoint rollups: per (bucket, service, method, route) without the status, at 5 minutes,
-- 15 minutes and 1 hour, so per-endpoint series and traffic charts read one row per endpoint
-- and bucket instead of one per status and minute. They are DERIVED from rollup_minute and
-- rollup_hour (exact: histograms merge by summing counts per key) by the gateway's compaction
-- (gateway/src/ingest/rollup-compaction.ts), not written by ingest, so ingest costs nothing
-- more. Ingest marks each 5-minute bucket it writes in rollup_dirty (same statement as the
-- rollups); a marked bucket, and any 15-minute or hour bucket containing one, is read from
-- the fine rollups until compaction has rebuilt it and removed the mark.

-- The backfill below reads every existing rollup row; the session's statement timeout is
-- meant for queries, not for this one-off.
SET LOCAL statement_timeout = 0;
SET LOCAL work_mem = '256MB';

CREATE TABLE "rollup_endpoint_5m" (
    "bucket" TIMESTAMPTZ(3) NOT NULL,
    "service" TEXT NOT NULL,
    "method" TEXT NOT NULL,
    "route" TEXT NOT NULL,
    "count" INTEGER NOT NULL,
    "errors_4xx" INTEGER NOT NULL,
    "errors_5xx" INTEGER NOT NULL,
    "latency_sum" DOUBLE PRECISION NOT NULL,
    "latency_max" DOUBLE PRECISION NOT NULL,
    "hist_keys" SMALLINT[],
    "hist_counts" INTEGER[],
    CONSTRAINT "rollup_endpoint_5m_pkey" PRIMARY KEY ("bucket","service","method","route")
);

CREATE TABLE "rollup_endpoint_15m" (LIKE "rollup_endpoint_5m" INCLUDING ALL);
CREATE TABLE "rollup_endpoint_hour" (LIKE "rollup_endpoint_5m" INCLUDING ALL);

-- 5-minute buckets whose rollup_minute rows changed since the endpoint rollups were built.
CREATE TABLE "rollup_dirty" (
    "bucket" TIMESTAMPTZ(3) NOT NULL,
    "marked_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "rollup_dirty_pkey" PRIMARY KEY ("bucket")
);

-- Backfill from the existing rollups, finest level first (the 15-minute level is built from the
-- 5-minute one): the same statements as endpointRollupSql() in gateway/src/analytics/rollup-levels.ts,
-- which compaction and bench/lib/seed.ts run (a test checks they stay identical).
INSERT INTO rollup_endpoint_5m (bucket, service, method, route, count, errors_4xx, errors_5xx, latency_sum, latency_max, hist_keys, hist_counts)
SELECT t.b, t.service, t.method, t.route, t.c, t.e4, t.e5, t.ls, t.lm, coalesce(h.ks, '{}'), coalesce(h.ns, '{}')
FROM (
  SELECT b, service, method, route, sum(count)::int AS c, sum(e4)::int AS e4, sum(e5)::int AS e5, sum(latency_sum) AS ls, max(latency_max) AS lm
  FROM (SELECT date_bin('300 seconds'::interval, bucket, timestamptz '2000-01-03 00:00:00+00') AS b, service, method, route, count, CASE WHEN status >= 400 AND status < 500 THEN count ELSE 0 END AS e4, CASE WHEN status >= 500 THEN count ELSE 0 END AS e5, latency_sum, latency_max FROM rollup_minute) AS src
  GROUP BY b, service, method, route
) AS t LEFT JOIN (
  SELECT b, service, method, route, array_agg(k ORDER BY k) AS ks, array_agg(n ORDER BY k) AS ns
  FROM (
    SELECT b, service, method, route, k, sum(n)::int AS n
    FROM (SELECT date_bin('300 seconds'::interval, bucket, timestamptz '2000-01-03 00:00:00+00') AS b, service, method, route, unnest(hist_keys) AS k, unnest(hist_counts) AS n FROM rollup_minute) AS entries
    GROUP BY b, service, method, route, k
  ) AS per_key
  GROUP BY b, service, method, route
) AS h USING (b, service, method, route);

INSERT INTO rollup_endpoint_15m (bucket, service, method, route, count, errors_4xx, errors_5xx, latency_sum, latency_max, hist_keys, hist_counts)
SELECT t.b, t.service, t.method, t.route, t.c, t.e4, t.e5, t.ls, t.lm, coalesce(h.ks, '{}'), coalesce(h.ns, '{}')
FROM (
  SELECT b, service, method, route, sum(count)::int AS c, sum(e4)::int AS e4, sum(e5)::int AS e5, sum(latency_sum) AS ls, max(latency_max) AS lm
  FROM (SELECT date_bin('900 seconds'::interval, bucket, timestamptz '2000-01-03 00:00:00+00') AS b, service, method, route, count, errors_4xx AS e4, errors_5xx AS e5, latency_sum, latency_max FROM rollup_endpoint_5m) AS src
  GROUP BY b, service, method, route
) AS t LEFT JOIN (
  SELECT b, service, method, route, array_agg(k ORDER BY k) AS ks, array_agg(n ORDER BY k) AS ns
  FROM (
    SELECT b, service, method, route, k, sum(n)::int AS n
    FROM (SELECT date_bin('900 seconds'::interval, bucket, timestamptz '2000-01-03 00:00:00+00') AS b, service, method, route, unnest(hist_keys) AS k, unnest(hist_counts) AS n FROM rollup_endpoint_5m) AS entries
    GROUP BY b, service, method, route, k
  ) AS per_key
  GROUP BY b, service, method, route
) AS h USING (b, service, method, route);

INSERT INTO rollup_endpoint_hour (bucket, service, method, route, count, errors_4xx, errors_5xx, latency_sum, latency_max, hist_keys, hist_counts)
SELECT t.b, t.service, t.method, t.route, t.c, t.e4, t.e5, t.ls, t.lm, coalesce(h.ks, '{}'), coalesce(h.ns, '{}')
FROM (
  SELECT b, service, method, route, sum(count)::int AS c, sum(e4)::int AS e4, sum(e5)::int AS e5, sum(latency_sum) AS ls, max(latency_max) AS lm
  FROM (SELECT date_bin('3600 seconds'::interval, bucket, timestamptz '2000-01-03 00:00:00+00') AS b, service, method, route, count, CASE WHEN status >= 400 AND status < 500 THEN count ELSE 0 END AS e4, CASE WHEN status >= 500 THEN count ELSE 0 END AS e5, latency_sum, latency_max FROM rollup_hour) AS src
  GROUP BY b, service, method, route
) AS t LEFT JOIN (
  SELECT b, service, method, route, array_agg(k ORDER BY k) AS ks, array_agg(n ORDER BY k) AS ns
  FROM (
    SELECT b, service, method, route, k, sum(n)::int AS n
    FROM (SELECT date_bin('3600 seconds'::interval, bucket, timestamptz '2000-01-03 00:00:00+00') AS b, service, method, route, unnest(hist_keys) AS k, unnest(hist_counts) AS n FROM rollup_hour) AS entries
    GROUP BY b, service, method, route, k
  ) AS per_key
  GROUP BY b, service, method, route
) AS h USING (b, service, method, route);
