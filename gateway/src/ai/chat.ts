import { randomUUID } from 'node:crypto';
import { InvalidInputError } from '../domain/errors.ts';
import type { ChatCompletionMessageParam, ChatCompletionMessageToolCall } from 'openai/resources/chat/completions';
import type { GatewayContext } from '../context.ts';
import { OFFLINE_PROVIDER, MODEL_PROVIDER, type UsageMeter } from './analyze.ts';
import { chatStreamPublisher, streamText, type ChatStreamPublisher } from './chat-stream.ts';
import { runTool, toolDefinitions, toolResultForModel, ToolInputError, type ToolContext } from './chat-tools.ts';
import { detectLanguage, type Language } from './language.ts';
import { answerOffline } from './offline-chat.ts';
import { chatSystemPrompt } from './prompts.ts';
import { addUsage, NO_USAGE, ProviderUnavailableError, withRetry, type ModelProvider } from './provider.ts';
import { enforceRateLimit, withinTokenBudget } from './runtime.ts';
import { ensureConversation, recentTurns, recordUsage, saveTurn, type Citation, type StoredTurn } from '../storage/ai-store.ts';
import { classifyTopic, greetingText, refusalText } from './topic-guard.ts';
import { dataBlock, newBoundary } from './untrusted.ts';

/** Who answered a refused (off-topic) question: the topic guard, without any model call. */
const GUARD_PROVIDER = 'guard';

