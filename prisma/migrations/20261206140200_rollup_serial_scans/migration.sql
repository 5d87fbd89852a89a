-- Rollup reads are small: a 24 h analysis reads a few thousand rows of these tables. PostgreSQL
-- still plans them with parallel workers once the estimated cost passes parallel_setup_cost, and
-- starting the workers cost more than the scan on a busy 2-core machine (errorDistribution at 10M
-- rows over 24 h: 38 -> 14 ms p50 with parallel workers off, BENCHMARKS.md). Scans of these tables
-- run in the backend itself; raw-log scans keep their parallel plans. A new rollup table gets the
-- same setting (gateway/test/storage/endpoint-rollups.test.ts checks every table in ROLLUP_TABLES).
ALTER TABLE "rollup_minute" SET (parallel_workers = 0);
ALTER TABLE "rollup_hour" SET (parallel_workers = 0);
ALTER TABLE "rollup_endpoint_5m" SET (parallel_workers = 0);
ALTER TABLE "rollup_endpoint_15m" SET (parallel_workers = 0);
ALTER TABLE "rollup_endpoint_hour" SET (parallel_workers = 0);
ALTER TABLE "rollup_service_5m" SET (parallel_workers = 0);
ALTER TABLE "rollup_service_15m" SET (parallel_workers = 0);
ALTER TABLE "rollup_service_hour" SET (parallel_workers = 0);
ALTER TABLE "rollup_all_5m" SET (parallel_workers = 0);
ALTER TABLE "rollup_all_15m" SET (parallel_workers = 0);
ALTER TABLE "rollup_all_hour" SET (parallel_workers = 0);
ALTER TABLE "rollup_status_5m" SET (parallel_workers = 0);
ALTER TABLE "rollup_status_hour" SET (parallel_workers = 0);
