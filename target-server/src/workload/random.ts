import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';

/** A seeded source of the random choices a workload makes; the same seed gives the same sequence. */
export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [min, max]. */
  int(min: number, max: number): number;
  uniform(min: number, max: number): number;
  chance(probability: number): boolean;
  pick<T>(items: readonly T[]): T;
  weighted<T>(items: readonly (readonly [T, number])[]): T;
  /** Log-normal with the given median; sigma is the spread of the underlying normal. */
  logNormal(median: number, sigma: number): number;
  /** Exponentially distributed gap for a Poisson process of `ratePerUnit`. */
  exponential(ratePerUnit: number): number;
  /** Number of events of a Poisson process with mean `mean`. */
  poisson(mean: number): number;
  uuid(): string;
}

export function createRandom(seed: number): Random {
  if (!Number.isInteger(seed)) throw new Error(`seed must be an integer, got ${seed}`);
  const rng = xoroshiro128plus(seed);
  const next = (): number => uniformFloat64(rng);
  const normal = (): number => {
    // Box-Muller; 1 - next() keeps the logarithm away from zero.
    const u = 1 - next();
    const v = next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
  const hex32 = (): string => Math.floor(next() * 0x1_0000_0000).toString(16).padStart(8, '0');
  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    uniform: (min, max) => min + next() * (max - min),
    chance: (probability) => next() < probability,
    pick: (items) => {
      if (items.length === 0) throw new Error('cannot pick from an empty list');
      return items[Math.floor(next() * items.length)] as (typeof items)[number];
    },
    weighted: (items) => {
      const total = items.reduce((sum, [, weight]) => sum + weight, 0);
      let point = next() * total;
      for (const [item, weight] of items) {
        point -= weight;
        if (point < 0) return item;
      }
      const last = items[items.length - 1];
      if (!last) throw new Error('cannot pick from an empty list');
      return last[0];
    },
    logNormal: (median, sigma) => median * Math.exp(sigma * normal()),
    exponential: (ratePerUnit) => -Math.log(1 - next()) / ratePerUnit,
    poisson: (mean) => {
      if (mean <= 0) return 0;
      if (mean > 50) return Math.max(0, Math.round(mean + Math.sqrt(mean) * normal()));
      // Knuth's method is exact and cheap for the small means of one scheduler tick.
      const limit = Math.exp(-mean);
      let count = 0;
      let product = next();
      while (product > limit) {
        count += 1;
        product *= next();
      }
      return count;
    },
    uuid: () => {
      const a = hex32();
      const b = hex32();
      const c = hex32();
      const d = hex32();
      const variant = (8 + Math.floor(next() * 4)).toString(16);
      return `${a}-${b.slice(0, 4)}-4${b.slice(5)}-${variant}${c.slice(1, 4)}-${c.slice(4)}${d}`;
    },
  };
}

/** A seed for runs that were not given one. */
export function randomSeed(): number {
  return Math.floor(Math.random() * 0x7fffffff);
}
