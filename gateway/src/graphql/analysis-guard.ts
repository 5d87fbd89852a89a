import {
  getNamedType,
  getOperationAST,
  getVariableValues,
  GraphQLError,
  isInputObjectType,
  Kind,
  TypeInfo,
  valueFromAST,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type GraphQLSchema,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { GatewayContext } from '../context.ts';
import { resolveRange, type RangeInput } from '../domain/time-range.ts';
import { runCancellable } from '../storage/statement-cancel.ts';

export interface AnalysisLimits {
  /** Hours of time range one operation may analyse, summed over its fields (GRAPHQL_MAX_RANGE_HOURS). */
  maxRangeHours: number;
  /**
   * Rollup rows one operation may scan (GRAPHQL_MAX_SCANNED_ROWS): its range hours times the rows
   * the data holds per hour, so the same ranges cost more on an installation with more endpoints.
   */
  maxScannedRows: number;
  /** Operations with a time-range field one client may have running at once (ANALYTICS_MAX_CONCURRENT_PER_CLIENT). */
  maxConcurrentPerClient: number;
}

const HOUR_MS = 3_600_000;

/**
 * Hours of data an operation asks its analyses to cover: every field with a `TimeRange` argument
 * counts the length of its range (at least one hour), aliases and fragment uses each once more.
 * The analyses read rollups whose rows grow with the range (and raw logs bounded by it), so this
 * is the operation's share of rows scanned that its text alone cannot show (graphql-armor's cost
 * sees `first`, not a range in a variable). A range the resolver will refuse counts nothing.
 */
export function operationRangeHours(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown> | null | undefined,
  now: number,
  maxDays: number,
): { hours: number; fields: number } {
  const operation = getOperationAST(document, operationName);
  if (!operation) return { hours: 0, fields: 0 };
  const fragments = new Map(document.definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d] as const] : [])));
  // Raw variables (JSON: dates as strings) coerced as execution will, so a range in a variable counts too.
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables ?? {});
  if (coerced.errors) return { hours: 0, fields: 0 };
  let hours = 0;
  let fields = 0;
  const walk = (node: Parameters<typeof visit>[0], typeInfo: TypeInfo, seen: ReadonlySet<string>) => {
    visit(
      node,
      visitWithTypeInfo(typeInfo, {
        Argument(argument) {
          const definition = typeInfo.getArgument();
          if (!definition || !isInputObjectType(getNamedType(definition.type)) || getNamedType(definition.type).name !== 'TimeRange')
            return;
          const input = valueFromAST(argument.value, definition.type, coerced.coerced) as RangeInput | undefined;
          if (!input) return;
          try {
            const range = resolveRange(input, now, maxDays);
            hours += Math.max(1, (range.to.getTime() - range.from.getTime()) / HOUR_MS);
            fields++;
          } catch {
            // The resolver answers BAD_USER_INPUT for it.
          }
        },
        FragmentSpread(spread) {
          const fragment = fragments.get(spread.name.value);
          if (!fragment || seen.has(spread.name.value)) return;
          const inner = new TypeInfo(schema, typeInfo.getParentType() ?? undefined);
          walk(fragment.selectionSet, inner, new Set([...seen, spread.name.value]));
        },
      }),
    );
  };
  const root =
    operation.operation === 'query'
      ? schema.getQueryType()
      : operation.operation === 'mutation'
        ? schema.getMutationType()
        : schema.getSubscriptionType();
  walk(operation.selectionSet, new TypeInfo(schema, root ?? undefined), new Set());
  return { hours: Math.round(hours), fields };
}

/** Analyses each client has running, by client key. */
class ClientSlots {
  private readonly running = new Map<string, number>();
  constructor(private readonly max: number) {}
  take(client: string): (() => void) | null {
    const n = this.running.get(client) ?? 0;
    if (n >= this.max) return null;
    this.running.set(client, n + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.running.get(client) ?? 1) - 1;
      if (left <= 0) this.running.delete(client);
      else this.running.set(client, left);
    };
  }
}

