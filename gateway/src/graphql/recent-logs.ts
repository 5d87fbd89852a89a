import { builder } from './builder.ts';
import type { StoredLog } from '../domain/log-record.ts';
import { CursorError, decodeLogCursor, encodeLogCursor, getRecentLogs } from '../storage/raw-logs.ts';
import { logFilterProblem } from '../storage/log-filter.ts';
import { badInput, intArg, MAX_FIRST } from './analytics-common.ts';
import { LogFilterInput, LogRef } from './log.ts';

interface LogEdge {
  cursor: string;
  node: StoredLog;
}

interface PageInfo {
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  startCursor: string | null;
  endCursor: string | null;
}

interface LogConnection {
  edges: LogEdge[];
  pageInfo: PageInfo;
}

// Hand-rolled Relay types (rather than plugin-relay's t.connection) so every type and field
// carries a description, which the schema check requires.
const PageInfoRef = builder.objectRef<PageInfo>('PageInfo').implement({
  description: 'Relay pagination state of a connection.',
  fields: (t) => ({
    hasNextPage: t.exposeBoolean('hasNextPage', { description: 'True when more (older) records follow endCursor.' }),
    hasPreviousPage: t.exposeBoolean('hasPreviousPage', {
      description: 'True when this page started after a cursor (newer records exist before it).',
    }),
    startCursor: t.exposeString('startCursor', { nullable: true, description: 'Cursor of the first edge; null on an empty page.' }),
    endCursor: t.exposeString('endCursor', {
      nullable: true,
      description: 'Cursor of the last edge: pass it as `after` for the next page.',
    }),
  }),
});

const LogEdgeRef = builder.objectRef<LogEdge>('LogEdge').implement({
  description: 'A log record in a connection, with its cursor.',
  fields: (t) => ({
    cursor: t.exposeString('cursor', { description: 'Opaque position of this record.' }),
    node: t.field({ type: LogRef, description: 'The log record.', resolve: (e) => e.node }),
  }),
});

const LogConnectionRef = builder.objectRef<LogConnection>('LogConnection').implement({
  description: 'A page of log records, newest first (Relay connection).',
  fields: (t) => ({
    edges: t.field({ type: [LogEdgeRef], description: 'The records of this page, newest first.', resolve: (c) => c.edges }),
    pageInfo: t.field({
      type: PageInfoRef,
      description: 'Whether more records follow, and the cursor to fetch them.',
      resolve: (c) => c.pageInfo,
    }),
  }),
});

builder.queryField('recentLogs', (t) =>
  t.field({
    type: LogConnectionRef,
    description:
      'Raw log records, newest first by (timestamp, id), as a Relay connection. Pages with `first` and `after` (the previous page’s endCursor): every record older than the cursor comes exactly once, records sharing a timestamp included, even while new records arrive (those newer than the cursor show on a fresh first page).',
    args: {
      first: t.arg.int({ required: false, description: `Page size (default 50, at most ${MAX_FIRST}).` }),
      after: t.arg.string({ required: false, description: 'Return records after (older than) this cursor.' }),
      filter: t.arg({ type: LogFilterInput, required: false, description: 'Which records; the same filter as the live logStream.' }),
    },
    resolve: async (_root, args, ctx) => {
      const first = intArg(args.first, 'first', 50, 1, MAX_FIRST);
      const filter = args.filter ?? {};
      const problem = logFilterProblem(filter);
      if (problem) throw badInput(problem, 'filter');
      let after = null;
      if (args.after) {
        try {
          after = decodeLogCursor(args.after);
        } catch (error) {
          if (error instanceof CursorError) throw badInput(`after: ${error.message}`, 'after');
          throw error;
        }
      }
      const page = await getRecentLogs(ctx.db.pool, { filter, first, after });
      const edges = page.logs.map((node) => ({ cursor: encodeLogCursor(node), node }));
      return {
        edges,
        pageInfo: {
          hasNextPage: page.hasNextPage,
          hasPreviousPage: after !== null,
          startCursor: edges[0]?.cursor ?? null,
          endCursor: edges.at(-1)?.cursor ?? null,
        },
      };
    },
  }),
);
