import type { ServerResponse } from 'node:http';
import type { Logger } from '../logger.ts';
import type { Readiness } from '../storage/readiness.ts';

/** GET /healthz: the process is up and its event loop turns (no storage involved). */
export function answerHealth(res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify({ status: 'ok' }));
}

/**
 * GET /readyz: 200 when storage can serve and store, else 503. Anyone who can reach the port may
 * ask, so the body is the status only; why it is unavailable (which can name the database host)
 * goes to the log, once per change of reason rather than once per probe.
 */
export function readinessEndpoint(check: () => Promise<Readiness>, logger: Logger): (res: ServerResponse) => Promise<void> {
  let lastReason: string | null = null;
  return async (res) => {
    const r = await check();
    const reason = r.ready ? null : r.reason;
    if (reason !== lastReason) {
      if (reason) logger.warn({ reason }, 'readiness: storage unavailable');
      else logger.info('readiness: storage available');
      lastReason = reason;
    }
    res.writeHead(r.ready ? 200 : 503, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(JSON.stringify(r.ready ? { status: 'ready', database: r.mode } : { status: 'unavailable' }));
  };
}
