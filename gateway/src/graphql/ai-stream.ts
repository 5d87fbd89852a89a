import { builder } from './builder.ts';
import { chatPubSub, type ChatStreamEvent } from '../ai/chat-stream.ts';

const ChatStreamEventRef = builder.objectRef<ChatStreamEvent>('ChatStreamEvent').implement({
  description: 'A piece of a chat answer as it is produced; the final event has done = true and the whole answer.',
  fields: (t) => ({
    conversationId: t.exposeID('conversationId', { description: 'The conversation.' }),
    turnId: t.exposeID('turnId', { description: 'The answer this piece belongs to.' }),
    delta: t.exposeString('delta', { description: 'Text to append (empty on the final event).' }),
    done: t.exposeBoolean('done', { description: 'True on the last event of an answer.' }),
    answer: t.exposeString('answer', { nullable: true, description: 'On the final event: the whole answer (replaces what was streamed).' }),
    provider: t.exposeString('provider', { nullable: true, description: 'On the final event: who answered.' }),
    refused: t.exposeBoolean('refused', { nullable: true, description: 'On the final event: whether the question was refused.' }),
  }),
});

builder.subscriptionField('chatStream', (t) =>
  t.field({
    type: ChatStreamEventRef,
    description: 'The answers of one conversation as they are produced, piece by piece (on any replica, with REDIS_URL).',
    args: { conversationId: t.arg.id({ required: true, description: 'The conversation to follow.' }) },
    subscribe: (_root, args, ctx) => chatPubSub(ctx.pubsub).subscribe('chat:stream', String(args.conversationId).toLowerCase()),
    resolve: (event) => event,
  }),
);
