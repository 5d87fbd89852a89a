import { useI18n } from '../../i18n/index.tsx';

/** What a top list from raw logs was counted over (the API's RawLogSample). */
export interface RawLogSample {
  rows: number;
  of: number;
  sampled: boolean;
}

/** Says when a top list was counted over a sample of the range's records rather than all of them. */
export function SampleNote({ sample }: { sample: RawLogSample }) {
  const { t } = useI18n();
  if (!sample.sampled) return null;
  return <p className="muted">{t('metric.sampleNote', { rows: sample.rows, of: sample.of })}</p>;
}
