import type { FastifyInstance, FastifyRequest } from 'fastify';
import { clientAddress, formatAccessLine, requestIdFrom, roundLatency } from './record.ts';
import type { RotatingFile } from './rotatingFile.ts';

/** Status logged when the client hung up before the response was complete (nginx's convention). */
const CLIENT_CLOSED_REQUEST = 499;

export interface RequestTiming {
  requestId: string;
  /** Aborted when the response ends or the client goes away, so pending delays stop. */
  signal: AbortSignal;
  bytes: number;
}

declare module 'fastify' {
  interface FastifyRequest {
    timing: RequestTiming;
  }
}

function payloadBytes(payload: unknown): number | undefined {
  if (payload === null || payload === undefined) return 0;
  if (typeof payload === 'string') return Buffer.byteLength(payload);
  if (Buffer.isBuffer(payload)) return payload.length;
  return undefined;
}

/**
 * Writes one access-log line per request when its response is over: finished, or cut short by
 * the client (status 499). Latency runs from the onRequest hook to that moment.
 */
export function registerAccessLog(app: FastifyInstance, log: RotatingFile, service: string): void {
  app.decorateRequest('timing', null as unknown as RequestTiming);

  app.addHook('onRequest', (request, reply, done) => {
    const started = process.hrtime.bigint();
    const timestamp = new Date().toISOString();
    const controller = new AbortController();
    const timing: RequestTiming = { requestId: requestIdFrom(request.headers['x-request-id']), signal: controller.signal, bytes: 0 };
    request.timing = timing;
    reply.header('x-request-id', timing.requestId);
    const response = reply.raw;
    const peer = request.socket.remoteAddress;
    response.once('close', () => {
      controller.abort();
      const finished = response.writableFinished;
      // A client that half-closed would otherwise hold the socket (and a server shutdown) open.
      if (!finished) request.raw.socket?.destroy();
      const latency = Number(process.hrtime.bigint() - started) / 1e6;
      log.write(
        formatAccessLine({
          timestamp,
          method: request.method,
          path: request.raw.url ?? request.url,
          status: finished ? response.statusCode : CLIENT_CLOSED_REQUEST,
          latency_ms: roundLatency(latency),
          user_agent: request.headers['user-agent'] || '-',
          ip_address: clientAddress(request.headers['x-forwarded-for'], peer),
          request_id: timing.requestId,
          bytes: finished ? timing.bytes : 0,
          service,
        }),
      );
    });
    done();
  });

  app.addHook('onSend', (request: FastifyRequest, reply, payload, done) => {
    if (!request.timing) return done(null, payload);
    const noBody = request.method === 'HEAD' || reply.statusCode === 204 || reply.statusCode === 304;
    const measured = payloadBytes(payload);
    const declared = Number(reply.getHeader('content-length'));
    request.timing.bytes = noBody ? 0 : (measured ?? (Number.isFinite(declared) ? declared : 0));
    done(null, payload);
  });
}
