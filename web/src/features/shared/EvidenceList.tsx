import { useI18n } from '../../i18n/index.tsx';
import { formatEvidence, type EvidenceItem } from './evidence.ts';

/** The numbers behind a finding, labelled in the dashboard's language. */
export function EvidenceList({ items }: { items: readonly EvidenceItem[] }) {
  const { t, fmt } = useI18n();
  if (items.length === 0) return null;
  return (
    <ul className="evidence" aria-label={t('performance.evidence')}>
      {formatEvidence(items, fmt, t).map((e, i) => (
        <li key={i}>
          {e.label} <strong>{e.value}</strong>
        </li>
      ))}
    </ul>
  );
}
