-- All-traffic rollups: one row per bucket (no service, method, route or status) at 5 minutes,
-- 15 minutes and 1 hour, with the histogram and the latency summary (p50/p95/p99 keys, as on the
-- endpoint levels). Built by compaction from the per-service levels under the same rollup_dirty
-- rule, so the unfiltered overall series (traffic, the overall anomaly series and its seasonal
-- hours) read one stored row per point instead of merging every service's histogram.
-- rollup-levels.ts ALL_LEVELS.

-- The backfill below reads every per-service rollup row; the session's statement timeout is meant
-- for queries, not for this one-off.
SET LOCAL statement_timeout = 0;
SET LOCAL work_mem = '256MB';

CREATE TABLE "rollup_all_5m" (
    "bucket" TIMESTAMPTZ(3) NOT NULL,
    "count" INTEGER NOT NULL,
    "errors_4xx" INTEGER NOT NULL,
    "errors_5xx" INTEGER NOT NULL,
    "latency_sum" DOUBLE PRECISION NOT NULL,
    "latency_max" DOUBLE PRECISION NOT NULL,
    "hist_keys" SMALLINT[],
    "hist_counts" INTEGER[],
    "p50_key" SMALLINT,
    "p95_key" SMALLINT,
    "p99_key" SMALLINT,
    "p95_lower_key" SMALLINT,
    CONSTRAINT "rollup_all_5m_pkey" PRIMARY KEY ("bucket")
);

CREATE TABLE "rollup_all_15m" (LIKE "rollup_all_5m" INCLUDING ALL);
CREATE TABLE "rollup_all_hour" (LIKE "rollup_all_5m" INCLUDING ALL);

-- Backfill from the per-service rollups, finest level first (the 15-minute level is built from the
-- 5-minute one), with the statements compaction runs, then the summaries. Buckets still marked
-- dirty are rebuilt by the next compaction, as for the other derived levels.

INSERT INTO rollup_all_5m (bucket, count, errors_4xx, errors_5xx, latency_sum, latency_max, hist_keys, hist_counts)
SELECT t.b, t.c, t.e4, t.e5, t.ls, t.lm, coalesce(h.ks, '{}'), coalesce(h.ns, '{}')
FROM (
  SELECT b, sum(count)::int AS c, sum(e4)::int AS e4, sum(e5)::int AS e5, sum(latency_sum) AS ls, max(latency_max) AS lm
  FROM (SELECT date_bin('300 seconds'::interval, bucket, timestamptz '2000-01-03 00:00:00+00') AS b, count, errors_4xx AS e4, errors_5xx AS e5, latency_sum, latency_max FROM rollup_service_5m) AS src
  GROUP BY b
) AS t LEFT JOIN (
  SELECT b, array_agg(k ORDER BY k) AS ks, array_agg(n ORDER BY k) AS ns
  FROM (
    SELECT b, k, sum(n)::int AS n
    FROM (SELECT date_bin('300 seconds'::interval, bucket, timestamptz '2000-01-03 00:00:00+00') AS b, unnest(hist_keys) AS k, unnest(hist_counts) AS n FROM rollup_service_5m) AS entries
    GROUP BY b, k
  ) AS per_key
  GROUP BY b
) AS h USING (b);

