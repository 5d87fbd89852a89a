import { useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { ErrorState, Panel, QueryState } from '../../components/states/states.tsx';
import { graphql } from '../../gql/index.ts';
import { useI18n } from '../../i18n/index.tsx';
import { useControls } from '../../lib/use-controls.ts';
import { AiChat } from './AiChat.tsx';
import { AiInsightView, ProviderBadge } from './AiInsightView.tsx';

const AiPage_Query = graphql(/* GraphQL */ `
  query AiPage_Query {
    aiStatus {
      provider
      model
    }
    aiInsights(first: 10) {
      edges {
        node {
          id
          createdAt
          severity
          summary
          ...AiInsightView_AiInsightFragment
        }
      }
    }
  }
`);

const AiPage_AnalyzeMutation = graphql(/* GraphQL */ `
  mutation AiPage_AnalyzeMutation($service: String, $language: AiLanguage) {
    analyzeRecentLogs(windowMinutes: 5, service: $service, language: $language) {
      id
      ...AiInsightView_AiInsightFragment
    }
  }
`);

export default function AiPage() {
  const { t, fmt, locale } = useI18n();
  const { controls } = useControls();
  const [result, reexecute] = useQuery({ query: AiPage_Query });
  const [analysis, analyze] = useMutation(AiPage_AnalyzeMutation);
  const [selected, setSelected] = useState<string | null>(null);
  const history = result.data?.aiInsights.edges.map((e) => e.node) ?? [];
  const shown = selected ? history.find((h) => h.id === selected) : analysis.data?.analyzeRecentLogs;

  return (
    <div className="grid">
      <Panel
        title={t('ai.analysis')}
        className="span-7"
        testId="ai-analysis"
        actions={
          <>
            {result.data && <ProviderBadge provider={result.data.aiStatus.provider} />}
            <button
              type="button"
              className="button button-primary"
              data-testid="ai-analyze"
              disabled={analysis.fetching}
              onClick={async () => {
                setSelected(null);
                await analyze({ service: controls.service, language: locale === 'ko' ? 'KO' : 'EN' });
                reexecute({ requestPolicy: 'network-only' });
              }}
            >
              {analysis.fetching ? t('ai.analyzing') : t('ai.analyze')}
            </button>
          </>
        }
      >
        {analysis.error && <ErrorState error={analysis.error} />}
        {shown ? <AiInsightView insight={shown} /> : <p className="muted">{t('ai.noHistory')}</p>}
      </Panel>
      <Panel title={t('ai.history')} className="span-5" testId="ai-history">
        <QueryState result={result} isEmpty={(d) => d.aiInsights.edges.length === 0} emptyMessage={t('ai.noHistory')} onRetry={() => reexecute({ requestPolicy: 'network-only' })}>
          {() => (
            <ul className="finding-list">
              {history.map((h) => (
                <li key={h.id}>
                  <button type="button" className="finding history-item" onClick={() => setSelected(h.id)} aria-pressed={selected === h.id}>
                    <span className="finding-head">
                      <span className={`badge ${h.severity === 'CRITICAL' ? 'badge-critical' : h.severity === 'WARNING' ? 'badge-warning' : 'badge-ok'}`}>{t(`ai.severity.${h.severity}`)}</span>
                      <span className="muted">{fmt.dateTime(h.createdAt)}</span>
                    </span>
                    <span className="history-summary" data-raw="">
                      {h.summary}
                    </span>
                  </button>
                </li>
              ))}
            </ul>
          )}
        </QueryState>
      </Panel>
      <Panel title={t('ai.chat')} className="span-12" testId="ai-chat-panel">
        <AiChat />
      </Panel>
    </div>
  );
}
