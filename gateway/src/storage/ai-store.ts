import { channel } from 'node:diagnostics_channel';
import type { AiInsight, PrismaClient } from '../generated/prisma/client.ts';
import { AI_USAGE_CHANNEL, type AiUsageMessage, type TokenUsage } from '../domain/ai-usage.ts';
import type { Evidence } from '../domain/evidence.ts';
import type { InsightFindings } from '../domain/insight-findings.ts';
import type { Language } from '../domain/language.ts';

/** Persistence of AI insights and chat turns (Prisma; small rows, written once). */

/** A stored AI insight row, as saveInsight returns it. */
export type StoredInsight = AiInsight;

export interface NewInsight extends InsightFindings {
  windowMinutes: number;
  service: string | null;
  rangeFrom: Date;
  rangeTo: Date;
  provider: string;
  model: string;
  notice: string | null;
  usage: TokenUsage;
  durationMs: number;
}

export function saveInsight(prisma: PrismaClient, insight: NewInsight) {
  return prisma.aiInsight.create({
    data: {
      windowMinutes: insight.windowMinutes,
      service: insight.service,
      rangeFrom: insight.rangeFrom,
      rangeTo: insight.rangeTo,
      provider: insight.provider,
      model: insight.model,
      summary: insight.summary,
      severity: insight.severity,
      worstEndpoint: insight.worstEndpoint,
      problems: insight.problems,
      causes: insight.causes,
      improvements: insight.improvements,
      evidence: insight.evidence.map((e) => ({ label: e.label, value: e.value, unit: e.unit })),
      notice: insight.notice,
      promptTokens: insight.usage.promptTokens,
      completionTokens: insight.usage.completionTokens,
      totalTokens: insight.usage.totalTokens,
      durationMs: Math.round(insight.durationMs),
    },
  });
}

/** Model tokens spent (every request, failed ones included) since `since`: the hourly cap. */
export async function tokensUsedSince(prisma: PrismaClient, since: Date): Promise<number> {
  const sum = await prisma.aiUsage.aggregate({ _sum: { totalTokens: true }, where: { createdAt: { gte: since } } });
  return sum._sum.totalTokens ?? 0;
}

const aiUsage = channel(AI_USAGE_CHANNEL);

/** Records the tokens one AI operation cost (nothing when it made no model request). */
export async function recordUsage(prisma: PrismaClient, feature: 'analysis' | 'chat', model: string, usage: TokenUsage): Promise<void> {
  if (usage.totalTokens <= 0 && usage.promptTokens <= 0) return;
  const message: AiUsageMessage = { feature, model, promptTokens: usage.promptTokens, completionTokens: usage.completionTokens };
  aiUsage.publish(message);
  await prisma.aiUsage.create({
    data: { feature, model, promptTokens: usage.promptTokens, completionTokens: usage.completionTokens, totalTokens: usage.totalTokens },
  });
}

/** Where a chat answer's numbers came from: one analysis run, its window and key figures. */
export interface Citation {
  analysis: string;
  /** The arguments it ran with (route, method, sort…), as text. */
  arguments: string | null;
  from: Date;
  to: Date;
  figures: Evidence[];
}

export interface StoredTurn {
  role: 'user' | 'assistant';
  content: string;
}

/** Creates the conversation when it does not exist yet (the client may choose its id). */
export async function ensureConversation(prisma: PrismaClient, id: string, title: string): Promise<{ created: boolean }> {
  const existing = await prisma.chatConversation.findUnique({ where: { id }, select: { id: true } });
  if (existing) return { created: false };
  await prisma.chatConversation.upsert({ where: { id }, create: { id, title: title.slice(0, 120) }, update: {} });
  return { created: true };
}

/** The last `turns` question/answer pairs, oldest first. */
export async function recentTurns(prisma: PrismaClient, conversationId: string, turns: number): Promise<StoredTurn[]> {
  if (turns <= 0) return [];
  const rows = await prisma.chatMessage.findMany({
    where: { conversationId, refused: false },
    orderBy: { id: 'desc' },
    take: turns * 2,
    select: { role: true, content: true },
  });
  return rows.reverse().map((r) => ({ role: r.role === 'assistant' ? 'assistant' : 'user', content: r.content }));
}

export interface NewTurn {
  conversationId: string;
  question: string;
  answer: string;
  language: Language;
  provider: string;
  model: string | null;
  refused: boolean;
  citations: Citation[];
  toolCalls: number;
  usage: TokenUsage;
}

/** Stores the question and the answer together, and touches the conversation. */
export async function saveTurn(prisma: PrismaClient, turn: NewTurn): Promise<{ messageId: bigint; createdAt: Date }> {
  const [, answer] = await prisma.$transaction([
    prisma.chatMessage.create({
      data: { conversationId: turn.conversationId, role: 'user', content: turn.question, language: turn.language, refused: turn.refused },
    }),
    prisma.chatMessage.create({
      data: {
        conversationId: turn.conversationId,
        role: 'assistant',
        content: turn.answer,
        language: turn.language,
        provider: turn.provider,
        model: turn.model,
        refused: turn.refused,
        citations: turn.citations.map((c) => ({
          analysis: c.analysis,
          arguments: c.arguments,
          from: c.from.toISOString(),
          to: c.to.toISOString(),
          figures: c.figures.map((f) => ({ label: f.label, value: f.value, unit: f.unit })),
        })),
        toolCalls: turn.toolCalls,
        promptTokens: turn.usage.promptTokens,
        completionTokens: turn.usage.completionTokens,
        totalTokens: turn.usage.totalTokens,
      },
    }),
    prisma.chatConversation.update({ where: { id: turn.conversationId }, data: { updatedAt: new Date() } }),
  ]);
  return { messageId: answer.id, createdAt: answer.createdAt };
}
