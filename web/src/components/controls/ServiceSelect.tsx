import { useQuery } from 'urql';
import { graphql } from '../../gql/index.ts';
import { useI18n } from '../../i18n/index.tsx';

const ServiceSelect_Query = graphql(/* GraphQL */ `
  query ServiceSelect_Query {
    services(range: { last: "30d" }) {
      service
    }
  }
`);

/** Service filter: every service with stored records in the last 30 days, plus the current choice. */
export function ServiceSelect({ value, onChange }: { value: string | null; onChange: (service: string | null) => void }) {
  const { t } = useI18n();
  const [result] = useQuery({ query: ServiceSelect_Query });
  const names = new Set((result.data?.services ?? []).map((s) => s.service));
  if (value) names.add(value);
  return (
    <label className="control">
      <span className="control-label">{t('controls.service')}</span>
      <select value={value ?? ''} onChange={(e) => onChange(e.target.value || null)}>
        <option value="">{t('controls.service.all')}</option>
        {[...names].sort().map((name) => (
          <option key={name} value={name}>
            {name}
          </option>
        ))}
      </select>
    </label>
  );
}
