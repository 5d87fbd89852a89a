import { graphql, getFragmentData, type FragmentType } from '../../gql/index.ts';
import { useI18n } from '../../i18n/index.tsx';

export const PipelineServices_ServicePipelineFragment = graphql(/* GraphQL */ `
  fragment PipelineServices_ServicePipelineFragment on ServicePipeline {
    service
    batches
    accepted
    rejected
    lastBatchAt
    lagP50Ms
    lagP95Ms
  }
`);

export function PipelineServices({ services }: { services: readonly FragmentType<typeof PipelineServices_ServicePipelineFragment>[] }) {
  const { t, fmt } = useI18n();
  const rows = getFragmentData(PipelineServices_ServicePipelineFragment, services);
  return (
    <div className="table-wrap">
      <table className="data">
        <thead>
          <tr>
            <th>{t('logs.service')}</th>
            <th className="num">{t('pipeline.batches')}</th>
            <th className="num">{t('pipeline.accepted')}</th>
            <th className="num">{t('pipeline.rejected')}</th>
            <th>{t('pipeline.lastBatch')}</th>
            <th className="num">{t('pipeline.lag')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((s) => (
            <tr key={s.service}>
              <td className="service">{s.service}</td>
              <td className="num">{fmt.integer(s.batches)}</td>
              <td className="num">{fmt.integer(s.accepted)}</td>
              <td className={`num ${s.rejected > 0 ? 'status-5xx' : ''}`}>{fmt.integer(s.rejected)}</td>
              <td title={s.lastBatchAt ? fmt.dateTime(s.lastBatchAt) : undefined}>
                {s.lastBatchAt ? fmt.relative(s.lastBatchAt) : t('pipeline.never')}
              </td>
              <td className="num">
                {fmt.ms(s.lagP50Ms)} / {fmt.ms(s.lagP95Ms)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
