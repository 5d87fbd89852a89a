// AI usage leaves the ai/ layer through a diagnostics channel, so the metrics of http/ can count
// it without either layer importing the other (and without a callback threaded through every
// resolver). A channel with no subscriber costs one property check per publish.

/** Name of the node:diagnostics_channel on which every model answer's usage is published. */
export const AI_USAGE_CHANNEL = 'logpulse.ai.usage';

/** One model answer (an analysis or a chat turn, every request it took summed). */
export interface AiUsageMessage {
  feature: 'analysis' | 'chat';
  model: string;
  promptTokens: number;
  completionTokens: number;
}

/** Tokens one model request (or a whole operation, summed) cost. */
export interface TokenUsage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
}
