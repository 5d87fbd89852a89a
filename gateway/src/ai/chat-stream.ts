import type { PubSub } from 'graphql-yoga';
import type { LivePubSub } from '../live/pubsub.ts';

/**
 * One event of a streamed chat answer. Deltas arrive in order while the answer is produced;
 * the last event has `done: true` and the whole answer (which replaces what was streamed: a
 * model that fell back to the offline analyst mid-way streams a different text).
 */
export interface ChatStreamEvent {
  conversationId: string;
  /** Identifies one answer within the conversation. */
  turnId: string;
  delta: string;
  done: boolean;
  answer: string | null;
  provider: string | null;
  refused: boolean | null;
}

export type ChatStreamEvents = {
  'chat:stream': [conversationId: string, event: ChatStreamEvent];
};

/**
 * The chat stream travels on the gateway's live PubSub (so, with REDIS_URL, it reaches a
 * subscriber connected to another replica), under its own topic per conversation. The live
 * hub's event map only declares its own events, hence the one cast here.
 */
export function chatPubSub(pubsub: LivePubSub): PubSub<ChatStreamEvents> {
  return pubsub as unknown as PubSub<ChatStreamEvents>;
}

export interface ChatStreamPublisher {
  delta(text: string): void;
  /** True once any delta went out (a failed request must then not be retried). */
  readonly started: boolean;
  done(final: { answer: string; provider: string; refused: boolean }): void;
}

export function chatStreamPublisher(pubsub: LivePubSub, conversationId: string, turnId: string): ChatStreamPublisher {
  const channel = chatPubSub(pubsub);
  let started = false;
  const base = { conversationId, turnId };
  return {
    get started() {
      return started;
    },
    delta(text) {
      if (!text) return;
      started = true;
      channel.publish('chat:stream', conversationId, { ...base, delta: text, done: false, answer: null, provider: null, refused: null });
    },
    done(final) {
      channel.publish('chat:stream', conversationId, {
        ...base,
        delta: '',
        done: true,
        answer: final.answer,
        provider: final.provider,
        refused: final.refused,
      });
    },
  };
}

/** Streams a ready answer in word-sized pieces, so offline answers look like the model's. */
export function streamText(publisher: ChatStreamPublisher, text: string): void {
  for (const piece of text.match(/\S+\s*|\s+/g) ?? []) publisher.delta(piece);
}
