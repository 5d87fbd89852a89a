import { GraphQLError } from 'graphql';
import { maskError } from 'graphql-yoga';
import {
  DomainError,
  InvalidInputError,
  ModelOutputError,
  NotFoundError,
  RateLimitedError,
  StorageUnavailableError,
} from '../domain/errors.ts';
import { isStatementTimeout, isUnavailableError } from '../storage/db.ts';
import { isCancelledStatement } from '../storage/statement-cancel.ts';
import type { Logger } from '../logger.ts';

/**
 * The one place an expected failure becomes a GraphQL error: domain errors get their code (and
 * HTTP status), and three PostgreSQL conditions are spelled out because they are the client's
 * to act on — a statement timeout (narrow the query), storage unreachable (503, retry), a text
 * argument PostgreSQL cannot hold or a time zone it does not know (bad input). Null: unexpected.
 */
function toGraphQLError(error: unknown): GraphQLError | null {
  if (error instanceof DomainError) return fromDomainError(error);
  if (!error || typeof error !== 'object') return null;
  // Its client went away: nobody reads this answer, but it must not count as a server fault.
  if (isCancelledStatement(error)) {
    return new GraphQLError('The operation was cancelled: its client went away', { extensions: { code: 'CANCELLED' } });
  }
  if (isStatementTimeout(error)) {
    return new GraphQLError(
      'The query ran longer than the server allows (STATEMENT_TIMEOUT_MS); narrow the time range or filters and try again',
      {
        extensions: { code: 'QUERY_TIMEOUT' },
      },
    );
  }
  if (isUnavailableError(error)) return fromDomainError(new StorageUnavailableError());
  const { code, message } = error as { code?: unknown; message?: unknown };
  // 22021/22P05: NUL in a text argument. Every analysis passes its filters as parameters, so
  // this is the client's input, not a server fault.
  if (code === '22021' || code === '22P05') {
    return fromDomainError(new InvalidInputError('Text arguments must not contain NUL (\\u0000) characters'));
  }
  if (code === '22023' && typeof message === 'string' && /time zone/i.test(message)) {
    return fromDomainError(new InvalidInputError(`tz: ${message}`, 'tz'));
  }
  return null;
}

function fromDomainError(error: DomainError): GraphQLError {
  if (error instanceof InvalidInputError) {
    return new GraphQLError(error.message, {
      extensions: { code: 'BAD_USER_INPUT', ...(error.argument ? { argumentName: error.argument } : {}) },
    });
  }
  if (error instanceof NotFoundError) {
    return new GraphQLError(error.message, { extensions: { code: 'NOT_FOUND', http: { status: 404 } } });
  }
  if (error instanceof RateLimitedError) {
    const retryAfter = String(error.retryAfterSeconds);
    return new GraphQLError(error.message, {
      extensions: {
        code: 'RATE_LIMITED',
        retryAfterSeconds: error.retryAfterSeconds,
        http: { status: 429, headers: { 'retry-after': retryAfter } },
      },
    });
  }
  if (error instanceof StorageUnavailableError) {
    return new GraphQLError(error.message, { extensions: { code: 'SERVICE_UNAVAILABLE', http: { status: 503 } } });
  }
  if (error instanceof ModelOutputError) {
    return new GraphQLError(error.message, { extensions: { code: 'AI_INVALID_OUTPUT', http: { status: 502 } } });
  }
  return new GraphQLError(error.message, { extensions: { code: 'BAD_REQUEST' } });
}

/**
 * Yoga's `maskedErrors.maskError`: expected failures (see toGraphQLError) keep their message and
 * code; anything else becomes "Unexpected error." — in production without message, stack or SQL.
 */
export function maskGatewayError(error: unknown, message: string, isDev?: boolean): Error {
  const original = (error as { originalError?: unknown }).originalError ?? error;
  return toGraphQLError(original) ?? maskError(error, message, isDev);
}

/**
 * Yoga's `logging.error`. Yoga logs every error maskError replaced, the expected ones above too,
 * with the operation's text: those are not server faults (a cancelled operation, a timeout, bad
 * input, storage briefly away), so they are logged at info (cancelled: debug) with their code and
 * message only, never the operation's text; anything else stays an error.
 */
export function logYogaError(logger: Pick<Logger, 'debug' | 'info' | 'error'>, args: readonly unknown[]): void {
  const error = args.find((a): a is Error => a instanceof Error);
  const expected = error ? toGraphQLError((error as { originalError?: unknown }).originalError ?? error) : null;
  if (!expected) logger.error(args.join(' '));
  // Nobody waits for a cancelled operation's answer; a timeout or an outage is worth seeing.
  else if (expected.extensions.code === 'CANCELLED') logger.debug({ code: 'CANCELLED' }, `graphql: ${expected.message}`);
  else logger.info({ code: expected.extensions.code }, `graphql: ${expected.message}`);
}