INSERT INTO rollup_all_15m (bucket, count, errors_4xx, errors_5xx, latency_sum, latency_max, hist_keys, hist_counts)
SELECT t.b, t.c, t.e4, t.e5, t.ls, t.lm, coalesce(h.ks, '{}'), coalesce(h.ns, '{}')
FROM (
  SELECT b, sum(count)::int AS c, sum(e4)::int AS e4, sum(e5)::int AS e5, sum(latency_sum) AS ls, max(latency_max) AS lm
  FROM (SELECT date_bin('900 seconds'::interval, bucket, timestamptz '2000-01-03 00:00:00+00') AS b, count, errors_4xx AS e4, errors_5xx AS e5, latency_sum, latency_max FROM rollup_all_5m) AS src
  GROUP BY b
) AS t LEFT JOIN (
  SELECT b, array_agg(k ORDER BY k) AS ks, array_agg(n ORDER BY k) AS ns
  FROM (
    SELECT b, k, sum(n)::int AS n
    FROM (SELECT date_bin('900 seconds'::interval, bucket, timestamptz '2000-01-03 00:00:00+00') AS b, unnest(hist_keys) AS k, unnest(hist_counts) AS n FROM rollup_all_5m) AS entries
    GROUP BY b, k
  ) AS per_key
  GROUP BY b
) AS h USING (b);

INSERT INTO rollup_all_hour (bucket, count, errors_4xx, errors_5xx, latency_sum, latency_max, hist_keys, hist_counts)
SELECT t.b, t.c, t.e4, t.e5, t.ls, t.lm, coalesce(h.ks, '{}'), coalesce(h.ns, '{}')
FROM (
  SELECT b, sum(count)::int AS c, sum(e4)::int AS e4, sum(e5)::int AS e5, sum(latency_sum) AS ls, max(latency_max) AS lm
  FROM (SELECT date_bin('3600 seconds'::interval, bucket, timestamptz '2000-01-03 00:00:00+00') AS b, count, errors_4xx AS e4, errors_5xx AS e5, latency_sum, latency_max FROM rollup_service_hour) AS src
  GROUP BY b
) AS t LEFT JOIN (
  SELECT b, array_agg(k ORDER BY k) AS ks, array_agg(n ORDER BY k) AS ns
  FROM (
    SELECT b, k, sum(n)::int AS n
    FROM (SELECT date_bin('3600 seconds'::interval, bucket, timestamptz '2000-01-03 00:00:00+00') AS b, unnest(hist_keys) AS k, unnest(hist_counts) AS n FROM rollup_service_hour) AS entries
    GROUP BY b, k
  ) AS per_key
  GROUP BY b
) AS h USING (b);

UPDATE rollup_all_5m SET
  p50_key = (SELECT e.k FROM (
    SELECT u.k, u.i, sum(u.n) OVER (ORDER BY u.i) AS seen, sum(u.n) OVER () AS total
    FROM unnest(hist_keys, hist_counts) WITH ORDINALITY AS u(k, n, i)
  ) AS e WHERE e.seen >= greatest(1, ceil((0.5::float8) * e.total)) ORDER BY e.i LIMIT 1),
  p95_key = (SELECT e.k FROM (
    SELECT u.k, u.i, sum(u.n) OVER (ORDER BY u.i) AS seen, sum(u.n) OVER () AS total
    FROM unnest(hist_keys, hist_counts) WITH ORDINALITY AS u(k, n, i)
  ) AS e WHERE e.seen >= greatest(1, ceil((0.95::float8) * e.total)) ORDER BY e.i LIMIT 1),
  p99_key = (SELECT e.k FROM (
    SELECT u.k, u.i, sum(u.n) OVER (ORDER BY u.i) AS seen, sum(u.n) OVER () AS total
    FROM unnest(hist_keys, hist_counts) WITH ORDINALITY AS u(k, n, i)
  ) AS e WHERE e.seen >= greatest(1, ceil((0.99::float8) * e.total)) ORDER BY e.i LIMIT 1),
  p95_lower_key = (SELECT e.k FROM (
    SELECT u.k, u.i, sum(u.n) OVER (ORDER BY u.i) AS seen, sum(u.n) OVER () AS total
    FROM unnest(hist_keys, hist_counts) WITH ORDINALITY AS u(k, n, i)
  ) AS e WHERE e.seen >= greatest(1, ceil((greatest(0, 0.95::float8 - 2.576::float8 * sqrt((0.95::float8 * (1 - 0.95::float8)) / nullif(count, 0)))) * e.total)) ORDER BY e.i LIMIT 1);

