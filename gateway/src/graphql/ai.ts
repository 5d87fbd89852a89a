import type { ObjectRef, SchemaTypes } from '@pothos/core';
import { builder } from './builder.ts';
import { badInput, intArg } from './analytics-common.ts';
import type { AiInsight } from '../generated/prisma/client.ts';
import { analyzeRecentLogs, OFFLINE_MODEL, OFFLINE_PROVIDER, MODEL_PROVIDER } from '../ai/analyze.ts';
import { chat, type ChatReply } from '../ai/chat.ts';
import { INSIGHT_LEVELS, type InsightLevel } from '../domain/severity.ts';
import type { Language } from '../ai/language.ts';
import type { TokenUsage } from '../ai/provider.ts';
import { tokensUsedSince, type Citation } from '../storage/ai-store.ts';
import type { Evidence } from '../domain/evidence.ts';
import { EvidenceRef } from './evidence.ts';
import { collectWindowStatistics } from '../ai/collect-statistics.ts';
import { span } from '../ai/format.ts';
import type { InsightFindings } from '../ai/insight-format.ts';
import { analyzeOffline } from '../ai/offline-analyst.ts';
import type { ResolvedRange } from '../domain/time-range.ts';
import { rangeArg, ResolvedTimeRange, TimeRange } from './time-range.ts';

builder.mutationType({
  description: 'Actions: AI analysis of recent logs, the AI chat about them, and managing alert rules, channels and silences.',
});

const AiSeverityRef = builder.enumType('AiSeverity', {
  description: 'How urgent an AI insight is.',
  values: {
    OK: { value: 'ok', description: 'Nothing needs attention.' },
    WARNING: { value: 'warning', description: 'Something is degraded and worth a look.' },
    CRITICAL: { value: 'critical', description: 'Users are failing now.' },
  } as const,
});

const AiLanguageRef = builder.enumType('AiLanguage', {
  description: 'Language of AI texts.',
  values: {
    EN: { value: 'en', description: 'English.' },
    KO: { value: 'ko', description: 'Korean (한국어).' },
  } as const,
});

const TokenUsageRef = builder.objectRef<TokenUsage>('AiTokenUsage').implement({
  description: 'Model tokens an AI answer cost (all zero for the offline analyst and refused questions).',
  fields: (t) => ({
    promptTokens: t.exposeInt('promptTokens', { description: 'Tokens sent to the model.' }),
    completionTokens: t.exposeInt('completionTokens', { description: 'Tokens the model produced.' }),
    totalTokens: t.exposeInt('totalTokens', { description: 'Prompt plus completion tokens.' }),
  }),
});

/** Evidence stored as JSON, read back defensively: a row is only trusted as far as its shape. */
function evidenceFrom(json: unknown): Evidence[] {
  if (!Array.isArray(json)) return [];
  return json.flatMap((e) =>
    e && typeof e === 'object' && typeof e.label === 'string' && typeof e.value === 'number'
      ? [{ label: e.label, value: e.value, unit: typeof e.unit === 'string' ? e.unit : null }]
      : [],
  );
}

const severityOf = (value: string): InsightLevel =>
  (INSIGHT_LEVELS as readonly string[]).includes(value) ? (value as InsightLevel) : 'warning';

