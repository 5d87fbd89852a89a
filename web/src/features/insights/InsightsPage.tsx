import { Panel, QueryState } from '../../components/states/states.tsx';
import { graphql } from '../../gql/index.ts';
import type { AnomalySensitivity } from '../../gql/graphql.ts';
import { useI18n } from '../../i18n/index.tsx';
import { useRefreshingQuery } from '../../lib/refresh.tsx';
import { useControls, usePageParams } from '../../lib/use-controls.ts';
import { AnomalyList } from './AnomalyList.tsx';
import { Patterns } from './Patterns.tsx';
import { Recommendations } from './Recommendations.tsx';

// One query per panel: each analysis has its own cost and can fail on its own, and the
// patterns should not wait for anomaly detection (nor disappear with it).
const InsightsPage_Query = graphql(/* GraphQL */ `
  query InsightsPage_Query($range: TimeRange!, $service: String, $tz: String) {
    patterns(range: $range, service: $service, tz: $tz, limit: 5) {
      ...Patterns_TrafficPatternsFragment
    }
  }
`);

const InsightsPage_AnomaliesQuery = graphql(/* GraphQL */ `
  query InsightsPage_AnomaliesQuery($range: TimeRange!, $service: String, $sensitivity: AnomalySensitivity) {
    anomalies(range: $range, service: $service, sensitivity: $sensitivity) {
      ...AnomalyList_AnomalyReportFragment
      anomalies {
        ...Recommendations_AnomalyFragment
      }
    }
  }
`);

const InsightsPage_RecommendationsQuery = graphql(/* GraphQL */ `
  query InsightsPage_RecommendationsQuery($range: TimeRange!, $service: String) {
    recommendations(range: $range, service: $service, limit: 20) {
      ...Recommendations_RecommendationFragment
    }
  }
`);

const NO_ANOMALIES: never[] = [];

const SENSITIVITIES = ['LOW', 'MEDIUM', 'HIGH'] as const satisfies readonly AnomalySensitivity[];

function parseSensitivity(value: string | null): AnomalySensitivity {
  return (SENSITIVITIES as readonly string[]).includes(value ?? '') ? (value as AnomalySensitivity) : 'MEDIUM';
}

function SensitivityPicker({ value, onChange }: { value: AnomalySensitivity; onChange: (value: AnomalySensitivity) => void }) {
  const { t } = useI18n();
  return (
    <div className="segmented segmented-small" role="group" aria-label={t('anomaly.sensitivity')} title={t('anomaly.sensitivity')}>
      {SENSITIVITIES.map((s) => (
        <button key={s} type="button" aria-pressed={value === s} onClick={() => onChange(s)}>
          {t(`anomaly.sensitivity.${s}`)}
        </button>
      ))}
    </div>
  );
}

export default function InsightsPage() {
  const { t } = useI18n();
  const { controls, range } = useControls();
  const [params, setParams] = usePageParams();
  const sensitivity = parseSensitivity(params.get('sensitivity'));
  const service = controls.service;
  const [result, reexecute] = useRefreshingQuery({ query: InsightsPage_Query, variables: { range, service, tz: controls.tz } });
  const [anomalies, reexecuteAnomalies] = useRefreshingQuery({
    query: InsightsPage_AnomaliesQuery,
    variables: { range, service, sensitivity },
  });
  const [recommendations, reexecuteRecommendations] = useRefreshingQuery({
    query: InsightsPage_RecommendationsQuery,
    variables: { range, service },
  });
  return (
    <div className="grid">
      <Panel
        title={t('insights.anomalies')}
        className="span-6"
        testId="insights-anomalies"
        actions={<SensitivityPicker value={sensitivity} onChange={(s) => setParams({ sensitivity: s === 'MEDIUM' ? null : s })} />}
      >
        <QueryState result={anomalies} onRetry={() => reexecuteAnomalies({ requestPolicy: 'network-only' })}>
          {(data) => <AnomalyList report={data.anomalies} service={service} />}
        </QueryState>
      </Panel>
      <Panel title={t('insights.recommendations')} className="span-6" testId="insights-recommendations">
        <QueryState result={recommendations} onRetry={() => reexecuteRecommendations({ requestPolicy: 'network-only' })}>
          {(data) => (
            <Recommendations recommendations={data.recommendations} anomalies={anomalies.data?.anomalies.anomalies ?? NO_ANOMALIES} service={service} />
          )}
        </QueryState>
      </Panel>
      <Panel title={t('insights.patterns')} className="span-12" testId="insights-patterns">
        <QueryState result={result} onRetry={() => reexecute({ requestPolicy: 'network-only' })}>
          {(data) => <Patterns patterns={data.patterns} />}
        </QueryState>
      </Panel>
    </div>
  );
}
