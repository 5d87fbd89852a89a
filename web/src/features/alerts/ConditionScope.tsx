import { useI18n } from '../../i18n/index.tsx';

/**
 * What a rule watches, after its condition: " (shop GET /api/pay)", or " (all services)". The
 * service, method and route are data, shown as the user typed them.
 */
export function ConditionScope({ rule }: { rule: { service?: string | null; method?: string | null; route?: string | null } }) {
  const { t } = useI18n();
  const endpoint = [rule.method, rule.route].filter(Boolean).join(' ');
  return (
    <span className="condition-scope">
      {' ('}
      {rule.service ? <span data-raw>{rule.service}</span> : t('alerts.scope.all')}
      {endpoint && (
        <>
          {' '}
          <span data-raw>{endpoint}</span>
        </>
      )}
      {')'}
    </span>
  );
}
