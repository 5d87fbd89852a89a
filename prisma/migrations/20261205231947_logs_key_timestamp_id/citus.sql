-- On a Citus cluster whose logs table is already distributed (gateway/src/storage/migrate.ts runs
-- this instead of migration.sql there): a distributed table's primary key must contain its
-- distribution column, so the key becomes ("service", "timestamp", "id"), the one a fresh cluster
-- gets (gateway/src/storage/citus.ts), and the ("timestamp" DESC, "id" DESC) index stays:
-- recentLogs pages across services by (timestamp, id).
SET LOCAL statement_timeout = 0;

ALTER TABLE "logs" DROP CONSTRAINT "logs_pkey";
ALTER TABLE "logs" ADD CONSTRAINT "logs_pkey" PRIMARY KEY ("service", "timestamp", "id");
