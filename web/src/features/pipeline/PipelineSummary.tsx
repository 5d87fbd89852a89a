import { graphql, getFragmentData, type FragmentType } from '../../gql/index.ts';
import { useI18n } from '../../i18n/index.tsx';

export const PipelineSummary_PipelineHealthFragment = graphql(/* GraphQL */ `
  fragment PipelineSummary_PipelineHealthFragment on PipelineHealth {
    batches
    accepted
    rejected
    duplicateBatches
    unparseableBodies
    lastBatchAt
  }
`);

/** Headline ingest counts, so a user can trust (or doubt) the numbers on the other pages. */
export function PipelineSummary({
  health,
  rangeSeconds,
}: {
  health: FragmentType<typeof PipelineSummary_PipelineHealthFragment>;
  rangeSeconds: number;
}) {
  const { t, fmt } = useI18n();
  const h = getFragmentData(PipelineSummary_PipelineHealthFragment, health);
  const cards = [
    { key: 'rate', label: t('pipeline.ingestRate'), value: fmt.perSecond(rangeSeconds > 0 ? h.accepted / rangeSeconds : 0) },
    { key: 'accepted', label: t('pipeline.accepted'), value: fmt.integer(h.accepted) },
    { key: 'rejected', label: t('pipeline.rejected'), value: fmt.integer(h.rejected), bad: h.rejected > 0 },
    { key: 'duplicates', label: t('pipeline.duplicates'), value: fmt.integer(h.duplicateBatches) },
    { key: 'unparseable', label: t('pipeline.unparseable'), value: fmt.integer(h.unparseableBodies), bad: h.unparseableBodies > 0 },
    { key: 'batches', label: t('pipeline.batches'), value: fmt.integer(h.batches) },
    {
      key: 'last',
      label: t('pipeline.lastBatch'),
      value: h.lastBatchAt ? fmt.relative(h.lastBatchAt) : t('pipeline.never'),
      title: h.lastBatchAt ? fmt.dateTime(h.lastBatchAt) : undefined,
    },
  ];
  return (
    <div className="kpis" data-testid="pipeline-summary">
      {cards.map((c) => (
        <div key={c.key} className="kpi" data-kpi={c.key} title={c.title}>
          <span className="kpi-label">{c.label}</span>
          <span
            className={c.key === 'last' ? 'kpi-value kpi-value-small' : 'kpi-value'}
            style={c.bad ? { color: 'var(--error)' } : undefined}
          >
            {c.value}
          </span>
        </div>
      ))}
    </div>
  );
}
