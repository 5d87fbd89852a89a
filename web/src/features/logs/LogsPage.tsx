import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useQuery } from 'urql';
import { EmptyState, ErrorState, LoadingState, Panel } from '../../components/states/states.tsx';
import { graphql } from '../../gql/index.ts';
import type { LogFilter } from '../../gql/graphql.ts';
import { useI18n, type MessageKey } from '../../i18n/index.tsx';
import { useRefresh } from '../../lib/refresh.tsx';
import { resolveRange } from '../../lib/time-range.ts';
import { useControls, usePageParams } from '../../lib/use-controls.ts';
import { LogRow } from '../shared/LogRow.tsx';
import { activeFilters, FILTER_KEYS, parseLogFilter, type FilterKey } from './log-filter.ts';

const LogsPage_Query = graphql(/* GraphQL */ `
  query LogsPage_Query($first: Int!, $after: String, $filter: LogFilter) {
    recentLogs(first: $first, after: $after, filter: $filter) {
      edges {
        cursor
        node {
          id
          ...LogRow_LogFragment
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

const PAGE_SIZE = 100;

/** One page of results; the last page watches the end of the list and asks for the next one. */
function LogsPageChunk({ filter, after, isLast, onMore }: { filter: LogFilter; after: string | null; isLast: boolean; onMore: (cursor: string) => void }) {
  const { t } = useI18n();
  const [result, reexecute] = useQuery({ query: LogsPage_Query, variables: { first: PAGE_SIZE, after, filter } });
  const sentinel = useRef<HTMLDivElement>(null);
  const connection = result.data?.recentLogs;
  const next = isLast && connection?.pageInfo.hasNextPage ? connection.pageInfo.endCursor : null;

  useEffect(() => {
    const el = sentinel.current;
    if (!el || !next) return undefined;
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) onMore(next);
    }, { rootMargin: '400px' });
    observer.observe(el);
    return () => observer.disconnect();
  }, [next, onMore]);

  if (!connection) {
    if (result.error) return <ErrorState error={result.error} onRetry={() => reexecute({ requestPolicy: 'network-only' })} />;
    return <LoadingState rows={4} />;
  }
  if (after === null && connection.edges.length === 0) return <EmptyState />;
  return (
    <>
      {connection.edges.map((edge) => (
        <LogRow key={edge.node.id} log={edge.node} />
      ))}
      {isLast && (
        <div ref={sentinel} className="logs-end">
          {next ? (
            <button type="button" className="button" onClick={() => onMore(next)}>
              {t('logs.loadMore')}
            </button>
          ) : (
            <span className="muted">{t('logs.end')}</span>
          )}
        </div>
      )}
    </>
  );
}

const FILTER_LABELS: Record<FilterKey, MessageKey> = {
  'f.service': 'logs.service',
  'f.route': 'logs.route',
  'f.method': 'logs.method',
  'f.status': 'logs.status',
  'f.statusClass': 'live.statusClass',
  'f.path': 'live.pathContains',
  'f.minLatency': 'logs.minLatency',
  'f.from': 'controls.range.from',
  'f.to': 'controls.range.to',
};

export default function LogsPage() {
  const { t, fmt } = useI18n();
  const { controls } = useControls();
  const [params, setParams] = usePageParams();
  const { tick } = useRefresh();

  // The header's range, fixed once per range choice or refresh so the variables stay stable.
  const span = useMemo(() => {
    const { from, to } = resolveRange(controls.range, Date.now());
    return { from: new Date(from).toISOString(), to: controls.range.kind === 'custom' ? new Date(to).toISOString() : undefined };
  }, [controls.range, tick]);
  const filter = useMemo(() => parseLogFilter(params, { service: controls.service, ...span }), [params, controls.service, span]);
  const filterKey = JSON.stringify(filter);
  // Pages loaded so far, as the cursors they start after; a new filter starts again from the top.
  const [paging, setPaging] = useState<{ key: string; cursors: (string | null)[] }>({ key: filterKey, cursors: [null] });
  const cursors = paging.key === filterKey ? paging.cursors : [null];
  const onMore = useCallback(
    (cursor: string) =>
      setPaging((p) => {
        const list = p.key === filterKey ? p.cursors : [null];
        return { key: filterKey, cursors: list.includes(cursor) ? list : [...list, cursor] };
      }),
    [filterKey],
  );

  const chips = activeFilters(params);
  const [draft, setDraft] = useState({ path: params.get('f.path') ?? '', method: params.get('f.method') ?? '', status: params.get('f.status') ?? '', route: params.get('f.route') ?? '', minLatency: params.get('f.minLatency') ?? '' });
  useEffect(() => {
    setDraft({ path: params.get('f.path') ?? '', method: params.get('f.method') ?? '', status: params.get('f.status') ?? '', route: params.get('f.route') ?? '', minLatency: params.get('f.minLatency') ?? '' });
  }, [params]);

  return (
    <>
      <Panel title={t('logs.filters')}>
        <form
          className="toolbar"
          onSubmit={(e) => {
            e.preventDefault();
            setParams({ 'f.path': draft.path, 'f.method': draft.method, 'f.status': draft.status, 'f.route': draft.route, 'f.minLatency': draft.minLatency });
          }}
        >
          <label className="control">
            <span className="control-label">{t('live.pathContains')}</span>
            <input type="search" value={draft.path} onChange={(e) => setDraft({ ...draft, path: e.target.value })} />
          </label>
          <label className="control">
            <span className="control-label">{t('logs.route')}</span>
            <input type="text" value={draft.route} onChange={(e) => setDraft({ ...draft, route: e.target.value })} placeholder="/api/users/:id" />
          </label>
          <label className="control">
            <span className="control-label">{t('logs.method')}</span>
            <select value={draft.method} onChange={(e) => setDraft({ ...draft, method: e.target.value })}>
              <option value="">{t('live.any')}</option>
              {['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'].map((m) => (
                <option key={m} value={m}>
                  {m}
                </option>
              ))}
            </select>
          </label>
          <label className="control">
            <span className="control-label">{t('logs.status')}</span>
            <input type="number" min={100} max={599} value={draft.status} onChange={(e) => setDraft({ ...draft, status: e.target.value })} style={{ width: 90 }} />
          </label>
          <label className="control">
            <span className="control-label">{t('logs.minLatency')}</span>
            <input type="number" min={0} value={draft.minLatency} onChange={(e) => setDraft({ ...draft, minLatency: e.target.value })} style={{ width: 110 }} />
          </label>
          <button type="submit" className="button button-primary">
            {t('controls.range.apply')}
          </button>
          {chips.length > 0 && (
            <button type="button" className="button" onClick={() => setParams(Object.fromEntries(FILTER_KEYS.map((k) => [k, null])))}>
              {t('logs.clearFilters')}
            </button>
          )}
        </form>
        {chips.length > 0 && (
          <div className="chips" style={{ marginTop: 10 }} data-testid="active-filters">
            <span className="muted">{t('logs.activeFilters')}</span>
            {chips.map((chip) => (
              <span key={chip.key} className="chip" data-filter={chip.key}>
                {t(FILTER_LABELS[chip.key])}: {chip.key === 'f.from' || chip.key === 'f.to' ? fmt.dateTime(chip.value) : chip.value}
                <button type="button" aria-label={`${t('logs.clearFilters')}: ${t(FILTER_LABELS[chip.key])}`} onClick={() => setParams({ [chip.key]: null })}>
                  ×
                </button>
              </span>
            ))}
          </div>
        )}
      </Panel>
      <Panel title={t('logs.title')} testId="logs-results">
        <div className="console console-tall" data-testid="logs-list">
          {cursors.map((after, i) => (
            <LogsPageChunk key={`${filterKey}:${after ?? 'first'}`} filter={filter} after={after} isLast={i === cursors.length - 1} onMore={onMore} />
          ))}
        </div>
      </Panel>
    </>
  );
}
