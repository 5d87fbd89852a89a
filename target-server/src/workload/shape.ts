/**
 * The daily and weekly rhythm of demo traffic. The expected request rate at time t is
 *   rate × (1 + amplitude · cos(2π · (localHour(t) − peakHour) / 24)) × (weekendFactor on Sat/Sun, else 1)
 * so over a weekday the mean is `rate`, the busiest moment is `peakHour` and the quietest is 12 hours later.
 */
export interface TrafficShape {
  /** 0 = flat; 0.6 = the peak is 1.6× and the trough 0.4× the mean. Must be in [0, 1). */
  amplitude: number;
  /** Local hour of the daily peak, 0–24. */
  peakHour: number;
  /** Multiplier for Saturdays and Sundays (local time). */
  weekendFactor: number;
  /** IANA time zone for "local"; defaults to $TZ or UTC. */
  timeZone: string;
}

export const DEFAULT_SHAPE: TrafficShape = {
  amplitude: 0.6,
  peakHour: 14,
  weekendFactor: 0.7,
  timeZone: process.env.TZ || 'UTC',
};

/** A shape that keeps the rate constant (handy for tests and benchmarks). */
export const FLAT_SHAPE: Omit<TrafficShape, 'timeZone'> = { amplitude: 0, peakHour: 14, weekendFactor: 1 };

export function resolveShape(partial: Partial<TrafficShape> | undefined): TrafficShape {
  const shape = { ...DEFAULT_SHAPE, ...partial };
  if (!(shape.amplitude >= 0 && shape.amplitude < 1)) throw new Error(`shape amplitude must be in [0, 1), got ${shape.amplitude}`);
  if (!(shape.peakHour >= 0 && shape.peakHour <= 24)) throw new Error(`shape peakHour must be in [0, 24], got ${shape.peakHour}`);
  if (!(shape.weekendFactor > 0 && shape.weekendFactor <= 10)) {
    throw new Error(`shape weekendFactor must be in (0, 10], got ${shape.weekendFactor}`);
  }
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: shape.timeZone });
  } catch {
    throw new Error(`unknown time zone "${shape.timeZone}"`);
  }
  return shape;
}

const HOUR_MS = 3_600_000;

/** Builds the rate multiplier for a shape. Zone offsets are looked up once per UTC hour. */
export function shapeFunction(shape: TrafficShape): (epochMs: number) => number {
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone: shape.timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
  });
  const offsets = new Map<number, number>();
  const offsetAt = (epochMs: number): number => {
    const hourKey = Math.floor(epochMs / HOUR_MS);
    let offset = offsets.get(hourKey);
    if (offset === undefined) {
      const parts = Object.fromEntries(format.formatToParts(hourKey * HOUR_MS).map((p) => [p.type, p.value]));
      const local = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute));
      offset = local - hourKey * HOUR_MS;
      if (offsets.size > 10_000) offsets.clear();
      offsets.set(hourKey, offset);
    }
    return offset;
  };
  return (epochMs) => {
    if (shape.amplitude === 0 && shape.weekendFactor === 1) return 1;
    const local = epochMs + offsetAt(epochMs);
    const hourOfDay = (local / HOUR_MS) % 24;
    const daily = 1 + shape.amplitude * Math.cos((2 * Math.PI * (hourOfDay - shape.peakHour)) / 24);
    const weekday = new Date(local).getUTCDay();
    return daily * (weekday === 0 || weekday === 6 ? shape.weekendFactor : 1);
  };
}