const refusal = (message: string, code: string, extensions: Record<string, unknown> = {}) => ({
  errors: [new GraphQLError(message, { extensions: { code, ...extensions } })],
});

/**
 * What an operation over time ranges may cost, checked once its variables are known, and its
 * lifetime tied to its client:
 * - refused (`QUERY_TOO_EXPENSIVE`) past `maxRangeHours` of range, before any SQL runs, or past
 *   `maxScannedRows` once those hours are multiplied by the rollup rows per hour the data holds
 *   (one cached index read, see storage/scan-estimate.ts);
 * - refused (`RATE_LIMITED`, HTTP 429) while the same client already runs `maxConcurrentPerClient`
 *   such operations, so one client cannot take every query connection (ingest and /readyz have
 *   their own pools anyway);
 * - executed inside `runCancellable` with the request's abort signal (HTTP: the client
 *   disconnected; WebSocket: the operation was completed or the socket closed), so its running
 *   PostgreSQL statements are cancelled rather than left to run for nobody.
 */
export function analysisGuard(limits: AnalysisLimits, rowsPerHour: () => Promise<number | null>): Plugin<GatewayContext> {
  const slots = new ClientSlots(limits.maxConcurrentPerClient);
  return {
    async onExecute({ args, executeFn, setExecuteFn, setResultAndStopExecution }) {
      const ctx = args.contextValue as GatewayContext & { request?: Request };
      const signal = ctx.operationSignal ?? ctx.request?.signal;
      const { hours, fields } = operationRangeHours(
        args.schema,
        args.document,
        args.operationName,
        args.variableValues,
        ctx.clock.now(),
        Math.max(ctx.config.rollupRetentionDays, ctx.config.retentionDays),
      );
      if (hours > limits.maxRangeHours) {
        setResultAndStopExecution(
          refusal(
            `This operation asks for ${hours} hours of analyses (its time ranges summed over ${fields} fields); the limit is ${limits.maxRangeHours} (GRAPHQL_MAX_RANGE_HOURS). Narrow the ranges or split the operation.`,
            'QUERY_TOO_EXPENSIVE',
            { rangeHours: hours, maxRangeHours: limits.maxRangeHours },
          ),
        );
        return;
      }
      // Only operations of several range fields pay for the estimate: one field alone is the
      // narrowest request a client can make (the per-client cap bounds how many run), as for the
      // hours. Unknown (storage down) skips the check, as the operation's own reads answer 503.
      const perHour = fields > 1 ? await rowsPerHour() : null;
      const rows = perHour === null ? 0 : Math.round(hours * perHour);
      if (rows > limits.maxScannedRows) {
        setResultAndStopExecution(
          refusal(
            `This operation would scan about ${rows.toLocaleString('en-US')} rollup rows (${hours} hours of ranges × ${perHour} rows per hour in this data); the limit is ${limits.maxScannedRows.toLocaleString('en-US')} (GRAPHQL_MAX_SCANNED_ROWS). Narrow the ranges, filter by service, or split the operation.`,
            'QUERY_TOO_EXPENSIVE',
            { rangeHours: hours, rowsPerHour: perHour, estimatedRows: rows, maxScannedRows: limits.maxScannedRows },
          ),
        );
        return;
      }
      let release: (() => void) | null = null;
      if (fields > 0) {
        release = slots.take(ctx.clientKey);
        if (!release) {
          setResultAndStopExecution(
            refusal(
              `Too many analyses running for this client (at most ${limits.maxConcurrentPerClient} at once, ANALYTICS_MAX_CONCURRENT_PER_CLIENT); retry when one has finished`,
              'RATE_LIMITED',
              { retryAfterSeconds: 1, http: { status: 429, headers: { 'retry-after': '1' } } },
            ),
          );
          return;
        }
      }
      setExecuteFn((executeArgs) => (signal ? runCancellable(signal, () => executeFn(executeArgs)) : executeFn(executeArgs)));
      return release ? { onExecuteDone: () => release() } : undefined;
    },
  };
}
