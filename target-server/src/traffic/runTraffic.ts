import http from 'node:http';
import https from 'node:https';
import { createClients, pickClient } from '../workload/clients.ts';
import { toMilliseconds } from '../workload/duration.ts';
import { incidentFault, resolveIncidents, spikeFactorAt, type Fault, type IncidentInput } from '../workload/incidents.ts';
import { CreatedIds, planRequest, type RequestPlan } from '../workload/mix.ts';
import { createRandom, randomSeed } from '../workload/random.ts';
import { checkRate } from '../workload/records.ts';
import { resolveShape, shapeFunction, type TrafficShape } from '../workload/shape.ts';

/** Something that says how much to multiply the rate by right now (the server's spike scenario). */
export interface RateSource {
  rateMultiplier(): number;
}

export interface TrafficOptions {
  /** Target base URL; default http://127.0.0.1:$TARGET_PORT (8081). */
  url?: string;
  /** Mean requests per second before the daily shape, spikes and scenarios apply. Default 5. */
  rate?: number;
  /** Stop after this long ("10m" or ms); default: run until stop(). */
  duration?: number | string;
  seed?: number;
  incidents?: readonly IncidentInput[];
  shape?: Partial<TrafficShape>;
  /** Most requests in flight at once; arrivals beyond it are dropped and counted. Default 200. */
  concurrency?: number;
  /**
   * Follow the server's spike scenario: true polls GET <url>/scenario every scenarioPollMs
   * (those polls are logged like any request); an in-process RateSource is read directly; false ignores it.
   */
  followScenario?: boolean | RateSource;
  scenarioPollMs?: number;
  /** Called after each request completes or fails. */
  onResult?: (result: TrafficResult) => void;
}

export interface TrafficResult {
  plan: RequestPlan;
  requestId: string;
  /** Faults this run asked the server for (scripted incidents). */
  fault: Fault;
  sentAt: number;
  status?: number;
  error?: string;
}

export interface TrafficSummary {
  sent: number;
  completed: number;
  /** Network failures (server unreachable, reset, timeout). */
  failed: number;
  /** Arrivals skipped because `concurrency` requests were already in flight. */
  dropped: number;
  byStatus: Record<string, number>;
  startedAt: string;
  endedAt?: string;
}

export interface TrafficRun {
  /** Stops sending; resolves once in-flight requests are done (or abandoned after a grace period). */
  stop(): Promise<TrafficSummary>;
  done: Promise<TrafficSummary>;
  summary(): TrafficSummary;
}

const TICK_MS = 20;
const STOP_GRACE_MS = 5000;
const REQUEST_TIMEOUT_MS = 120_000;

export function defaultTargetUrl(env: NodeJS.ProcessEnv = process.env): string {
  return `http://127.0.0.1:${env.TARGET_PORT || 8081}`;
}

/**
 * Sends a realistic, seeded mix of real HTTP requests to the target server at `rate` req/s
 * (Poisson arrivals shaped by time of day), with scripted incidents asked of the server through
 * X-Fault-* headers: the server really fails or really waits, so the access log measures it.
 */
