import { AsyncLocalStorage } from 'node:async_hooks';
import { connect as connectTcp, type Socket } from 'node:net';
import type pg from 'pg';

/**
 * Cancelling the PostgreSQL statements of an operation whose client went away (an aborted HTTP
 * request, a WebSocket operation completed or closed by its client).
 *
 * The operation runs inside `runCancellable(signal, fn)`; every connection the query pool hands
 * out within it (pool.query and pool.connect alike, so Prisma's adapter too) is remembered as the
 * operation's while it is checked out. When the signal aborts, each of them gets PostgreSQL's
 * CancelRequest (a separate 16-byte TCP message: no login, no pool slot); a connection asked for
 * afterwards is refused at once. A statement cancelled this way fails with 57014 "canceling
 * statement due to user request" and its connection goes back to the pool healthy.
 *
 * Only connections checked out by the operation are ever cancelled, and a connection is not
 * returned to the pool before the server has received its CancelRequest (PostgreSQL ignores one
 * that reaches an idle backend), so a cancel never lands on another operation's statement.
 */
interface Owner {
  signal: AbortSignal;
  /** Connections checked out by this operation. */
  clients: Set<pg.PoolClient>;
  /** CancelRequests in flight: a connection waits for them before going back to the pool. */
  cancels: Promise<void>[];
}

const owners = new AsyncLocalStorage<Owner>();
const CANCELLED = Symbol('logpulse.cancelled');

/** The error for a connection asked for after the operation was aborted (same SQLSTATE as a cancel). */
class StatementCancelledError extends Error {
  readonly code = '57014';
  readonly [CANCELLED] = true;
  constructor() {
    super('canceling statement due to user request: the client went away');
  }
}

/** True for a statement cancelled because its client went away (not a statement timeout). */
export function isCancelledStatement(error: unknown): boolean {
  for (let e = error, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if ((e as { [CANCELLED]?: boolean })[CANCELLED]) return true;
    const { code, message } = e as { code?: unknown; message?: unknown };
    if (code === '57014' && typeof message === 'string' && /user request/i.test(message)) return true;
  }
  return false;
}

/** Runs `fn` (and everything it awaits) as one operation whose statements `signal` cancels. */
export function runCancellable<T>(signal: AbortSignal, fn: () => T): T {
  const owner: Owner = { signal, clients: new Set(), cancels: [] };
  const onAbort = () => {
    for (const client of owner.clients) owner.cancels.push(sendCancelRequest(client));
  };
  signal.addEventListener('abort', onAbort, { once: true });
  const done = () => signal.removeEventListener('abort', onAbort);
  try {
    const result = owners.run(owner, fn);
    if (result instanceof Promise) return result.finally(done) as T;
    done();
    return result;
  } catch (error) {
    done();
    throw error;
  }
}

/**
 * Runs `fn` outside any cancellable operation: for work several operations share (a cache's
 * computation in flight), which the first of them going away must not cancel for the others.
 */
export function detached<T>(fn: () => T): T {
  return owners.exit(fn);
}

type ConnectCallback = (err: Error | undefined, client: pg.PoolClient | undefined, release: (err?: Error | boolean) => void) => void;

/**
 * Makes `pool` hand connections out on behalf of the current cancellable operation (see above).
 * Outside `runCancellable` the pool behaves exactly as before.
 */
export function cancelStatementsOnAbort(pool: pg.Pool): void {
  const connect = pool.connect.bind(pool) as (callback?: ConnectCallback) => Promise<pg.PoolClient> | void;
  const adopted = (owner: Owner, client: pg.PoolClient): Error | undefined => {
    if (owner.signal.aborted) {
      client.release();
      return new StatementCancelledError();
    }
    owner.clients.add(client);
    const release = client.release.bind(client);
    client.release = (err?: Error | boolean) => {
      owner.clients.delete(client);
      // A statement we cancelled left the connection healthy: pg-pool would discard it for the error.
      const healthy = owner.signal.aborted && isCancelledStatement(err);
      const give = () => release(healthy ? undefined : err);
      if (owner.cancels.length === 0) give();
      else void Promise.allSettled(owner.cancels).then(give);
    };
    return undefined;
  };
  // pg-pool's own pool.query calls this.connect(callback), so overriding it covers both paths.
  (pool as { connect: unknown }).connect = (callback?: ConnectCallback) => {
    const owner = owners.getStore();
    if (!owner) return connect(callback);
    if (callback) {
      connect((err, client, release) => {
        if (err || !client) return callback(err, client, release);
        const refused = adopted(owner, client);
        if (refused) callback(refused, undefined, () => {});
        else callback(undefined, client, (e) => client.release(e));
      });
      return undefined;
    }
    return (connect() as Promise<pg.PoolClient>).then((client) => {
      const refused = adopted(owner, client);
      if (refused) throw refused;
      return client;
    });
  };
}

/** PostgreSQL's CancelRequest for the connection's backend; resolves once the server closed the exchange. */
function sendCancelRequest(client: pg.PoolClient): Promise<void> {
  const { processID, secretKey, host, port } = client as unknown as {
    processID: number | null;
    secretKey: number | null;
    host: string;
    port: number;
  };
  if (processID === null || secretKey === null) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const message = Buffer.alloc(16);
    message.writeInt32BE(16, 0);
    message.writeInt32BE(80877102, 4);
    message.writeInt32BE(processID, 8);
    message.writeInt32BE(secretKey, 12);
    const socket: Socket = host.startsWith('/') ? connectTcp(`${host}/.s.PGSQL.${port}`) : connectTcp(port, host);
    // The server answers nothing: it signals the backend and closes. A failure leaves the
    // statement to its STATEMENT_TIMEOUT_MS, as before.
    socket.setTimeout(5_000, () => socket.destroy());
    socket.once('connect', () => socket.end(message));
    socket.once('error', () => socket.destroy());
    socket.once('close', () => resolve());
  });
}