const AiInsightRef = builder.prismaObject('AiInsight', {
  description: `An analysis of a recent window of logs: by the configured model (provider "${MODEL_PROVIDER}") or, without a key or when the provider is unavailable, by the built-in offline analyst (provider "${OFFLINE_PROVIDER}").`,
  fields: (t) => ({
    id: t.id({ description: 'Unique, increasing id.', resolve: (i) => String(i.id) }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the analysis was made.' }),
    windowMinutes: t.exposeInt('windowMinutes', { description: 'Length of the analysed window, in minutes, ending at createdAt.' }),
    service: t.exposeString('service', { nullable: true, description: 'The service analysed; null for all services.' }),
    rangeFrom: t.expose('rangeFrom', { type: 'DateTime', description: 'Start of the analysed window.' }),
    rangeTo: t.expose('rangeTo', { type: 'DateTime', description: 'End of the analysed window.' }),
    provider: t.exposeString('provider', { description: `"${MODEL_PROVIDER}" (any OpenAI-compatible server) or "${OFFLINE_PROVIDER}".` }),
    model: t.exposeString('model', { description: `The model that answered ("${OFFLINE_MODEL}" for the offline analyst).` }),
    summary: t.exposeString('summary', { description: 'Two or three sentences on the state of the window, with the key numbers.' }),
    severity: t.field({ type: AiSeverityRef, description: 'How urgent the findings are.', resolve: (i) => severityOf(i.severity) }),
    worstEndpoint: t.exposeString('worstEndpoint', {
      nullable: true,
      description: '"METHOD /route" of the endpoint that needs attention first; null when none does.',
    }),
    problems: t.exposeStringList('problems', { description: 'What is wrong, each with its endpoint and numbers.' }),
    causes: t.exposeStringList('causes', { description: 'Likely causes (hypotheses grounded in the numbers).' }),
    improvements: t.exposeStringList('improvements', { description: 'Concrete next steps.' }),
    evidence: t.field({ type: [EvidenceRef], description: 'The numbers the findings rest on.', resolve: (i) => evidenceFrom(i.evidence) }),
    notice: t.exposeString('notice', {
      nullable: true,
      description: 'Why the offline analyst answered although a model is configured (provider down, budget spent…).',
    }),
    usage: t.field({
      type: TokenUsageRef,
      description: 'Model tokens this analysis cost.',
      resolve: (i) => ({ promptTokens: i.promptTokens, completionTokens: i.completionTokens, totalTokens: i.totalTokens }),
    }),
    durationMs: t.exposeInt('durationMs', { description: 'How long the analysis took, in milliseconds.' }),
  }),
});

const CitationRef = builder.objectRef<Citation>('AiCitation').implement({
  description: 'An analysis a chat answer used: which one, over which window, with which arguments, and the numbers it gave.',
  fields: (t) => ({
    analysis: t.exposeString('analysis', {
      description: 'The analysis, as named in this API (slowEndpoints, traffic, errorDistribution…).',
    }),
    arguments: t.exposeString('arguments', {
      nullable: true,
      description: 'Arguments it ran with besides the window (route, method, sort…).',
    }),
    from: t.expose('from', { type: 'DateTime', description: 'Start of the window it covered.' }),
    to: t.expose('to', { type: 'DateTime', description: 'End of the window it covered.' }),
    figures: t.field({ type: [EvidenceRef], description: 'Key numbers it returned.', resolve: (c) => c.figures }),
  }),
});

const ChatReplyRef = builder.objectRef<ChatReply>('ChatReply').implement({
  description: 'The answer to one chat message.',
  fields: (t) => ({
    conversationId: t.exposeID('conversationId', { description: 'The conversation (pass it with the next message to keep the context).' }),
    turnId: t.exposeID('turnId', { description: 'This answer; matches the turnId of its chatStream events.' }),
    answer: t.exposeString('answer', { description: 'The answer, in the language of the question (Korean or English).' }),
    provider: t.exposeString('provider', {
      description: `"${MODEL_PROVIDER}" (the model answered), "${OFFLINE_PROVIDER}" (the offline assistant answered) or "guard" (refused as off-topic without a model call).`,
    }),
    model: t.exposeString('model', { nullable: true, description: 'The model that answered; null when none did.' }),
    refused: t.exposeBoolean('refused', { description: 'True when the question was not about the logs and was politely refused.' }),
    language: t.field({
      type: AiLanguageRef,
      description: 'Language detected in the question and used for the answer.',
      resolve: (r) => r.language,
    }),
    citations: t.field({
      type: [CitationRef],
      description: 'The analyses (and numbers) the answer is based on.',
      resolve: (r) => r.citations,
    }),
    toolCalls: t.exposeInt('toolCalls', { description: 'Analyses the model ran for this answer.' }),
    notice: t.exposeString('notice', { nullable: true, description: 'Why the offline assistant answered although a model is configured.' }),
    usage: t.field({ type: TokenUsageRef, description: 'Model tokens this answer cost.', resolve: (r) => r.usage }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the answer was stored.' }),
  }),
});

builder.prismaObject('ChatMessage', {
  description: 'One stored chat turn: a question or an answer.',
  fields: (t) => ({
    id: t.id({ description: 'Unique, increasing id.', resolve: (m) => String(m.id) }),
    conversationId: t.exposeID('conversationId', { description: 'The conversation.' }),
    role: t.exposeString('role', { description: '"user" or "assistant".' }),
    content: t.exposeString('content', { description: 'The text.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was stored.' }),
    provider: t.exposeString('provider', { nullable: true, description: 'Who answered (assistant turns).' }),
    refused: t.exposeBoolean('refused', { description: 'True for a refused question and its refusal.' }),
    citations: t.field({
      type: [CitationRef],
      description: 'The analyses an answer used.',
      resolve: (m) =>
        (Array.isArray(m.citations) ? m.citations : []).flatMap((c) => {
          if (!c || typeof c !== 'object' || Array.isArray(c)) return [];
          const o = c as Record<string, unknown>;
          if (typeof o.analysis !== 'string' || typeof o.from !== 'string' || typeof o.to !== 'string') return [];
          return [
            {
              analysis: o.analysis,
              arguments: typeof o.arguments === 'string' ? o.arguments : null,
              from: new Date(o.from),
              to: new Date(o.to),
              figures: evidenceFrom(o.figures),
            },
          ];
        }),
    }),
  }),
});

interface AiStatus {
  provider: string;
  model: string;
  tokensPerHour: number;
}

const AiStatusRef = builder.objectRef<AiStatus>('AiStatus').implement({
  description: 'Which AI answers right now and its budget (the API key itself is never exposed).',
  fields: (t) => ({
    provider: t.exposeString('provider', { description: `"${MODEL_PROVIDER}" when a model is configured, else "${OFFLINE_PROVIDER}".` }),
    model: t.exposeString('model', { description: 'The configured model, or the offline analyst.' }),
    tokensPerHour: t.exposeInt('tokensPerHour', {
      description: 'Model tokens all clients may spend per rolling hour (AI_MAX_TOKENS_PER_HOUR).',
    }),
    tokensUsedLastHour: t.int({
      description: 'Model tokens spent in the past hour.',
      resolve: (_s, _a, ctx) => tokensUsedSince(ctx.db.prisma, new Date(ctx.clock.now() - 3_600_000)),
    }),
  }),
});

builder.queryField('aiStatus', (t) =>
  t.field({
    type: AiStatusRef,
    description: 'Whether a model or the offline analyst answers AI requests, and the hourly token budget.',
    resolve: (_root, _args, ctx) => {
      const provider = ctx.ai.provider;
      return {
        provider: provider ? MODEL_PROVIDER : OFFLINE_PROVIDER,
        model: provider?.model ?? OFFLINE_MODEL,
        tokensPerHour: ctx.config.ai.tokensPerHour,
      };
    },
  }),
);

interface PageInfoShape {
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  startCursor: string | null;
  endCursor: string | null;
}

interface AiInsightEdge {
  cursor: string;
  node: AiInsight;
}

interface AiInsightConnection {
  edges: AiInsightEdge[];
  pageInfo: PageInfoShape;
}

// The schema has one Relay PageInfo type (defined with recentLogs); it is referenced by name
// so both connections share it.
const PageInfoByName = 'PageInfo' as unknown as ObjectRef<SchemaTypes, PageInfoShape>;

const AiInsightEdgeRef = builder.objectRef<AiInsightEdge>('AiInsightEdge').implement({
  description: 'An AI insight in a connection, with its cursor.',
  fields: (t) => ({
    cursor: t.exposeString('cursor', { description: 'Opaque position of this insight.' }),
    node: t.field({ type: AiInsightRef, description: 'The insight.', resolve: (e) => e.node }),
  }),
});

const AiInsightConnectionRef = builder.objectRef<AiInsightConnection>('AiInsightConnection').implement({
  description: 'A page of stored AI insights, newest first (Relay connection).',
  fields: (t) => ({
    edges: t.field({ type: [AiInsightEdgeRef], description: 'The insights of this page, newest first.', resolve: (c) => c.edges }),
    pageInfo: t.field({
      type: PageInfoByName,
      description: 'Whether more insights follow, and the cursor to fetch them.',
      resolve: (c) => c.pageInfo,
    }),
  }),
});

const insightCursor = (id: bigint) => Buffer.from(`insight:${id}`, 'utf8').toString('base64url');

function parseInsightCursor(cursor: string): bigint {
  const match = /^insight:(\d{1,19})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) throw badInput('`after` is not a cursor returned by aiInsights', 'after');
  return BigInt(match[1]!);
}

const MAX_INSIGHTS_PAGE = 100;

builder.queryField('aiInsights', (t) =>
  t.field({
    type: AiInsightConnectionRef,
    description: 'Stored AI insights (history of analyzeRecentLogs), newest first, as a Relay connection.',
    args: {
      first: t.arg.int({ required: false, description: `Page size (default 20, at most ${MAX_INSIGHTS_PAGE}).` }),
      after: t.arg.string({ required: false, description: 'Return insights after (older than) this cursor.' }),
    },
    resolve: async (_root, args, ctx): Promise<AiInsightConnection> => {
      const first = intArg(args.first, 'first', 20, 1, MAX_INSIGHTS_PAGE);
      const after = args.after ? parseInsightCursor(args.after) : null;
      const rows = await ctx.db.prisma.aiInsight.findMany({
        where: after === null ? {} : { id: { lt: after } },
        orderBy: { id: 'desc' },
        take: first + 1,
      });
      const edges = rows.slice(0, first).map((node) => ({ cursor: insightCursor(node.id), node }));
      return {
        edges,
        pageInfo: {
          hasNextPage: rows.length > first,
          hasPreviousPage: after !== null,
          startCursor: edges[0]?.cursor ?? null,
          endCursor: edges.at(-1)?.cursor ?? null,
        },
      };
    },
  }),
);

builder.queryField('chatMessages', (t) =>
  t.prismaField({
    type: ['ChatMessage'],
    description: 'The last messages of a chat conversation, oldest first.',
    args: {
      conversationId: t.arg.id({ required: true, description: 'The conversation (from ChatReply.conversationId).' }),
      last: t.arg.int({ required: false, defaultValue: 20, description: 'How many of the latest messages (1–200).' }),
    },
    resolve: async (query, _root, args, ctx) => {
      const id = String(args.conversationId);
      if (!/^[0-9a-f-]{36}$/i.test(id)) return [];
      const take = intArg(args.last, 'last', 20, 1, 200);
      const rows = await ctx.db.prisma.chatMessage.findMany({
        ...query,
        where: { conversationId: id.toLowerCase() },
        orderBy: { id: 'desc' },
        take,
      });
      return rows.reverse();
    },
  }),
);

builder.mutationField('analyzeRecentLogs', (t) =>
  t.prismaField({
    type: 'AiInsight',
    description:
      'Analyses the last windowMinutes of logs: compact statistics (traffic, errors, slow endpoints, anomalies — never raw logs) go to the configured model, which answers in a validated JSON schema; without a key, over budget, or when the provider is down, the offline analyst answers. The insight is stored (see aiInsights). Rate-limited per client.',
    args: {
      windowMinutes: t.arg.int({
        required: true,
        defaultValue: 5,
        description:
          'Length of the window ending now, in minutes (from 1 to AI_MAX_ANALYZE_WINDOW_MINUTES, which is 60 unless configured).',
      }),
      service: t.arg.string({ required: false, description: 'Only this service; all services when omitted.' }),
      language: t.arg({ type: AiLanguageRef, required: false, defaultValue: 'en', description: 'Language of the texts.' }),
    },
    resolve: (_query, _root, args, ctx) =>
      analyzeRecentLogs(ctx, {
        windowMinutes: args.windowMinutes,
        service: args.service ?? null,
        language: (args.language ?? 'en') as Language,
      }),
  }),
);

/** The offline analyst's findings for a window (what the chat's window_summary tool returns). */
type WindowSummary = InsightFindings & { range: ResolvedRange };

const WindowSummaryRef = builder.objectRef<WindowSummary>('WindowSummary').implement({
  description:
    'Findings for a window compared with the hour before it (error bursts, latency regressions, traffic spikes and drops), by the built-in offline analyst: deterministic, no model call, nothing stored.',
  fields: (t) => ({
    range: t.field({ type: ResolvedTimeRange, description: 'The window analysed.', resolve: (w) => w.range }),
    summary: t.exposeString('summary', { description: 'Two or three sentences on the state of the window, with the key numbers.' }),
    severity: t.field({ type: AiSeverityRef, description: 'How urgent the findings are.', resolve: (w) => w.severity }),
    worstEndpoint: t.exposeString('worstEndpoint', {
      nullable: true,
      description:
        '"METHOD /route" of the endpoint that needs attention first ("service METHOD /route" when the window has several services); null when none does. Route names come from logs: untrusted text.',
    }),
    problems: t.exposeStringList('problems', { description: 'What is wrong, each with its endpoint and numbers.' }),
    causes: t.exposeStringList('causes', { description: 'Likely causes (hypotheses grounded in the numbers).' }),
    improvements: t.exposeStringList('improvements', { description: 'Concrete next steps.' }),
    evidence: t.field({ type: [EvidenceRef], description: 'The numbers the findings rest on.', resolve: (w) => w.evidence }),
  }),
});

builder.queryField('windowSummary', (t) =>
  t.field({
    type: WindowSummaryRef,
    description:
      "What happened in a window, compared with the hour before it: the offline analyst's findings over the same statistics analyzeRecentLogs gives a model (the AI chat's window_summary tool). Read-only and without a model call, so neither rate-limited per client nor counted against the token budget. The window may be at most AI_MAX_ANALYZE_WINDOW_MINUTES long (60 unless configured).",
    args: {
      range: t.arg({
        type: TimeRange,
        required: true,
        description: 'The window, e.g. { last: "15m" } or { from, to } around an incident.',
      }),
      service: t.arg.string({ required: false, description: 'Only this service; all services when omitted.' }),
      language: t.arg({ type: AiLanguageRef, required: false, defaultValue: 'en', description: 'Language of the texts.' }),
    },
    resolve: async (_root, args, ctx) => {
      const range = rangeArg(args.range, ctx);
      const max = ctx.config.ai.maxAnalyzeWindowMinutes;
      if (range.to.getTime() - range.from.getTime() > max * 60_000)
        throw badInput(`range: at most ${max} minutes (AI_MAX_ANALYZE_WINDOW_MINUTES)`, 'range');
      if (args.service != null && (args.service.length === 0 || args.service.length > 200))
        throw badInput('service must be 1 to 200 characters', 'service');
      const now = ctx.clock.now();
      // A window that ends now includes the alerts firing now and is named "the last N minutes";
      // a past window must not show today's alerts and is named by its times.
      const endsNow = now - range.to.getTime() <= 60_000;
      const stats = await collectWindowStatistics(ctx.db.pool, {
        range,
        service: args.service ?? null,
        timeZone: ctx.config.timeZone,
        alertsNow: endsNow,
      });
      const findings = analyzeOffline(
        stats,
        (args.language ?? 'en') as Language,
        endsNow ? {} : { windowName: span(range.from, range.to, ctx.config.timeZone) },
      );
      return { ...findings, range };
    },
  }),
);

builder.mutationField('chat', (t) =>
  t.field({
    type: ChatReplyRef,
    description:
      'Asks a question about the logs. Numbers come from the analytics (the model calls them as tools; the offline assistant calls the same ones); questions about anything else are refused politely. Answers follow the question’s language (Korean or English). The answer is also streamed on chatStream(conversationId). Rate-limited per client.',
    args: {
      message: t.arg.string({ required: true, description: 'The question (at most AI_MAX_MESSAGE_CHARS characters, default 2000).' }),
      conversationId: t.arg.id({
        required: false,
        description:
          'Continue this conversation; a new UUID chosen by the client starts one under that id (subscribe to chatStream first to see the answer streamed).',
      }),
    },
    resolve: (_root, args, ctx) =>
      chat(ctx, { message: args.message, conversationId: args.conversationId == null ? null : String(args.conversationId) }),
  }),
);