export function runTraffic(options: TrafficOptions = {}): TrafficRun {
  const base = new URL(options.url ?? defaultTargetUrl());
  if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new Error(`traffic url must be http(s), got ${base.protocol}`);
  const rate = options.rate ?? 5;
  checkRate(rate);
  const concurrency = options.concurrency ?? 200;
  if (!(Number.isInteger(concurrency) && concurrency >= 1 && concurrency <= 10_000)) throw new Error('concurrency must be an integer in [1, 10000]');
  const durationMs = options.duration === undefined ? undefined : toMilliseconds(options.duration, 'duration');
  if (durationMs !== undefined && !(durationMs > 0)) throw new Error('duration must be positive');
  const shapeAt = shapeFunction(resolveShape(options.shape));
  const startMs = Date.now();
  const incidents = resolveIncidents(options.incidents, { startMs });
  const random = createRandom(options.seed ?? randomSeed());
  const clients = createClients(random);
  const created = new CreatedIds();
  const transport = base.protocol === 'https:' ? https : http;
  const agent = new transport.Agent({ keepAlive: true, maxSockets: concurrency });
  const prefix = base.pathname.replace(/\/$/, '');

  const summary: TrafficSummary = { sent: 0, completed: 0, failed: 0, dropped: 0, byStatus: {}, startedAt: new Date(startMs).toISOString() };
  let inFlight = 0;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let lastTick = performance.now();
  let drained: (() => void) | undefined;

  let scenarioMultiplier = 1;
  const rateSource = typeof options.followScenario === 'object' ? options.followScenario : undefined;
  const pollScenario = options.followScenario === undefined || options.followScenario === true;
  let pollTimer: NodeJS.Timeout | undefined;
  const poll = (): void => {
    const request = transport.get(new URL(`${prefix}/scenario`, base), { agent, headers: { 'user-agent': 'logpulse-traffic/1 (scenario poll)' }, timeout: 5000 }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => {
        try {
          const state = JSON.parse(text) as { name?: string; multiplier?: number };
          scenarioMultiplier = state.name === 'spike' && typeof state.multiplier === 'number' ? state.multiplier : 1;
        } catch {
          scenarioMultiplier = 1;
        }
      });
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => undefined);
    if (!stopped) pollTimer = setTimeout(poll, options.scenarioPollMs ?? 5000);
  };

  const settle = (): void => {
    inFlight -= 1;
    if (inFlight === 0 && drained) drained();
  };

  const send = (now: number): void => {
    const plan = planRequest(random, created);
    const client = pickClient(clients, random);
    const fault = incidentFault(incidents, now, plan.path, random);
    const requestId = random.uuid();
    if (inFlight >= concurrency) {
      summary.dropped += 1;
      return;
    }
    const body = plan.body === undefined ? undefined : JSON.stringify(plan.body);
    const headers: Record<string, string> = {
      'user-agent': client.userAgent,
      'x-forwarded-for': client.ip,
      'x-request-id': requestId,
      accept: 'application/json',
    };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (fault.status !== undefined) headers['x-fault-status'] = String(fault.status);
    if (fault.delayMs > 0) headers['x-fault-delay-ms'] = String(fault.delayMs);

    inFlight += 1;
    summary.sent += 1;
    const result: TrafficResult = { plan, requestId, fault, sentAt: now };
    const request = transport.request(
      new URL(prefix + plan.path, base),
      { method: plan.method, agent, headers, timeout: REQUEST_TIMEOUT_MS },
      (response) => {
        const status = response.statusCode ?? 0;
        let text = '';
        const wantsBody = plan.kind === 'create' && status === 201;
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          if (wantsBody) text += chunk;
        });
        response.on('end', () => {
          summary.completed += 1;
          summary.byStatus[status] = (summary.byStatus[status] ?? 0) + 1;
          if (wantsBody && plan.resource) {
            try {
              const id = (JSON.parse(text) as { id?: unknown }).id;
              if (typeof id === 'number') created.add(plan.resource, id);
            } catch {
              // A created item we cannot parse is simply never deleted by us.
            }
          }
          result.status = status;
          options.onResult?.(result);
          settle();
        });
        response.on('error', () => undefined);
      },
    );
    request.on('timeout', () => request.destroy(new Error('request timed out')));
    request.on('error', (error) => {
      summary.failed += 1;
      result.error = error.message;
      options.onResult?.(result);
      settle();
    });
    request.end(body);
  };

  const tick = (): void => {
    if (stopped) return;
    const now = Date.now();
    const elapsed = performance.now();
    // After a long stall (suspended laptop, loaded CI) do not fire a burst for the whole gap.
    const dt = Math.min(1000, elapsed - lastTick);
    lastTick = elapsed;
    const multiplier = rateSource ? rateSource.rateMultiplier() : scenarioMultiplier;
    const perSecond = rate * shapeAt(now) * spikeFactorAt(incidents, now) * multiplier;
    const arrivals = random.poisson((perSecond * dt) / 1000);
    for (let i = 0; i < arrivals; i += 1) send(now);
    if (durationMs !== undefined && now - startMs >= durationMs) {
      void finish();
      return;
    }
    timer = setTimeout(tick, TICK_MS);
  };

  let finished: Promise<TrafficSummary> | undefined;
  let resolveDone: (summary: TrafficSummary) => void = () => undefined;
  const done = new Promise<TrafficSummary>((resolve) => (resolveDone = resolve));
  const finish = (): Promise<TrafficSummary> => {
    finished ??= (async () => {
      stopped = true;
      clearTimeout(timer);
      clearTimeout(pollTimer);
      if (inFlight > 0) {
        await new Promise<void>((resolve) => {
          const grace = setTimeout(resolve, STOP_GRACE_MS);
          drained = () => {
            clearTimeout(grace);
            resolve();
          };
        });
      }
      agent.destroy();
      summary.endedAt = new Date().toISOString();
      const final = { ...summary, byStatus: { ...summary.byStatus } };
      resolveDone(final);
      return final;
    })();
    return finished;
  };

  if (pollScenario) poll();
  timer = setTimeout(tick, TICK_MS);
  return { stop: finish, done, summary: () => ({ ...summary, byStatus: { ...summary.byStatus } }) };
}
