-- Latency histograms now reach 24 h (top key 268) instead of ~121 s (top key 182, which also held
-- every slower request). Keys keep their meaning, so stored histograms stay valid as they are.
-- What can be recovered of the old overflow: a row whose exact latency_max lies above key 182's
-- bucket had that maximum counted in key 182, so one count moves from 182 to the maximum's own
-- key (exact for the common case of one slow request in a row; the rest of an overflow stays at
-- ~116 s, capped by the exact max as before). Same rule in every table holding a histogram.
DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['rollup_minute', 'rollup_hour', 'rollup_endpoint_5m', 'rollup_endpoint_15m', 'rollup_endpoint_hour'] LOOP
    EXECUTE format($sql$
      UPDATE %I AS r SET (hist_keys, hist_counts) = (
        SELECT array_agg(k ORDER BY k), array_agg(n ORDER BY k)
        FROM (
          SELECT k, sum(n)::int AS n
          FROM (
            -- The maximum's key is appended to the row's own entries (one table function, no
            -- UNION: Citus can then run the statement on every shard).
            SELECT u.k, CASE WHEN u.k = 182 AND u.i <= cardinality(r.hist_keys) THEN u.n - 1 ELSE u.n END AS n
            FROM unnest(r.hist_keys || least(268, ceil(ln(r.latency_max / 0.1) / ln(1.08)))::smallint, r.hist_counts || 1)
              WITH ORDINALITY AS u(k, n, i)
          ) AS e
          GROUP BY k HAVING sum(n) > 0
        ) AS merged)
      WHERE r.latency_max > 0.1 * power(1.08, 182) AND 182 = ANY (r.hist_keys)
    $sql$, t);
  END LOOP;
END
$$;
