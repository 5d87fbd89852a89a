-- Per-service-and-status rollups: per (bucket, service, status) at 5 minutes and 1 hour, with
-- histograms and 4xx/5xx counts like the other derived levels, built by compaction from
-- rollup_minute and rollup_hour under the same rollup_dirty rule. Reads grouped by status that need
-- nothing finer than the service (errorDistribution) read a few rows per service and bucket
-- instead of one per endpoint and status, and 5-minute rows instead of minutes at the range's
-- edges. rollup-levels.ts SERVICE_STATUS_LEVELS.

-- The backfill below reads every minute and hour rollup row; the session's statement timeout is
-- meant for queries, not for this one-off.
SET LOCAL statement_timeout = 0;
SET LOCAL work_mem = '256MB';

CREATE TABLE "rollup_status_5m" (
    "bucket" TIMESTAMPTZ(3) NOT NULL,
    "service" TEXT NOT NULL,
    "status" SMALLINT NOT NULL,
    "count" INTEGER NOT NULL,
    "errors_4xx" INTEGER NOT NULL,
    "errors_5xx" INTEGER NOT NULL,
    "latency_sum" DOUBLE PRECISION NOT NULL,
    "latency_max" DOUBLE PRECISION NOT NULL,
    "hist_keys" SMALLINT[],
    "hist_counts" INTEGER[],
    CONSTRAINT "rollup_status_5m_pkey" PRIMARY KEY ("bucket","service","status")
);

CREATE TABLE "rollup_status_hour" (LIKE "rollup_status_5m" INCLUDING ALL);

-- Backfill with the statements compaction runs. Buckets still marked dirty are rebuilt by the next
-- compaction, as for the other derived levels.

INSERT INTO rollup_status_5m (bucket, service, status, count, errors_4xx, errors_5xx, latency_sum, latency_max, hist_keys, hist_counts)
SELECT t.b, t.service, t.status, t.c, t.e4, t.e5, t.ls, t.lm, coalesce(h.ks, '{}'), coalesce(h.ns, '{}')
FROM (
  SELECT b, service, status, sum(count)::int AS c, sum(e4)::int AS e4, sum(e5)::int AS e5, sum(latency_sum) AS ls, max(latency_max) AS lm
  FROM (SELECT date_bin('300 seconds'::interval, bucket, timestamptz '2000-01-03 00:00:00+00') AS b, service, status, count, CASE WHEN status >= 400 AND status < 500 THEN count ELSE 0 END AS e4, CASE WHEN status >= 500 THEN count ELSE 0 END AS e5, latency_sum, latency_max FROM rollup_minute) AS src
  GROUP BY b, service, status
) AS t LEFT JOIN (
  SELECT b, service, status, array_agg(k ORDER BY k) AS ks, array_agg(n ORDER BY k) AS ns
  FROM (
    SELECT b, service, status, k, sum(n)::int AS n
    FROM (SELECT date_bin('300 seconds'::interval, bucket, timestamptz '2000-01-03 00:00:00+00') AS b, service, status, unnest(hist_keys) AS k, unnest(hist_counts) AS n FROM rollup_minute) AS entries
    GROUP BY b, service, status, k
  ) AS per_key
  GROUP BY b, service, status
) AS h USING (b, service, status);

INSERT INTO rollup_status_hour (bucket, service, status, count, errors_4xx, errors_5xx, latency_sum, latency_max, hist_keys, hist_counts)
SELECT t.b, t.service, t.status, t.c, t.e4, t.e5, t.ls, t.lm, coalesce(h.ks, '{}'), coalesce(h.ns, '{}')
FROM (
  SELECT b, service, status, sum(count)::int AS c, sum(e4)::int AS e4, sum(e5)::int AS e5, sum(latency_sum) AS ls, max(latency_max) AS lm
  FROM (SELECT date_bin('3600 seconds'::interval, bucket, timestamptz '2000-01-03 00:00:00+00') AS b, service, status, count, CASE WHEN status >= 400 AND status < 500 THEN count ELSE 0 END AS e4, CASE WHEN status >= 500 THEN count ELSE 0 END AS e5, latency_sum, latency_max FROM rollup_hour) AS src
  GROUP BY b, service, status
) AS t LEFT JOIN (
  SELECT b, service, status, array_agg(k ORDER BY k) AS ks, array_agg(n ORDER BY k) AS ns
  FROM (
    SELECT b, service, status, k, sum(n)::int AS n
    FROM (SELECT date_bin('3600 seconds'::interval, bucket, timestamptz '2000-01-03 00:00:00+00') AS b, service, status, unnest(hist_keys) AS k, unnest(hist_counts) AS n FROM rollup_hour) AS entries
    GROUP BY b, service, status, k
  ) AS per_key
  GROUP BY b, service, status
) AS h USING (b, service, status);
