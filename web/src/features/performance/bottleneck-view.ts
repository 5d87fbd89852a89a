import type { BottleneckReason } from '../../gql/graphql.ts';
import type { Translate } from '../../i18n/index.tsx';
import type { Formatters } from '../../lib/format.ts';

/** The fields of a bottleneck its reasons are worded from. */
export interface BottleneckFacts {
  reasons: readonly BottleneckReason[];
  p95: number | null;
  baselineP95: number | null;
  serviceMedianP95: number | null;
}

/**
 * Each rule the endpoint breaks, with the number that breaks it: "p95 over 500 ms (4.3×)",
 * "3.1× slower than the previous period", "18× the service median".
 */
export function bottleneckReasons(
  b: BottleneckFacts,
  thresholdMs: number,
  fmt: Formatters,
  t: Translate,
): { reason: BottleneckReason; text: string }[] {
  const p95 = b.p95 ?? 0;
  const ratio = (base: number | null) => (base && base > 0 ? fmt.decimal(p95 / base, 1) : '–');
  return b.reasons.map((reason) => {
    switch (reason) {
      case 'P95_OVER_THRESHOLD':
        return { reason, text: t('bottleneck.reason.P95_OVER_THRESHOLD', { threshold: fmt.ms(thresholdMs), ratio: ratio(thresholdMs) }) };
      case 'SLOWER_THAN_BEFORE':
        return { reason, text: t('bottleneck.reason.SLOWER_THAN_BEFORE', { ratio: ratio(b.baselineP95) }) };
      case 'SLOWER_THAN_SERVICE':
        return { reason, text: t('bottleneck.reason.SLOWER_THAN_SERVICE', { ratio: ratio(b.serviceMedianP95) }) };
    }
  });
}
