-- logs: the primary key becomes ("timestamp", "id") and takes over from the separate
-- ("timestamp" DESC, "id" DESC) index, so the table keeps one index fewer (~22 bytes per record,
-- BENCHMARKS.md, storage). Nothing looked records up by id alone: recentLogs pages by
-- (timestamp, id) and reads a B-tree backwards as well as forwards, the raw samples and
-- pipelineHealth scan timestamp ranges, and retention deletes by (timestamp, id). The ids and
-- their sequence are unchanged. It is also the key a table partitioned by day must have
-- (deploy/postgres/partition-logs.sql).

-- Building the new key reads the whole table once; the session's statement timeout is meant for
-- queries, not for this one-off.
SET LOCAL statement_timeout = 0;

ALTER TABLE "logs" DROP CONSTRAINT "logs_pkey";
DROP INDEX "logs_timestamp_id_idx";
ALTER TABLE "logs" ADD CONSTRAINT "logs_pkey" PRIMARY KEY ("timestamp", "id");
