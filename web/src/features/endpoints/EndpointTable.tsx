import { useLocation, useSearch } from 'wouter';
import { SortableTable, type Column } from '../../components/table/SortableTable.tsx';
import { matchesSearch } from '../../components/table/sort.ts';
import type { SortDirection } from '../../components/table/sort.ts';
import { EmptyState } from '../../components/states/states.tsx';
import { graphql, getFragmentData, type FragmentType } from '../../gql/index.ts';
import type { EndpointTable_EndpointStatsFragmentFragment } from '../../gql/graphql.ts';
import { useI18n } from '../../i18n/index.tsx';
import { hrefWithControls } from '../../lib/controls.ts';
import { EndpointLink } from '../shared/Endpoint.tsx';

export const EndpointTable_EndpointStatsFragment = graphql(/* GraphQL */ `
  fragment EndpointTable_EndpointStatsFragment on EndpointStats {
    service
    method
    route
    count
    share
    errorRate
    clientErrorRate
    serverErrorRate
    p50
    p95
    p99
  }
`);

type Row = EndpointTable_EndpointStatsFragmentFragment;

export function EndpointTable({
  endpoints,
  query,
  sort,
  onSort,
}: {
  endpoints: readonly FragmentType<typeof EndpointTable_EndpointStatsFragment>[];
  query: string;
  sort: { key: string; direction: SortDirection };
  onSort: (sort: { key: string; direction: SortDirection }) => void;
}) {
  const { t, fmt } = useI18n();
  const search = useSearch();
  const [, navigate] = useLocation();
  const rows = getFragmentData(EndpointTable_EndpointStatsFragment, endpoints).filter((r) => matchesSearch([r.method, r.route, r.service], query));
  const columns: Column<Row>[] = [
    { key: 'endpoint', label: t('endpoints.endpoint'), sortValue: (r) => `${r.route} ${r.method}`, render: (r) => <EndpointLink service={r.service} method={r.method} route={r.route} /> },
    { key: 'service', label: t('endpoints.service'), sortValue: (r) => r.service, render: (r) => <span className="service muted">{r.service}</span> },
    { key: 'count', label: t('metric.requests'), numeric: true, sortValue: (r) => r.count, render: (r) => fmt.integer(r.count) },
    { key: 'share', label: t('metric.share'), numeric: true, sortValue: (r) => r.share, render: (r) => fmt.percent(r.share) },
    { key: 'rate4xx', label: t('metric.rate4xx'), numeric: true, sortValue: (r) => r.clientErrorRate, render: (r) => <span className={r.clientErrorRate > 0.05 ? 'status-4xx' : undefined}>{fmt.percent(r.clientErrorRate)}</span> },
    { key: 'rate5xx', label: t('metric.rate5xx'), numeric: true, sortValue: (r) => r.serverErrorRate, render: (r) => <span className={r.serverErrorRate > 0.01 ? 'status-5xx' : undefined}>{fmt.percent(r.serverErrorRate)}</span> },
    { key: 'p50', label: 'p50', numeric: true, sortValue: (r) => r.p50, render: (r) => fmt.ms(r.p50) },
    { key: 'p95', label: 'p95', numeric: true, sortValue: (r) => r.p95, render: (r) => fmt.ms(r.p95) },
    { key: 'p99', label: 'p99', numeric: true, sortValue: (r) => r.p99, render: (r) => fmt.ms(r.p99) },
  ];
  if (rows.length === 0) return <EmptyState message={t('endpoints.none')} />;
  return (
    <SortableTable
      rows={rows}
      columns={columns}
      rowKey={(r) => `${r.service} ${r.method} ${r.route}`}
      sort={sort}
      onSort={onSort}
      onRowClick={(r) => navigate(hrefWithControls('/endpoints/detail', search, { route: r.route, method: r.method, endpointService: r.service }))}
      testId="endpoint-table"
    />
  );
}
