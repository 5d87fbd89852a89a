import { EmptyState } from '../../components/states/states.tsx';
import { graphql, getFragmentData, type FragmentType } from '../../gql/index.ts';
import { useI18n } from '../../i18n/index.tsx';
import { EndpointLink } from '../shared/Endpoint.tsx';

export const SlowEndpoints_EndpointStatsFragment = graphql(/* GraphQL */ `
  fragment SlowEndpoints_EndpointStatsFragment on EndpointStats {
    service
    method
    route
    count
    p50
    p95
    p99
    avg
  }
`);

/** Endpoints ranked by p95, with a bar relative to the slowest. */
export function SlowEndpoints({ endpoints, detailed = false }: { endpoints: readonly FragmentType<typeof SlowEndpoints_EndpointStatsFragment>[]; detailed?: boolean }) {
  const { t, fmt } = useI18n();
  const rows = getFragmentData(SlowEndpoints_EndpointStatsFragment, endpoints);
  if (rows.length === 0) return <EmptyState />;
  const max = Math.max(...rows.map((r) => r.p95 ?? 0), 1);
  return (
    <div className="table-wrap">
      <table className="data" data-testid="slow-endpoints">
        <thead>
          <tr>
            <th>{t('endpoints.endpoint')}</th>
            <th className="num">{t('metric.requests')}</th>
            {detailed && <th className="num">{t('metric.avg')}</th>}
            {detailed && <th className="num">p50</th>}
            <th className="num">p95</th>
            {detailed && <th className="num">p99</th>}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={`${r.service} ${r.method} ${r.route}`} data-testid="slow-endpoint-row">
              <td>
                <EndpointLink service={r.service} method={r.method} route={r.route} showService={detailed} />
              </td>
              <td className="num">{fmt.integer(r.count)}</td>
              {detailed && <td className="num">{fmt.ms(r.avg)}</td>}
              {detailed && <td className="num">{fmt.ms(r.p50)}</td>}
              <td className="num bar-cell">
                <span className="bar" style={{ width: `${((r.p95 ?? 0) / max) * 100}%` }} />
                <span>{fmt.ms(r.p95)}</span>
              </td>
              {detailed && <td className="num">{fmt.ms(r.p99)}</td>}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
