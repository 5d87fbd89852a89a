import { builder } from './builder.ts';
import type { Severity } from '../domain/severity.ts';

/** One scale for how much a finding matters, shared by anomalies, bottlenecks and recommendations. */
export const SeverityRef = builder.enumType('Severity', {
  description: 'How much a finding matters, most urgent first.',
  values: {
    CRITICAL: {
      value: 'CRITICAL',
      description: 'Users are clearly hurt now (e.g. p95 over 4× the threshold, a quarter of requests failing).',
    },
    HIGH: { value: 'HIGH', description: 'Serious; worth acting on today.' },
    MEDIUM: { value: 'MEDIUM', description: 'Noticeable; plan a fix.' },
    LOW: { value: 'LOW', description: 'Minor or informational.' },
  } as const satisfies Record<Severity, { value: Severity; description: string }>,
});
