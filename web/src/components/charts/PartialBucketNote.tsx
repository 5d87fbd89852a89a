import { useI18n } from '../../i18n/index.tsx';

/** Says why a time chart ends before now: its last bucket is still filling and is left out. */
export function PartialBucketNote({ bucketSeconds }: { bucketSeconds: number }) {
  const { t, fmt } = useI18n();
  return (
    <p className="chart-note muted" data-testid="partial-bucket-note">
      {t('chart.partialBucket', { bucket: fmt.duration(bucketSeconds * 1000) })}
    </p>
  );
}
