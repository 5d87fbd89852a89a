import { Link, useSearch } from 'wouter';
import { EmptyState } from '../../components/states/states.tsx';
import { statusClassOf } from '../../components/charts/chart-data.ts';
import { graphql, getFragmentData, type FragmentType } from '../../gql/index.ts';
import { useI18n } from '../../i18n/index.tsx';
import { logsHref } from '../shared/Endpoint.tsx';

export const StatusEndpointTop_StatusEndpointsFragment = graphql(/* GraphQL */ `
  fragment StatusEndpointTop_StatusEndpointsFragment on StatusEndpoints {
    status
    count
    endpoints {
      service
      method
      route
      count
      share
    }
  }
`);

/** For each error status, the endpoints that answered it most; each row opens exactly those logs. */
export function StatusEndpointTop({ statuses }: { statuses: readonly FragmentType<typeof StatusEndpointTop_StatusEndpointsFragment>[] }) {
  const { t, fmt } = useI18n();
  const search = useSearch();
  const rows = getFragmentData(StatusEndpointTop_StatusEndpointsFragment, statuses).filter((s) => s.status >= 400);
  if (rows.length === 0) return <EmptyState />;
  return (
    <div className="table-wrap">
      <table className="data" data-testid="status-endpoint-top">
        <thead>
          <tr>
            <th>{t('errors.status')}</th>
            <th>{t('endpoints.endpoint')}</th>
            <th className="num">{t('metric.count')}</th>
            <th className="num">{t('metric.share')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.flatMap((s) =>
            s.endpoints.map((e, i) => (
              <tr key={`${s.status} ${e.service} ${e.method} ${e.route}`}>
                <td>{i === 0 && <span className={`status status-${statusClassOf(s.status)}`}>{s.status}</span>}</td>
                <td>
                  <Link href={logsHref(search, { service: e.service, route: e.route, method: e.method, status: s.status })} className="endpoint-link" data-testid="status-endpoint-link">
                    <span className="method">{e.method}</span> <span className="route">{e.route}</span> <span className="muted">· {e.service}</span>
                  </Link>
                </td>
                <td className="num">{fmt.integer(e.count)}</td>
                <td className="num">{fmt.percent(e.share)}</td>
              </tr>
            )),
          )}
        </tbody>
      </table>
    </div>
  );
}
