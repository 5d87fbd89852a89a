import { EmptyState } from '../../components/states/states.tsx';
import { graphql, getFragmentData, type FragmentType } from '../../gql/index.ts';
import { useI18n } from '../../i18n/index.tsx';

export const DeadLetters_DeadLetterReasonFragment = graphql(/* GraphQL */ `
  fragment DeadLetters_DeadLetterReasonFragment on DeadLetterReason {
    reason
    count
    lastSeenAt
    sample
  }
`);

/** Why records were rejected, with the latest raw sample (untrusted text, shown escaped). */
export function DeadLetters({ reasons }: { reasons: readonly FragmentType<typeof DeadLetters_DeadLetterReasonFragment>[] }) {
  const { t, fmt } = useI18n();
  const rows = getFragmentData(DeadLetters_DeadLetterReasonFragment, reasons);
  if (rows.length === 0) return <EmptyState message={t('pipeline.noRejections')} />;
  return (
    <div className="table-wrap">
      <table className="data">
        <thead>
          <tr>
            <th>{t('pipeline.reason')}</th>
            <th className="num">{t('metric.count')}</th>
            <th>{t('pipeline.lastBatch')}</th>
            <th>{t('pipeline.sample')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.reason}>
              {/* The gateway's validation message, in English: shown as sent. */}
              <td className="wrap" data-raw="" lang="en">
                {r.reason}
              </td>
              <td className="num">{fmt.integer(r.count)}</td>
              <td title={fmt.dateTime(r.lastSeenAt)}>{fmt.relative(r.lastSeenAt)}</td>
              <td className="wrap" style={{ maxWidth: 420 }}>
                <pre className="sample" data-raw="">
                  {r.sample}
                </pre>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
