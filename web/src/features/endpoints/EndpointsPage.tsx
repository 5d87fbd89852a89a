import { Panel, QueryState } from '../../components/states/states.tsx';
import type { SortDirection } from '../../components/table/sort.ts';
import { graphql } from '../../gql/index.ts';
import { useI18n } from '../../i18n/index.tsx';
import { useRefreshingQuery } from '../../lib/refresh.tsx';
import { useControls, usePageParams } from '../../lib/use-controls.ts';
import { EndpointTable } from './EndpointTable.tsx';

const EndpointsPage_Query = graphql(/* GraphQL */ `
  query EndpointsPage_Query($range: TimeRange!, $service: String) {
    endpointUsage(range: $range, service: $service, sort: COUNT, limit: 1000) {
      route
      ...EndpointTable_EndpointStatsFragment
    }
  }
`);

export default function EndpointsPage() {
  const { t } = useI18n();
  const { controls, range } = useControls();
  const [params, setParams] = usePageParams();
  const [result, reexecute] = useRefreshingQuery({ query: EndpointsPage_Query, variables: { range, service: controls.service } });
  const query = params.get('q') ?? '';
  const sort = { key: params.get('sort') ?? 'count', direction: (params.get('dir') === 'asc' ? 'asc' : 'desc') as SortDirection };
  return (
    <Panel
      title={result.data ? t('endpoints.count', { count: result.data.endpointUsage.length }) : t('endpoints.title')}
      actions={
        <label className="control">
          <span className="visually-hidden">{t('endpoints.search')}</span>
          <input type="search" value={query} placeholder={t('endpoints.searchPlaceholder')} onChange={(e) => setParams({ q: e.target.value })} aria-label={t('endpoints.search')} style={{ width: 260 }} />
        </label>
      }
      testId="endpoints-panel"
    >
      <QueryState result={result} isEmpty={(d) => d.endpointUsage.length === 0} onRetry={() => reexecute({ requestPolicy: 'network-only' })} rows={8}>
        {(data) => <EndpointTable endpoints={data.endpointUsage} query={query} sort={sort} onSort={(s) => setParams({ sort: s.key, dir: s.direction })} />}
      </QueryState>
    </Panel>
  );
}
