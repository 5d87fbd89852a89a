import type { Severity } from '../../gql/graphql.ts';
import { useI18n } from '../../i18n/index.tsx';

/** How much a finding matters, coloured like the other badges (critical and high in red). */
export function SeverityBadge({ severity }: { severity: Severity }) {
  const { t } = useI18n();
  return (
    <span className={`badge badge-${severity.toLowerCase()}`} data-severity={severity}>
      {t(`severity.${severity}`)}
    </span>
  );
}
