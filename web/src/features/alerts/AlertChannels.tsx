import { useState, type FormEvent } from 'react';
import { useMutation } from 'urql';
import { EmptyState } from '../../components/states/states.tsx';
import { graphql, getFragmentData, type FragmentType } from '../../gql/index.ts';
import type { AlertChannelKind } from '../../gql/graphql.ts';

const CHANNEL_KINDS: readonly AlertChannelKind[] = ['WEBHOOK', 'SLACK', 'EMAIL'];
import { useI18n } from '../../i18n/index.tsx';

export const AlertChannels_AlertChannelFragment = graphql(/* GraphQL */ `
  fragment AlertChannels_AlertChannelFragment on AlertChannel {
    id
    name
    kind
    target
    hasSecret
  }
`);

const CreateChannel_Mutation = graphql(/* GraphQL */ `
  mutation AlertChannels_CreateChannel($input: AlertChannelInput!) {
    createAlertChannel(input: $input) {
      id
      ...AlertChannels_AlertChannelFragment
    }
  }
`);

const TestChannel_Mutation = graphql(/* GraphQL */ `
  mutation AlertChannels_TestChannel($id: ID!) {
    testAlertChannel(id: $id) {
      ok
      responseStatus
      error
    }
  }
`);

const DeleteChannel_Mutation = graphql(/* GraphQL */ `
  mutation AlertChannels_DeleteChannel($id: ID!) {
    deleteAlertChannel(id: $id)
  }
`);

/** Notification channels: list, test, delete, and a form to add one (the secret is write-only). */
export function AlertChannels({
  channels,
  onChanged,
}: {
  channels: readonly FragmentType<typeof AlertChannels_AlertChannelFragment>[];
  onChanged: () => void;
}) {
  const { t } = useI18n();
  const rows = getFragmentData(AlertChannels_AlertChannelFragment, channels);
  const [, create] = useMutation(CreateChannel_Mutation);
  const [, test] = useMutation(TestChannel_Mutation);
  const [, remove] = useMutation(DeleteChannel_Mutation);
  const [kind, setKind] = useState<AlertChannelKind>('WEBHOOK');
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const secret = String(form.get('secret') ?? '');
    const result = await create({
      input: { name: String(form.get('name') ?? ''), kind, target: String(form.get('target') ?? ''), ...(secret ? { secret } : {}) },
    });
    if (result.error) {
      setMessage({ ok: false, text: result.error.message.replace(/^\[GraphQL\] /, '') });
      return;
    }
    setMessage(null);
    (event.target as HTMLFormElement).reset();
    onChanged();
  }

  async function runTest(id: string, name: string) {
    const result = await test({ id });
    const outcome = result.data?.testAlertChannel;
    if (outcome?.ok) setMessage({ ok: true, text: t('alerts.testSent', { name }) });
    else setMessage({ ok: false, text: t('alerts.testFailed', { name, error: outcome?.error ?? result.error?.message ?? '' }) });
  }

  return (
    <>
      {rows.length === 0 ? (
        <EmptyState message={t('alerts.noChannels')} />
      ) : (
        <div className="table-wrap">
          <table className="data" data-testid="alert-channels">
            <thead>
              <tr>
                <th>{t('alerts.name')}</th>
                <th>{t('alerts.kind')}</th>
                <th>{t('alerts.target')}</th>
                <th>{t('alerts.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((c) => (
                <tr key={c.id}>
                  <td data-raw>{c.name}</td>
                  <td>
                    {t(`alerts.channelKind.${c.kind}`)}
                    {c.hasSecret && <span className="muted"> · {t('alerts.signed')}</span>}
                  </td>
                  <td className="wrap" data-raw>
                    {c.target}
                  </td>
                  <td className="actions">
                    <button type="button" className="button button-small" onClick={() => void runTest(c.id, c.name)}>
                      {t('alerts.test')}
                    </button>
                    <button type="button" className="button button-small" onClick={() => void remove({ id: c.id }).then(onChanged)}>
                      {t('alerts.delete')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {message && (
        <p className={message.ok ? 'form-ok' : 'form-error'} role="status">
          {message.text}
        </p>
      )}
      <form className="alert-form" onSubmit={submit} data-testid="channel-form">
        <h3>{t('alerts.newChannel')}</h3>
        <label>
          {t('alerts.name')}
          <input name="name" required maxLength={100} />
        </label>
        <label>
          {t('alerts.kind')}
          <select value={kind} onChange={(e) => setKind(e.target.value as AlertChannelKind)}>
            {CHANNEL_KINDS.map((k) => (
              <option key={k} value={k}>
                {t(`alerts.channelKind.${k}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {kind === 'EMAIL' ? t('alerts.addresses') : 'URL'}
          <input name="target" required placeholder={kind === 'EMAIL' ? 'oncall@example.com' : 'https://'} />
        </label>
        {kind === 'WEBHOOK' && (
          <label>
            {t('alerts.secret')}
            <input name="secret" type="password" autoComplete="new-password" minLength={16} />
          </label>
        )}
        <button type="submit" className="button button-primary">
          {t('alerts.create')}
        </button>
      </form>
    </>
  );
}
