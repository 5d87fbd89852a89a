import type { Evidence } from '../domain/evidence.ts';
import { builder } from './builder.ts';

export const EvidenceRef = builder.objectRef<Evidence>('Evidence').implement({
  description: 'A number that supports a finding, e.g. {label: "p95", value: 1840, unit: "ms"}.',
  fields: (t) => ({
    label: t.exposeString('label', { description: 'What the number is, e.g. "p95 latency" or "5xx share".' }),
    value: t.exposeFloat('value', { description: 'The number itself (ratios in percent).' }),
    unit: t.exposeString('unit', {
      nullable: true,
      description:
        'Unit of the value: "ms", "%", "requests", "req/min", "bytes", "min", "x" (a multiple), "σ" (robust z-score); null for a plain count.',
    }),
  }),
});
