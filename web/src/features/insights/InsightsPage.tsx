import { Panel, QueryState, UnavailableState } from '../../components/states/states.tsx';
import { graphql } from '../../gql/index.ts';
import { useI18n } from '../../i18n/index.tsx';
import { useRefreshingQuery } from '../../lib/refresh.tsx';
import { useControls } from '../../lib/use-controls.ts';
import { Patterns } from './Patterns.tsx';

const InsightsPage_Query = graphql(/* GraphQL */ `
  query InsightsPage_Query($range: TimeRange!, $service: String, $tz: String) {
    patterns(range: $range, service: $service, tz: $tz, limit: 5) {
      ...Patterns_TrafficPatternsFragment
    }
  }
`);

export default function InsightsPage() {
  const { t } = useI18n();
  const { controls, range } = useControls();
  const [result, reexecute] = useRefreshingQuery({ query: InsightsPage_Query, variables: { range, service: controls.service, tz: controls.tz } });
  return (
    <div className="grid">
      <Panel title={t('insights.anomalies')} className="span-6" testId="insights-anomalies">
        <UnavailableState field="anomalies" />
      </Panel>
      <Panel title={t('insights.recommendations')} className="span-6" testId="insights-recommendations">
        <UnavailableState field="recommendations" />
      </Panel>
      <Panel title={t('insights.patterns')} className="span-12" testId="insights-patterns">
        <QueryState result={result} onRetry={() => reexecute({ requestPolicy: 'network-only' })}>
          {(data) => <Patterns patterns={data.patterns} />}
        </QueryState>
      </Panel>
    </div>
  );
}
