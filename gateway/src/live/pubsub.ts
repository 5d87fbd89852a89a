import { createPubSub } from 'graphql-yoga';
import type { StoredLog } from '../ingest/write-batch.ts';

/**
 * Events the gateway publishes. `logs:stored` carries every record of a batch right after the
 * batch commits, in commit order; with REDIS_URL set the event target is Redis so that every
 * replica's subscribers see every replica's batches.
 */
export type LivePubSub = ReturnType<typeof createLivePubSub>;

export type LiveEvents = {
  'logs:stored': [records: StoredLog[]];
};

export function createLivePubSub(eventTarget?: Parameters<typeof createPubSub>[0] extends infer O ? O extends { eventTarget?: infer T } ? T : never : never) {
  return createPubSub<LiveEvents>(eventTarget ? { eventTarget } : undefined);
}
