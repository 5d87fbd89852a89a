-- logpulse initial schema: raw logs, minute/hour rollups, dead letters, batch idempotency.

CREATE TABLE "logs" (
    "id" BIGSERIAL NOT NULL,
    "timestamp" TIMESTAMPTZ(3) NOT NULL,
    "service" TEXT NOT NULL,
    "method" TEXT NOT NULL,
    "path" TEXT NOT NULL,
    "route" TEXT NOT NULL,
    "status" SMALLINT NOT NULL,
    "latency_ms" DOUBLE PRECISION NOT NULL,
    "user_agent" TEXT,
    "ip_address" TEXT,
    "request_id" TEXT,
    "bytes" INTEGER,
    "extra" JSONB,
    "ingested_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "batch_id" TEXT NOT NULL,
    CONSTRAINT "logs_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "logs_timestamp_id_idx" ON "logs"("timestamp" DESC, "id" DESC);
CREATE INDEX "logs_service_timestamp_idx" ON "logs"("service", "timestamp" DESC);
-- Drill-downs by endpoint (endpointDetail, recent errors) over a time range.
CREATE INDEX "logs_route_timestamp_idx" ON "logs"("route", "timestamp" DESC);

CREATE TABLE "rollup_minute" (
    "bucket" TIMESTAMPTZ(3) NOT NULL,
    "service" TEXT NOT NULL,
    "method" TEXT NOT NULL,
    "route" TEXT NOT NULL,
    "status" SMALLINT NOT NULL,
    "count" INTEGER NOT NULL,
    "latency_sum" DOUBLE PRECISION NOT NULL,
    "latency_max" DOUBLE PRECISION NOT NULL,
    "hist_keys" SMALLINT[],
    "hist_counts" INTEGER[],
    CONSTRAINT "rollup_minute_pkey" PRIMARY KEY ("bucket","service","method","route","status")
);

CREATE TABLE "rollup_hour" (
    "bucket" TIMESTAMPTZ(3) NOT NULL,
    "service" TEXT NOT NULL,
    "method" TEXT NOT NULL,
    "route" TEXT NOT NULL,
    "status" SMALLINT NOT NULL,
    "count" INTEGER NOT NULL,
    "latency_sum" DOUBLE PRECISION NOT NULL,
    "latency_max" DOUBLE PRECISION NOT NULL,
    "hist_keys" SMALLINT[],
    "hist_counts" INTEGER[],
    CONSTRAINT "rollup_hour_pkey" PRIMARY KEY ("bucket","service","method","route","status")
);

CREATE TABLE "dead_letters" (
    "id" BIGSERIAL NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "service" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "raw" TEXT NOT NULL,
    "body" BYTEA,
    "batch_id" TEXT,
    CONSTRAINT "dead_letters_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "dead_letters_received_at_idx" ON "dead_letters"("received_at" DESC);

CREATE TABLE "ingest_batches" (
    "digest" TEXT NOT NULL,
    "service" TEXT NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "accepted" INTEGER NOT NULL,
    "rejected" INTEGER NOT NULL,
    "bytes" INTEGER NOT NULL,
    "duplicates" INTEGER NOT NULL DEFAULT 0,
    "service_counts" JSONB NOT NULL DEFAULT '{}',
    CONSTRAINT "ingest_batches_pkey" PRIMARY KEY ("digest")
);
CREATE INDEX "ingest_batches_received_at_idx" ON "ingest_batches"("received_at" DESC);

CREATE TABLE "service_routes" (
    "service" TEXT NOT NULL,
    "method" TEXT NOT NULL,
    "route" TEXT NOT NULL,
    "first_seen" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "service_routes_pkey" PRIMARY KEY ("service","method","route")
);
