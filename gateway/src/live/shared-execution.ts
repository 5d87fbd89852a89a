import {
  createSourceEventStream,
  execute,
  getOperationAST,
  Kind,
  print,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';

/*
 * Fan-out without per-subscriber work. A live event that reaches many subscribers as the SAME
 * object (a logStream batch) is executed once per distinct operation — document, operation name
 * and variables — and the result serialised once; every subscriber of that operation gets the
 * same result object (and, over graphql-ws, the same bytes). This is only correct for fields whose
 * resolvers below the subscription root read nothing but the event: no context, no per-user data.
 * Events are opted in one by one with markShared; anything else is executed per subscriber.
 */

const sharedEvents = new WeakSet<object>();
/**
 * Results of shared events per operation key, kept for the RECENT_EVENTS newest only.
 * Subscribers that keep up read the same event within moments of each other, so a short window
 * shares nearly every execution; a subscriber far behind re-executes its own events rather than
 * keeping every result (and its JSON) alive for the whole backlog it may still read.
 */
const executions = new WeakMap<object, Map<string, Promise<ExecutionResult> | ExecutionResult>>();
/** The events in `executions`, oldest first; weak, so an event nobody holds still goes at once. */
const recentEvents: WeakRef<object>[] = [];
const RECENT_EVENTS = 32;
const sharedResults = new WeakSet<ExecutionResult>();
const serialized = new WeakMap<ExecutionResult, Buffer>();
const printed = new WeakMap<DocumentNode, string>();

/** Declares that `event` is delivered as this very object to every subscriber it concerns. */
export function markShared<T extends object>(event: T): T {
  sharedEvents.add(event);
  return event;
}

/**
 * The JSON of a result shared by several subscribers, built on first request and reused (the
 * graphql-ws `payload` of a `next` message); undefined for a subscriber's own result. Results
 * with errors are not shared: error masking may rewrite them per subscriber.
 */
export function sharedResultJson(result: unknown): Buffer | undefined {
  if (result === null || typeof result !== 'object' || !sharedResults.has(result as ExecutionResult)) return undefined;
  const key = result as ExecutionResult;
  let json = serialized.get(key);
  if (!json) {
    json = Buffer.from(JSON.stringify(key));
    serialized.set(key, json);
  }
  return json;
}

function operationKey(args: ExecutionArgs): string {
  let text = printed.get(args.document);
  if (text === undefined) {
    text = print(args.document);
    printed.set(args.document, text);
  }
  return `${args.operationName ?? ''}\n${JSON.stringify(args.variableValues ?? {})}\n${text}`;
}

function executeShared(event: object, args: ExecutionArgs, key: string): Promise<ExecutionResult> | ExecutionResult {
  let byOperation = executions.get(event);
  if (!byOperation) {
    byOperation = new Map();
    executions.set(event, byOperation);
    recentEvents.push(new WeakRef(event));
    if (recentEvents.length > RECENT_EVENTS) {
      const oldest = recentEvents.shift()!.deref();
      if (oldest) executions.delete(oldest);
    }
  }
  const known = byOperation.get(key);
  if (known) return known;
  const keep = (result: ExecutionResult) => {
    if (!result.errors?.length) sharedResults.add(result);
    byOperation.set(key, result);
    return result;
  };
  const result = execute({ ...args, rootValue: event });
  if (result instanceof Promise) {
    const pending = result.then(keep);
    byOperation.set(key, pending);
    return pending;
  }
  return keep(result);
}

/**
 * Maps a source stream to execution results. A hand-written iterator rather than an async
 * generator: a generator waiting on the source cannot be returned until the source yields, and
 * an idle live stream may never yield again — return() must reach the source at once.
 */
function mapEvents(source: AsyncIterable<unknown>, args: ExecutionArgs, key: string): AsyncIterableIterator<ExecutionResult> {
  const events = source[Symbol.asyncIterator]();
  const iterator: AsyncIterableIterator<ExecutionResult> = {
    async next() {
      const step = await events.next();
      if (step.done) return { done: true, value: undefined };
      const event: unknown = step.value;
      const shared = event !== null && typeof event === 'object' && sharedEvents.has(event);
      const value = shared ? await executeShared(event, args, key) : await execute({ ...args, rootValue: event });
      return { done: false, value };
    },
    async return() {
      await events.return?.();
      return { done: true, value: undefined };
    },
    async throw(error: unknown) {
      if (events.throw) await events.throw(error);
      throw error;
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}

/** The root field of a single-field subscription operation, when it is written out directly. */
function rootField(args: ExecutionArgs): string | undefined {
  const operation = getOperationAST(args.document, args.operationName);
  if (operation?.operation !== 'subscription') return undefined;
  const [selection, ...more] = operation.selectionSet.selections;
  return selection?.kind === Kind.FIELD && more.length === 0 ? selection.name.value : undefined;
}

/**
 * An envelop plugin: subscriptions whose root field is one of `fields` execute shared events
 * once per operation (see above). Setup errors (bad variables, a refused filter) take the default
 * path, so they are reported exactly like every other operation's.
 */
export function useSharedSubscriptionExecution(fields: ReadonlySet<string>): Plugin {
  return {
    onSubscribe({ args, subscribeFn, setSubscribeFn }) {
      const field = rootField(args);
      if (field === undefined || !fields.has(field)) return;
      setSubscribeFn(async (subscribeArgs: ExecutionArgs) => {
        const source = await createSourceEventStream(subscribeArgs);
        if (!(Symbol.asyncIterator in source)) return subscribeFn(subscribeArgs);
        return mapEvents(source, subscribeArgs, operationKey(subscribeArgs));
      });
    },
  };
}
