-- Alerting (README "Alerts"): rules, their evaluation state, the history of transitions, the
-- notification outbox (deliveries), channels, silences and the evaluator's leader lease.

CREATE TABLE "alert_channels" (
  "id" UUID PRIMARY KEY,
  "name" TEXT NOT NULL UNIQUE,
  -- webhook | slack | email
  "kind" TEXT NOT NULL,
  -- A URL (webhook, slack) or comma-separated addresses (email).
  "target" TEXT NOT NULL,
  -- HMAC key of the webhook signature; write-only through the API.
  "secret" TEXT,
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
  "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now()
);

CREATE TABLE "alert_rules" (
  "id" UUID PRIMARY KEY,
  "name" TEXT NOT NULL UNIQUE,
  "description" TEXT NOT NULL DEFAULT '',
  "enabled" BOOLEAN NOT NULL DEFAULT true,
  "muted" BOOLEAN NOT NULL DEFAULT false,
  -- error_rate | server_error_rate | p95 | p99 | request_rate_above | request_rate_below | no_data | anomaly
  "kind" TEXT NOT NULL,
  "threshold" DOUBLE PRECISION NOT NULL,
  "resolve_threshold" DOUBLE PRECISION,
  "service" TEXT,
  "route" TEXT,
  "method" TEXT,
  "window_seconds" INTEGER NOT NULL,
  "for_seconds" INTEGER NOT NULL DEFAULT 0,
  "interval_seconds" INTEGER NOT NULL DEFAULT 60,
  "min_requests" INTEGER NOT NULL DEFAULT 20,
  "severity" TEXT NOT NULL DEFAULT 'warning',
  "labels" JSONB NOT NULL DEFAULT '{}',
  "channel_ids" UUID[] NOT NULL DEFAULT '{}',
  "reminder_seconds" INTEGER,
  -- anomaly rules: which kind of anomaly (NULL: any) at which severity or worse.
  "anomaly_kind" TEXT,
  "min_severity" TEXT NOT NULL DEFAULT 'HIGH',
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
  "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now()
);

-- One row per rule; `version` makes every transition a compare-and-set, so two evaluators that
-- overlap during a leader change cannot both record the same transition.
CREATE TABLE "alert_state" (
  "rule_id" UUID PRIMARY KEY REFERENCES "alert_rules"("id") ON DELETE CASCADE,
  -- inactive | pending | firing | resolved
  "state" TEXT NOT NULL DEFAULT 'inactive',
  "version" BIGINT NOT NULL DEFAULT 0,
  "since" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
  "pending_since" TIMESTAMPTZ(3),
  "firing_since" TIMESTAMPTZ(3),
  "last_notified_at" TIMESTAMPTZ(3),
  "last_value" DOUBLE PRECISION,
  "last_evaluated_at" TIMESTAMPTZ(3),
  "last_error" TEXT
);

CREATE TABLE "alert_events" (
  "id" BIGSERIAL PRIMARY KEY,
  "rule_id" UUID REFERENCES "alert_rules"("id") ON DELETE SET NULL,
  "rule_name" TEXT NOT NULL,
  -- pending | firing | resolved | reminder | cancelled
  "kind" TEXT NOT NULL,
  "at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
  "value" DOUBLE PRECISION,
  "threshold" DOUBLE PRECISION NOT NULL,
  "severity" TEXT NOT NULL,
  "labels" JSONB NOT NULL DEFAULT '{}',
  "summary" TEXT NOT NULL,
  "firing_since" TIMESTAMPTZ(3)
);
CREATE INDEX "alert_events_at_idx" ON "alert_events" ("at" DESC);
CREATE INDEX "alert_events_rule_id_at_idx" ON "alert_events" ("rule_id", "at" DESC);

-- The outbox: written in the same transaction as the transition it notifies of.
CREATE TABLE "alert_deliveries" (
  "id" BIGSERIAL PRIMARY KEY,
  "event_id" BIGINT NOT NULL REFERENCES "alert_events"("id") ON DELETE CASCADE,
  "channel_id" UUID NOT NULL REFERENCES "alert_channels"("id") ON DELETE CASCADE,
  -- pending | sent | failed | silenced | muted
  "status" TEXT NOT NULL DEFAULT 'pending',
  "attempts" INTEGER NOT NULL DEFAULT 0,
  "next_attempt_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
  "lease_until" TIMESTAMPTZ(3),
  "last_error" TEXT,
  "response_status" INTEGER,
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
  "sent_at" TIMESTAMPTZ(3)
);
CREATE UNIQUE INDEX "alert_deliveries_event_id_channel_id_key" ON "alert_deliveries" ("event_id", "channel_id");
CREATE INDEX "alert_deliveries_status_next_attempt_at_idx" ON "alert_deliveries" ("status", "next_attempt_at");

CREATE TABLE "alert_silences" (
  "id" UUID PRIMARY KEY,
  "rule_id" UUID REFERENCES "alert_rules"("id") ON DELETE CASCADE,
  -- Every one of these labels must match the rule's (empty: no label condition).
  "labels" JSONB NOT NULL DEFAULT '{}',
  "starts_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
  "ends_at" TIMESTAMPTZ(3) NOT NULL,
  "comment" TEXT NOT NULL DEFAULT '',
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now()
);
CREATE INDEX "alert_silences_ends_at_idx" ON "alert_silences" ("ends_at");

-- Who evaluates: a lease (not a session advisory lock) because embedded mode has one pooled
-- connection, which a held session lock would pin.
CREATE TABLE "alert_leader" (
  "name" TEXT PRIMARY KEY,
  "holder" TEXT NOT NULL,
  "expires_at" TIMESTAMPTZ(3) NOT NULL
);

-- Defaults for the common cases, off until a user enables them.
INSERT INTO "alert_rules" ("id", "name", "description", "enabled", "kind", "threshold", "resolve_threshold", "window_seconds", "for_seconds", "interval_seconds", "min_requests", "severity", "labels") VALUES
  ('00000000-0000-4000-8000-000000000001', 'High 5xx rate', 'More than 5 % of requests answered 5xx over 5 minutes, for 2 minutes. Set a service to watch one.', false, 'server_error_rate', 0.05, 0.03, 300, 120, 60, 20, 'critical', '{"team": "default"}'),
  ('00000000-0000-4000-8000-000000000002', 'Slow p95 latency', 'p95 latency above 1 s over 5 minutes, for 5 minutes.', false, 'p95', 1000, 800, 300, 300, 60, 20, 'warning', '{"team": "default"}'),
  ('00000000-0000-4000-8000-000000000003', 'No data', 'No log records at all for 10 minutes: the service or the log pipeline is down.', false, 'no_data', 0, NULL, 600, 0, 60, 0, 'critical', '{"team": "default"}');
INSERT INTO "alert_state" ("rule_id") SELECT "id" FROM "alert_rules";
