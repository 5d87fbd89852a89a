import { Panel, QueryState } from '../../components/states/states.tsx';
import { graphql } from '../../gql/index.ts';
import { useI18n } from '../../i18n/index.tsx';
import { useRefreshingQuery } from '../../lib/refresh.tsx';
import { resolveRange } from '../../lib/time-range.ts';
import { useControls } from '../../lib/use-controls.ts';
import { DeadLetters } from './DeadLetters.tsx';
import { PipelineServices } from './PipelineServices.tsx';
import { PipelineSummary } from './PipelineSummary.tsx';

const PipelinePage_Query = graphql(/* GraphQL */ `
  query PipelinePage_Query($range: TimeRange!) {
    health {
      status
      database
      version
    }
    pipelineHealth(range: $range) {
      ...PipelineSummary_PipelineHealthFragment
      services {
        service
        ...PipelineServices_ServicePipelineFragment
      }
      deadLetterReasons {
        reason
        ...DeadLetters_DeadLetterReasonFragment
      }
    }
  }
`);

export default function PipelinePage() {
  const { t } = useI18n();
  const { controls, range } = useControls();
  const [result, reexecute] = useRefreshingQuery({ query: PipelinePage_Query, variables: { range } });
  const bounds = resolveRange(controls.range, Date.now());
  const retry = () => reexecute({ requestPolicy: 'network-only' });
  return (
    <QueryState result={result} onRetry={retry} rows={6}>
      {(data) => (
        <>
          <PipelineSummary health={data.pipelineHealth} rangeSeconds={(bounds.to - bounds.from) / 1000} />
          <div className="grid">
            <Panel title={t('pipeline.services')} className="span-8" testId="pipeline-services">
              {data.pipelineHealth.services.length === 0 ? (
                <p className="muted">{t('state.empty')}</p>
              ) : (
                <PipelineServices services={data.pipelineHealth.services} />
              )}
            </Panel>
            <Panel title={t('pipeline.health')} className="span-4">
              <dl className="kv">
                <dt>{t('pipeline.status')}</dt>
                <dd>
                  <span className={`badge badge-${data.health.status === 'ok' ? 'ok' : 'error'}`}>
                    {data.health.status === 'ok' ? t('pipeline.status.ok') : t('pipeline.status.degraded')}
                  </span>
                </dd>
                <dt>{t('pipeline.database')}</dt>
                <dd>
                  {data.health.database === 'pglite' ? (
                    t('pipeline.database.pglite')
                  ) : data.health.database === 'postgres' ? (
                    'PostgreSQL'
                  ) : (
                    <code>{data.health.database}</code>
                  )}
                </dd>
                <dt>{t('pipeline.version')}</dt>
                <dd>{data.health.version}</dd>
              </dl>
            </Panel>
            <Panel title={t('pipeline.deadLetters')} className="span-12" testId="pipeline-dead-letters">
              <DeadLetters reasons={data.pipelineHealth.deadLetterReasons} />
            </Panel>
          </div>
        </>
      )}
    </QueryState>
  );
}
