/**
 * Expected failures, named for what went wrong rather than for a transport. graphql/error-mapping.ts
 * maps each to its GraphQL error code (and HTTP status) in one place.
 */
export abstract class DomainError extends Error {
  override name = this.constructor.name;
}

/** The caller's input cannot be answered as asked (a bad range, filter, cursor or limit). */
export class InvalidInputError extends DomainError {
  constructor(
    message: string,
    /** The argument at fault, when one is. */
    readonly argument?: string,
  ) {
    super(message);
  }
}

/** The caller named something (a rule, a channel, a silence) that does not exist. */
export class NotFoundError extends DomainError {}

/** The caller used up an allowance; it may retry after `retryAfterSeconds`. */
export class RateLimitedError extends DomainError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}

/** Storage cannot answer right now (not reachable, or migrations not applied yet): retry. */
export class StorageUnavailableError extends DomainError {
  constructor(message = 'storage is not ready; retry shortly') {
    super(message);
  }
}

/** A model answered, but not with something usable, even after a retry. */
export class ModelOutputError extends DomainError {}
