-- AI: stored analyses (insights) and chat conversations, each with the model tokens they cost
-- (the hourly token cap sums these, so the cap holds across gateway replicas).

CREATE TABLE "ai_insights" (
    "id" BIGSERIAL NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "window_minutes" INTEGER NOT NULL,
    "service" TEXT,
    "range_from" TIMESTAMPTZ(3) NOT NULL,
    "range_to" TIMESTAMPTZ(3) NOT NULL,
    "provider" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "summary" TEXT NOT NULL,
    "severity" TEXT NOT NULL,
    "worst_endpoint" TEXT,
    "problems" TEXT[] NOT NULL DEFAULT '{}',
    "causes" TEXT[] NOT NULL DEFAULT '{}',
    "improvements" TEXT[] NOT NULL DEFAULT '{}',
    "evidence" JSONB NOT NULL DEFAULT '[]',
    "notice" TEXT,
    "prompt_tokens" INTEGER NOT NULL DEFAULT 0,
    "completion_tokens" INTEGER NOT NULL DEFAULT 0,
    "total_tokens" INTEGER NOT NULL DEFAULT 0,
    "duration_ms" INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT "ai_insights_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "ai_insights_created_at_idx" ON "ai_insights"("created_at" DESC);

CREATE TABLE "chat_conversations" (
    "id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "title" TEXT NOT NULL,
    CONSTRAINT "chat_conversations_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "chat_conversations_updated_at_idx" ON "chat_conversations"("updated_at" DESC);

CREATE TABLE "chat_messages" (
    "id" BIGSERIAL NOT NULL,
    "conversation_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "role" TEXT NOT NULL,
    "content" TEXT NOT NULL,
    "language" TEXT,
    "provider" TEXT,
    "model" TEXT,
    "refused" BOOLEAN NOT NULL DEFAULT false,
    "citations" JSONB NOT NULL DEFAULT '[]',
    "tool_calls" INTEGER NOT NULL DEFAULT 0,
    "prompt_tokens" INTEGER NOT NULL DEFAULT 0,
    "completion_tokens" INTEGER NOT NULL DEFAULT 0,
    "total_tokens" INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT "chat_messages_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "chat_messages_conversation_id_fkey" FOREIGN KEY ("conversation_id") REFERENCES "chat_conversations"("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX "chat_messages_conversation_id_id_idx" ON "chat_messages"("conversation_id", "id");
CREATE INDEX "chat_messages_created_at_idx" ON "chat_messages"("created_at" DESC);
