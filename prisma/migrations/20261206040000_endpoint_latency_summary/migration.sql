-- Latency summary per endpoint-level row: the histogram keys of p50, p95, p99 and of the lower end
-- of p95's 99 % confidence interval, so a per-endpoint series reads numbers instead of histograms
-- (rollup-levels.ts latencySummarySql; compaction fills them for every bucket it rebuilds).
-- NULL keys mean "not summarised": readers fall back to the histogram.

ALTER TABLE rollup_endpoint_5m ADD COLUMN p50_key smallint, ADD COLUMN p95_key smallint, ADD COLUMN p99_key smallint, ADD COLUMN p95_lower_key smallint;
ALTER TABLE rollup_endpoint_15m ADD COLUMN p50_key smallint, ADD COLUMN p95_key smallint, ADD COLUMN p99_key smallint, ADD COLUMN p95_lower_key smallint;
ALTER TABLE rollup_endpoint_hour ADD COLUMN p50_key smallint, ADD COLUMN p95_key smallint, ADD COLUMN p99_key smallint, ADD COLUMN p95_lower_key smallint;

-- Backfill: the statement compaction runs, over every stored row.
UPDATE rollup_endpoint_5m SET
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

UPDATE rollup_endpoint_15m SET
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

UPDATE rollup_endpoint_hour SET
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