UPDATE rollup_all_15m SET
  p50_key = (SELECT e.k FROM (
    SELECT u.k, u.i, sum(u.n) OVER (ORDER BY u.i) AS seen, sum(u.n) OVER () AS total
    FROM unnest(hist_keys, hist_counts) WITH ORDINALITY AS u(k, n, i)
  ) AS e WHERE e.seen >= greatest(1, ceil((0.5::float8) * e.total)) ORDER BY e.i LIMIT 1),
  p95_key = (SELECT e.k FROM (
    SELECT u.k, u.i, sum(u.n) OVER (ORDER BY u.i) AS seen, sum(u.n) OVER () AS total
    FROM unnest(hist_keys, hist_counts) WITH ORDINALITY AS u(k, n, i)
  ) AS e WHERE e.seen >= greatest(1, ceil((0.95::float8) * e.total)) ORDER BY e.i LIMIT 1),
  p99_key = (SELECT e.k FROM (
    SELECT u.k, u.i, sum(u.n) OVER (ORDER BY u.i) AS seen, sum(u.n) OVER () AS total
    FROM unnest(hist_keys, hist_counts) WITH ORDINALITY AS u(k, n, i)
  ) AS e WHERE e.seen >= greatest(1, ceil((0.99::float8) * e.total)) ORDER BY e.i LIMIT 1),
  p95_lower_key = (SELECT e.k FROM (
    SELECT u.k, u.i, sum(u.n) OVER (ORDER BY u.i) AS seen, sum(u.n) OVER () AS total
    FROM unnest(hist_keys, hist_counts) WITH ORDINALITY AS u(k, n, i)
  ) AS e WHERE e.seen >= greatest(1, ceil((greatest(0, 0.95::float8 - 2.576::float8 * sqrt((0.95::float8 * (1 - 0.95::float8)) / nullif(count, 0)))) * e.total)) ORDER BY e.i LIMIT 1);

UPDATE rollup_all_hour SET
  p50_key = (SELECT e.k FROM (
    SELECT u.k, u.i, sum(u.n) OVER (ORDER BY u.i) AS seen, sum(u.n) OVER () AS total
    FROM unnest(hist_keys, hist_counts) WITH ORDINALITY AS u(k, n, i)
  ) AS e WHERE e.seen >= greatest(1, ceil((0.5::float8) * e.total)) ORDER BY e.i LIMIT 1),
  p95_key = (SELECT e.k FROM (
    SELECT u.k, u.i, sum(u.n) OVER (ORDER BY u.i) AS seen, sum(u.n) OVER () AS total
    FROM unnest(hist_keys, hist_counts) WITH ORDINALITY AS u(k, n, i)
  ) AS e WHERE e.seen >= greatest(1, ceil((0.95::float8) * e.total)) ORDER BY e.i LIMIT 1),
  p99_key = (SELECT e.k FROM (
    SELECT u.k, u.i, sum(u.n) OVER (ORDER BY u.i) AS seen, sum(u.n) OVER () AS total
    FROM unnest(hist_keys, hist_counts) WITH ORDINALITY AS u(k, n, i)
  ) AS e WHERE e.seen >= greatest(1, ceil((0.99::float8) * e.total)) ORDER BY e.i LIMIT 1),
  p95_lower_key = (SELECT e.k FROM (
    SELECT u.k, u.i, sum(u.n) OVER (ORDER BY u.i) AS seen, sum(u.n) OVER () AS total
    FROM unnest(hist_keys, hist_counts) WITH ORDINALITY AS u(k, n, i)
  ) AS e WHERE e.seen >= greatest(1, ceil((greatest(0, 0.95::float8 - 2.576::float8 * sqrt((0.95::float8 * (1 - 0.95::float8)) / nullif(count, 0)))) * e.total)) ORDER BY e.i LIMIT 1);
