import { Link, useSearch } from 'wouter';
import { EmptyState } from '../../components/states/states.tsx';
import { graphql, getFragmentData, type FragmentType } from '../../gql/index.ts';
import { useI18n } from '../../i18n/index.tsx';
import { EndpointLink, logsHref } from '../shared/Endpoint.tsx';
import { SeverityBadge } from '../shared/SeverityBadge.tsx';
import { bottleneckReasons } from './bottleneck-view.ts';

export const Bottlenecks_BottleneckFragment = graphql(/* GraphQL */ `
  fragment Bottlenecks_BottleneckFragment on Bottleneck {
    service
    method
    route
    severity
    reasons
    count
    avg
    p50
    p95
    p99
    max
    baselineP95
    baselineCount
    serviceMedianP95
    timeShare
    timeSpentMs
  }
`);

/** Slow endpoints as the API judges them (most severe first): why, by how much, and where the time goes. */
export function Bottlenecks({
  bottlenecks,
  thresholdMs,
}: {
  bottlenecks: readonly FragmentType<typeof Bottlenecks_BottleneckFragment>[];
  thresholdMs: number;
}) {
  const { t, fmt } = useI18n();
  const search = useSearch();
  const list = getFragmentData(Bottlenecks_BottleneckFragment, bottlenecks);
  if (list.length === 0) return <EmptyState message={t('bottleneck.none', { threshold: fmt.ms(thresholdMs) })} />;
  return (
    <ol className="finding-list finding-grid" data-testid="bottleneck-list">
      {list.map((b) => (
        <li
          key={`${b.service} ${b.method} ${b.route}`}
          className="finding"
          data-testid="bottleneck"
          data-route={b.route}
          data-method={b.method}
          data-service={b.service}
        >
          <div className="finding-head">
            <SeverityBadge severity={b.severity} />
            <EndpointLink service={b.service} method={b.method} route={b.route} showService />
          </div>
          <ul className="chips" aria-label={t('bottleneck.why')}>
            {bottleneckReasons(b, thresholdMs, fmt, t).map((r) => (
              <li key={r.reason} className="chip chip-static" data-reason={r.reason}>
                {r.text}
              </li>
            ))}
          </ul>
          <dl className="stats">
            <div>
              <dt>p95</dt>
              <dd data-stat="p95">{fmt.ms(b.p95)}</dd>
            </div>
            <div>
              <dt>p99</dt>
              <dd data-stat="p99">{fmt.ms(b.p99)}</dd>
            </div>
            <div>
              <dt>{t('metric.avg')}</dt>
              <dd data-stat="avg">{fmt.ms(b.avg)}</dd>
            </div>
            <div>
              <dt>{t('metric.requests')}</dt>
              <dd data-stat="count">{fmt.integer(b.count)}</dd>
            </div>
          </dl>
          <dl className="kv kv-compact">
            <dt>{t('bottleneck.timeShare')}</dt>
            <dd className="share-cell">
              <span className="share-bar" aria-hidden="true">
                <span style={{ width: `${Math.min(100, b.timeShare * 100)}%` }} />
              </span>
              {fmt.percent(b.timeShare)} · {fmt.duration(b.timeSpentMs)}
            </dd>
            <dt>{t('bottleneck.previousP95')}</dt>
            <dd>
              {b.baselineP95 === null ? t('bottleneck.tooFewBefore', { count: b.baselineCount }) : fmt.ms(b.baselineP95)}
            </dd>
            <dt>{t('bottleneck.serviceMedian')}</dt>
            <dd>{b.serviceMedianP95 === null ? '–' : fmt.ms(b.serviceMedianP95)}</dd>
            <dt>{t('metric.max')}</dt>
            <dd>{fmt.ms(b.max)}</dd>
          </dl>
          <div className="finding-links">
            <Link href={logsHref(search, { service: b.service, route: b.route, method: b.method })} data-testid="bottleneck-logs">
              {t('endpoints.viewLogs')} →
            </Link>
          </div>
        </li>
      ))}
    </ol>
  );
}
