import { useState, type FormEvent } from 'react';
import { useMutation } from 'urql';
import { EmptyState } from '../../components/states/states.tsx';
import { graphql, getFragmentData, type FragmentType } from '../../gql/index.ts';
import { useI18n } from '../../i18n/index.tsx';

export const AlertSilences_AlertSilenceFragment = graphql(/* GraphQL */ `
  fragment AlertSilences_AlertSilenceFragment on AlertSilence {
    id
    ruleId
    labels {
      name
      value
    }
    endsAt
    comment
  }
`);

const CreateSilence_Mutation = graphql(/* GraphQL */ `
  mutation AlertSilences_Create($input: AlertSilenceInput!) {
    createAlertSilence(input: $input) {
      id
    }
  }
`);

const EndSilence_Mutation = graphql(/* GraphQL */ `
  mutation AlertSilences_End($id: ID!) {
    endAlertSilence(id: $id) {
      id
    }
  }
`);

/** Silences in force, and a form to silence a rule for some hours. */
export function AlertSilences({
  silences,
  rules,
  onChanged,
}: {
  silences: readonly FragmentType<typeof AlertSilences_AlertSilenceFragment>[];
  rules: readonly { id: string; name: string }[];
  onChanged: () => void;
}) {
  const { t, fmt } = useI18n();
  const rows = getFragmentData(AlertSilences_AlertSilenceFragment, silences);
  const [, create] = useMutation(CreateSilence_Mutation);
  const [, end] = useMutation(EndSilence_Mutation);
  const [error, setError] = useState<string | null>(null);
  const ruleName = (id: string | null | undefined) => rules.find((r) => r.id === id)?.name ?? '—';

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const hours = Number(form.get('hours') ?? 1);
    const result = await create({
      input: {
        ruleId: String(form.get('ruleId') ?? '') || null,
        endsAt: new Date(Date.now() + hours * 3_600_000).toISOString(),
        comment: String(form.get('comment') ?? ''),
      },
    });
    setError(result.error ? result.error.message.replace(/^\[GraphQL\] /, '') : null);
    if (!result.error) onChanged();
  }

  return (
    <>
      {rows.length === 0 ? (
        <EmptyState message={t('alerts.noSilences')} />
      ) : (
        <ul className="alert-list">
          {rows.map((s) => (
            <li key={s.id}>
              <strong data-raw>{s.ruleId ? ruleName(s.ruleId) : s.labels.map((l) => `${l.name}=${l.value}`).join(', ')}</strong> ·{' '}
              {t('alerts.until')} {fmt.dateTime(s.endsAt)}
              {s.comment && (
                <span className="muted" data-raw>
                  {' '}
                  · {s.comment}
                </span>
              )}{' '}
              <button type="button" className="button button-small" onClick={() => void end({ id: s.id }).then(onChanged)}>
                {t('alerts.endSilence')}
              </button>
            </li>
          ))}
        </ul>
      )}
      <form className="alert-form" onSubmit={submit}>
        <label>
          {t('alerts.rule')}
          <select name="ruleId" required>
            {rules.map((r) => (
              <option key={r.id} value={r.id}>
                {r.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('alerts.hours')}
          <input name="hours" type="number" min={0.25} step={0.25} defaultValue={1} />
        </label>
        <label>
          {t('alerts.comment')}
          <input name="comment" maxLength={500} />
        </label>
        <button type="submit" className="button">
          {t('alerts.silence')}
        </button>
        {error && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
      </form>
    </>
  );
}
