import { Link, useSearch } from 'wouter';
import { graphql, getFragmentData, type FragmentType } from '../../gql/index.ts';
import { useI18n } from '../../i18n/index.tsx';
import { hrefWithControls } from '../../lib/controls.ts';
import { evidenceValue } from '../shared/evidence.ts';
import { aiEvidenceLabel } from './ai-evidence.ts';

export const AiInsightView_AiInsightFragment = graphql(/* GraphQL */ `
  fragment AiInsightView_AiInsightFragment on AiInsight {
    id
    createdAt
    provider
    model
    notice
    severity
    summary
    worstEndpoint
    problems
    causes
    improvements
    evidence {
      label
      value
      unit
    }
    rangeFrom
    rangeTo
  }
`);

export function ProviderBadge({ provider }: { provider: string }) {
  const { t } = useI18n();
  const offline = provider !== 'openai';
  return (
    <span className={`badge ${offline ? '' : 'badge-info'}`} data-testid="ai-provider">
      {offline ? t('ai.provider.offline') : t('ai.provider.openai')}
    </span>
  );
}

function List({ title, items }: { title: string; items: readonly string[] }) {
  if (items.length === 0) return null;
  return (
    <div>
      <h3 className="subhead">{title}</h3>
      <ul className="section-list" data-raw="">
        {items.map((item, i) => (
          <li key={i}>{item}</li>
        ))}
      </ul>
    </div>
  );
}

/** One AI analysis: severity, summary, worst endpoint (linked), findings and the numbers behind them. */
export function AiInsightView({ insight }: { insight: FragmentType<typeof AiInsightView_AiInsightFragment> }) {
  const { t, fmt } = useI18n();
  const search = useSearch();
  const a = getFragmentData(AiInsightView_AiInsightFragment, insight);
  const worst = a.worstEndpoint?.match(/^([A-Z]+)\s+(\S+)$/);
  const severityClass = a.severity === 'CRITICAL' ? 'badge-critical' : a.severity === 'WARNING' ? 'badge-warning' : 'badge-ok';
  return (
    <article className="finding ai-result" data-testid="ai-result">
      <div className="finding-head">
        <span className={`badge ${severityClass}`}>{t(`ai.severity.${a.severity}`)}</span>
        <ProviderBadge provider={a.provider} />
        <span className="muted">
          <span data-raw="">{a.model}</span> · {t('ai.window', { from: fmt.dateTime(a.rangeFrom), to: fmt.dateTime(a.rangeTo) })}
        </span>
      </div>
      {a.notice && (
        <p className="notice" data-raw="">
          {a.notice}
        </p>
      )}
      <p data-testid="ai-summary" data-raw="" style={{ margin: 0 }}>
        {a.summary}
      </p>
      {a.worstEndpoint && (
        <p style={{ margin: 0 }}>
          <span className="muted">{t('ai.worstEndpoint')}: </span>
          {worst ? (
            <Link href={hrefWithControls('/endpoints/detail', search, { method: worst[1], route: worst[2] })} className="endpoint-link">
              <span className="method">{worst[1]}</span> <span className="route">{worst[2]}</span>
            </Link>
          ) : (
            <span data-raw="">{a.worstEndpoint}</span>
          )}
        </p>
      )}
      <List title={t('ai.problems')} items={a.problems} />
      <List title={t('ai.causes')} items={a.causes} />
      <List title={t('ai.improvements')} items={a.improvements} />
      {a.evidence.length > 0 && (
        <div>
          <h3 className="subhead">{t('ai.evidence')}</h3>
          <ul className="evidence">
            {a.evidence.map((e, i) => {
              const label = aiEvidenceLabel(e.label, t);
              return (
                <li key={i}>
                  {label.scope !== null ? <code className="route">{label.scope}</code> : label.translated && t('aiEvidence.overall')}{' '}
                  <span data-raw={label.translated ? undefined : ''}>{label.metric}</span> <strong>{evidenceValue(e, fmt, t)}</strong>
                </li>
              );
            })}
          </ul>
        </div>
      )}
    </article>
  );
}
