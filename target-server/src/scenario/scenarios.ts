import { z } from 'zod';
import { parseDuration } from '../workload/duration.ts';
import type { Fault } from '../workload/incidents.ts';
import type { Random } from '../workload/random.ts';
import { routeMatches } from '../workload/routeMatch.ts';

export const SCENARIO_NAMES = ['normal', 'high-errors', 'focused-failure', 'latency', 'spike'] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

export const SCENARIO_DESCRIPTIONS: Record<ScenarioName, string> = {
  normal: 'No injected faults; the server answers as designed.',
  'high-errors': 'A share of all /api requests fails, half with 404 and half with 500.',
  'focused-failure': 'The chosen endpoints answer mostly 500; the rest stay healthy.',
  latency: 'The chosen endpoints answer slower by about the given delay.',
  spike: 'Traffic generators following this server multiply their request rate.',
};

/** Endpoints offered by the control page; the API accepts any route pattern. */
export const KNOWN_ENDPOINTS = ['/api/users', '/api/products', '/api/slow', '/api/error'] as const;

const MAX_DURATION_MS = 7 * 86_400_000;

// Duration: "5m"-style text or a number of seconds.
const duration = z
  .union([z.number().positive(), z.string()])
  .transform((value, ctx) => {
    try {
      const ms = typeof value === 'number' ? value * 1000 : parseDuration(value);
      if (ms > 0 && ms <= MAX_DURATION_MS) return ms;
      ctx.addIssue({ code: 'custom', message: 'duration must be positive and at most 7d' });
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
    }
    return z.NEVER;
  })
  .optional();

const endpoints = z
  .array(
    z
      .string()
      .max(200)
      .regex(/^(\*|\/[^\s?#]*)$/, 'an endpoint is a path such as /api/users (or * for all)'),
  )
  .min(1, 'choose at least one endpoint')
  .max(10, 'at most 10 endpoints');

const scenarioRequestSchema = z.discriminatedUnion('name', [
  z.strictObject({ name: z.literal('normal') }),
  z.strictObject({ name: z.literal('high-errors'), errorRate: z.number().min(0).max(1).default(0.3), duration }),
  z.strictObject({
    name: z.literal('focused-failure'),
    endpoints: endpoints.default(['/api/products']),
    errorRate: z.number().min(0).max(1).default(0.85),
    duration,
  }),
  z.strictObject({
    name: z.literal('latency'),
    endpoints: endpoints.default(['*']),
    latencyMs: z.number().int().min(1).max(30_000).default(1200),
    duration,
  }),
  z.strictObject({ name: z.literal('spike'), multiplier: z.number().gt(1).max(20).default(3), duration }),
]);

export type ScenarioRequest = z.input<typeof scenarioRequestSchema>;
type ParsedScenario = z.output<typeof scenarioRequestSchema>;

export interface ScenarioState {
  name: ScenarioName;
  startedAt: string;
  /** When it reverts to normal by itself; null = until stopped. */
  endsAt: string | null;
  errorRate?: number;
  endpoints?: string[];
  latencyMs?: number;
  multiplier?: number;
}

export class ScenarioInputError extends Error {}

/** Formats zod issues as one readable sentence per problem. */
export function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => (issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message)).join('; ');
}

/** The server's current scenario. Timed scenarios revert to normal when read after they end. */
export class ScenarioController {
  private state: ParsedScenario = { name: 'normal' };
  private startedAt: number;
  private endsAt: number | null = null;
  private readonly listeners = new Set<(state: ScenarioState) => void>();

  constructor(private readonly now: () => number = Date.now) {
    this.startedAt = now();
  }

  current(): ScenarioState {
    if (this.endsAt !== null && this.now() >= this.endsAt) this.apply({ name: 'normal' });
    // The parsed request minus its duration (shown as endsAt instead).
    const params: Record<string, unknown> = { ...this.state };
    delete params.duration;
    return {
      ...(params as Omit<ScenarioState, 'startedAt' | 'endsAt'>),
      startedAt: new Date(this.startedAt).toISOString(),
      endsAt: this.endsAt === null ? null : new Date(this.endsAt).toISOString(),
    };
  }

  /** Validates and switches to a scenario; throws ScenarioInputError with a readable message. */
  start(input: unknown): ScenarioState {
    const parsed = scenarioRequestSchema.safeParse(input);
    if (!parsed.success) throw new ScenarioInputError(describeIssues(parsed.error));
    this.apply(parsed.data);
    return this.current();
  }

  stop(): ScenarioState {
    this.apply({ name: 'normal' });
    return this.current();
  }

  /** Called on every change (including a timed scenario ending, once it is noticed). */
  onChange(listener: (state: ScenarioState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Traffic multiplier for generators that follow this server. */
  rateMultiplier(): number {
    const state = this.current();
    return state.name === 'spike' ? (state.multiplier ?? 1) : 1;
  }

  /** What the scenario does to one /api request. */
  fault(path: string, random: Random): Fault {
    this.current();
    const state = this.state;
    switch (state.name) {
      case 'high-errors':
        return routeMatches('/api', path) && random.chance(state.errorRate)
          ? { status: random.chance(0.5) ? 500 : 404, delayMs: 0 }
          : { delayMs: 0 };
      case 'focused-failure':
        return state.endpoints.some((e) => routeMatches(e, path)) && random.chance(state.errorRate)
          ? { status: 500, delayMs: 0 }
          : { delayMs: 0 };
      case 'latency':
        return state.endpoints.some((e) => routeMatches(e, path))
          ? { delayMs: Math.round(state.latencyMs * random.uniform(0.7, 1.3)) }
          : { delayMs: 0 };
      default:
        return { delayMs: 0 };
    }
  }

  private apply(next: ParsedScenario): void {
    this.state = next;
    this.startedAt = this.now();
    this.endsAt = 'duration' in next && next.duration !== undefined ? this.startedAt + next.duration : null;
    const state = this.current();
    for (const listener of this.listeners) listener(state);
  }
}