export interface ChatReply {
  conversationId: string;
  turnId: string;
  answer: string;
  provider: string;
  model: string | null;
  refused: boolean;
  language: Language;
  citations: Citation[];
  toolCalls: number;
  notice: string | null;
  usage: UsageMeter['usage'];
  createdAt: Date;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What the model produced for one question, with the analyses it used. */
interface ModelAnswer {
  answer: string;
  citations: Citation[];
  toolCalls: number;
}

/** The model kept calling tools after it was told to answer. */
class ToolLimitError extends Error {}

/**
 * Answers with the model: the question, the last turns and the tools go out; each requested
 * tool runs against the analytics (at most `maxToolCalls` in all, after which the model must
 * answer without tools); the answer is streamed as it arrives.
 */
async function answerWithModel(
  provider: ModelProvider,
  input: { question: string; history: StoredTurn[]; language: Language; maxToolCalls: number; tools: ToolContext },
  publisher: ChatStreamPublisher,
  meter: UsageMeter,
): Promise<ModelAnswer> {
  const boundary = newBoundary();
  const messages: ChatCompletionMessageParam[] = [
    {
      role: 'system',
      content: chatSystemPrompt({
        language: input.language,
        boundary,
        now: new Date(input.tools.now),
        timeZone: input.tools.timeZone,
        defaultMinutes: input.tools.defaultMinutes,
        lookbackMinutes: input.tools.lookbackMinutes,
        maxToolCalls: input.maxToolCalls,
      }),
    },
    ...input.history.map((t): ChatCompletionMessageParam => ({ role: t.role, content: t.content })),
    { role: 'user', content: input.question },
  ];
  const tools = toolDefinitions();
  const citations: Citation[] = [];
  let toolCalls = 0;

  // One request per tool round, plus the final answer.
  for (let round = 0; round <= input.maxToolCalls; round += 1) {
    const mustAnswer = toolCalls >= input.maxToolCalls;
    const completion = await withRetry(
      provider,
      async (signal) => {
        const stream = provider.client.chat.completions.stream(
          { model: provider.model, messages, tools, tool_choice: mustAnswer ? 'none' : 'auto', stream_options: { include_usage: true } },
          { signal },
        );
        stream.on('content', (delta) => publisher.delta(delta));
        return stream.finalChatCompletion();
      },
      () => !publisher.started,
    );
    meter.usage = addUsage(meter.usage, completion.usage);
    const message = completion.choices[0]?.message;
    const calls = (message?.tool_calls ?? []).filter(
      (c): c is ChatCompletionMessageToolCall & { type: 'function' } => c.type === 'function',
    );
    if (calls.length === 0) {
      const answer = (message?.content ?? '').trim();
      if (!answer) throw new ProviderUnavailableError('the model returned an empty answer');
      return { answer, citations, toolCalls };
    }
    if (mustAnswer) throw new ToolLimitError('the model kept calling tools past the limit');
    messages.push({ role: 'assistant', content: message?.content ?? null, tool_calls: calls });
    for (const call of calls) {
      let result: string;
      if (toolCalls >= input.maxToolCalls) {
        result = dataBlock('tool error', { error: `tool call limit (${input.maxToolCalls}) reached; answer with what you have` }, boundary);
      } else {
        toolCalls += 1;
        result = await runToolForModel(call, input.tools, boundary, citations);
      }
      messages.push({ role: 'tool', tool_call_id: call.id, content: result });
    }
  }
  throw new ToolLimitError('the model kept calling tools past the limit');
}

async function runToolForModel(
  call: ChatCompletionMessageToolCall & { type: 'function' },
  ctx: ToolContext,
  boundary: string,
  citations: Citation[],
): Promise<string> {
  const name = call.function.name;
  let args: unknown;
  try {
    args = call.function.arguments ? JSON.parse(call.function.arguments) : {};
  } catch {
    return dataBlock(`error of ${name}`, { error: 'arguments are not valid JSON' }, boundary);
  }
  try {
    const outcome = await runTool(name, args, ctx);
    citations.push(outcome.citation);
    return dataBlock(`result of ${name}`, toolResultForModel(name, outcome), boundary);
  } catch (error) {
    if (error instanceof ToolInputError) return dataBlock(`error of ${name}`, { error: error.message }, boundary);
    throw error;
  }
}

export interface ChatInput {
  message: string;
  conversationId: string | null;
}

/**
 * chat: validate → rate limit → topic guard (off-topic questions are refused without a model
 * call) → the model with tools, or the offline chat (no provider, budget spent, provider down)
 * → stored turn. The answer is streamed on `chatStream(conversationId)` as it is produced.
 */
export async function chat(ctx: GatewayContext, input: ChatInput): Promise<ChatReply> {
  const limits = ctx.config.ai;
  const question = input.message.trim();
  if (!question) throw new InvalidInputError('message must not be empty', 'message');
  if (question.length > limits.maxMessageChars) {
    throw new InvalidInputError(`message is longer than ${limits.maxMessageChars} characters`, 'message');
  }
  if (input.conversationId != null && !UUID.test(input.conversationId)) {
    throw new InvalidInputError('conversationId must be a UUID (returned by chat, or chosen by the client)', 'conversationId');
  }
  enforceRateLimit(ctx);
  const db = ctx.db;
  const conversationId = input.conversationId?.toLowerCase() ?? randomUUID();
  const turnId = randomUUID();
  const language = detectLanguage(question);
  const publisher = chatStreamPublisher(ctx.pubsub, conversationId, turnId);
  await ensureConversation(db.prisma, conversationId, question);
  const history = await recentTurns(db.prisma, conversationId, limits.historyTurns);

  const verdict = classifyTopic(question, { hasHistory: history.length > 0 });
  const provider = ctx.ai.provider;
  const meter: UsageMeter = { usage: NO_USAGE };
  let reply: Omit<ChatReply, 'conversationId' | 'turnId' | 'language' | 'usage' | 'createdAt'>;

  if (verdict !== 'on-topic') {
    const refused = verdict === 'off-topic';
    reply = {
      answer: refused ? refusalText(language) : greetingText(language),
      provider: refused ? GUARD_PROVIDER : OFFLINE_PROVIDER,
      model: null,
      refused,
      citations: [],
      toolCalls: 0,
      notice: null,
    };
    streamText(publisher, reply.answer);
  } else {
    const tools: ToolContext = {
      pool: db.pool,
      citus: db.citus,
      now: ctx.clock.now(),
      defaultMinutes: Math.min(limits.chatLookbackMinutes, 30),
      lookbackMinutes: limits.chatLookbackMinutes,
      timeZone: ctx.config.timeZone,
      service: null,
      language,
    };
    let notice: string | null = null;
    let modelAnswer: ModelAnswer | null = null;
    if (provider) {
      if (!(await withinTokenBudget(ctx))) {
        notice = 'The hourly AI token budget (AI_MAX_TOKENS_PER_HOUR) is used up; the offline assistant answered.';
      } else {
        try {
          modelAnswer = await answerWithModel(
            provider,
            { question, history, language, maxToolCalls: limits.maxToolCalls, tools },
            publisher,
            meter,
          );
        } catch (error) {
          if (error instanceof ProviderUnavailableError || error instanceof ToolLimitError) {
            notice = `${error.message.charAt(0).toUpperCase()}${error.message.slice(1)}; the offline assistant answered.`;
            ctx.logger.warn({ reason: error.message }, 'ai: model unavailable for chat, using the offline assistant');
          } else {
            throw error;
          }
        } finally {
          await recordUsage(db.prisma, 'chat', provider.model, meter.usage);
        }
      }
    }
    if (modelAnswer) {
      reply = { ...modelAnswer, provider: MODEL_PROVIDER, model: provider?.model ?? null, refused: false, notice: null };
    } else {
      const offline = await answerOffline(question, language, tools);
      // A model that failed mid-stream already sent part of its answer: `done` replaces it.
      if (!publisher.started) streamText(publisher, offline.answer);
      reply = { ...offline, provider: OFFLINE_PROVIDER, model: null, refused: false, toolCalls: 0, notice };
    }
  }

  const saved = await saveTurn(db.prisma, {
    conversationId,
    question,
    answer: reply.answer,
    language,
    provider: reply.provider,
    model: reply.model,
    refused: reply.refused,
    citations: reply.citations,
    toolCalls: reply.toolCalls,
    usage: meter.usage,
  });
  publisher.done({ answer: reply.answer, provider: reply.provider, refused: reply.refused });
  return { ...reply, conversationId, turnId, language, usage: meter.usage, createdAt: saved.createdAt };
}
