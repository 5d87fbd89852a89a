import { useState, type FormEvent } from 'react';
import { useMutation } from 'urql';
import { EmptyState } from '../../components/states/states.tsx';
import { graphql, getFragmentData, type FragmentType } from '../../gql/index.ts';
import type { AlertConditionKind, AlertSeverity, AnomalyKind, Severity } from '../../gql/graphql.ts';
import { useI18n } from '../../i18n/index.tsx';
import { conditionText } from './condition-text.ts';
import { ConditionScope } from './ConditionScope.tsx';

export const AlertRules_AlertRuleFragment = graphql(/* GraphQL */ `
  fragment AlertRules_AlertRuleFragment on AlertRule {
    id
    name
    enabled
    muted
    kind
    threshold
    windowSeconds
    service
    method
    route
    anomalyKind
    minSeverity
    severity
    forSeconds
    channels {
      id
      name
    }
  }
`);

const CreateRule_Mutation = graphql(/* GraphQL */ `
  mutation AlertRules_CreateRule($input: AlertRuleInput!) {
    createAlertRule(input: $input) {
      id
      ...AlertRules_AlertRuleFragment
    }
  }
`);

const UpdateRule_Mutation = graphql(/* GraphQL */ `
  mutation AlertRules_UpdateRule($id: ID!, $input: AlertRuleInput!) {
    updateAlertRule(id: $id, input: $input) {
      id
      ...AlertRules_AlertRuleFragment
    }
  }
`);

const DeleteRule_Mutation = graphql(/* GraphQL */ `
  mutation AlertRules_DeleteRule($id: ID!) {
    deleteAlertRule(id: $id)
  }
`);

const KINDS: readonly AlertConditionKind[] = [
  'SERVER_ERROR_RATE',
  'ERROR_RATE',
  'LATENCY_P95',
  'LATENCY_P99',
  'REQUEST_RATE_ABOVE',
  'REQUEST_RATE_BELOW',
  'NO_DATA',
  'INGEST_LAG',
  'ANOMALY',
];
const ANOMALY_KINDS: readonly AnomalyKind[] = ['ERROR_RATE', 'LATENCY', 'TRAFFIC_SPIKE', 'TRAFFIC_DROP'];
const MIN_SEVERITIES: readonly Severity[] = ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'];
/** Kinds judged by the detector or by the presence of data: no threshold to type. */
const thresholdless = (kind: AlertConditionKind) => kind === 'NO_DATA' || kind === 'ANOMALY';
const SEVERITIES: readonly AlertSeverity[] = ['INFO', 'WARNING', 'CRITICAL'];
/** Rates are typed as percentages in the form and sent as ratios. */
const isRate = (kind: AlertConditionKind) => kind === 'ERROR_RATE' || kind === 'SERVER_ERROR_RATE';

/** The rules, with enable / mute / delete, and a form to create one. */
export function AlertRules({
  rules,
  channels,
  onChanged,
}: {
  rules: readonly FragmentType<typeof AlertRules_AlertRuleFragment>[];
  channels: readonly { id: string; name: string }[];
  onChanged: () => void;
}) {
  const { t, fmt } = useI18n();
  const rows = getFragmentData(AlertRules_AlertRuleFragment, rules);
  const [, update] = useMutation(UpdateRule_Mutation);
  const [, remove] = useMutation(DeleteRule_Mutation);
  const [error, setError] = useState<string | null>(null);
  const act = async (run: () => Promise<{ error?: { message: string } }>) => {
    const result = await run();
    setError(result.error ? result.error.message.replace(/^\[GraphQL\] /, '') : null);
    onChanged();
  };
  return (
    <>
      {rows.length === 0 ? (
        <EmptyState message={t('alerts.noRules')} />
      ) : (
        <div className="table-wrap">
          <table className="data" data-testid="alert-rules">
            <thead>
              <tr>
                <th>{t('alerts.rule')}</th>
                <th>{t('alerts.condition')}</th>
                <th>{t('alerts.severity')}</th>
                <th>{t('alerts.channels')}</th>
                <th>{t('alerts.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.id} data-rule={r.name}>
                  <td>
                    {/* Rule and channel names are the user's (data, shown as typed). */}
                    <strong data-raw>{r.name}</strong>
                    {!r.enabled && <span className="muted"> · {t('alerts.disabled')}</span>}
                    {r.muted && <span className="muted"> · {t('alerts.muted')}</span>}
                  </td>
                  <td className="wrap">
                    {conditionText(r, t, fmt)}
                    <ConditionScope rule={r} />
                    {r.forSeconds > 0 && <span className="muted"> · {t('alerts.forSeconds', { seconds: r.forSeconds })}</span>}
                  </td>
                  <td>{t(`alerts.severity.${r.severity}`)}</td>
                  <td data-raw>{r.channels.map((c) => c.name).join(', ') || '—'}</td>
                  <td className="actions">
                    <button
                      type="button"
                      className="button button-small"
                      onClick={() => act(() => update({ id: r.id, input: { enabled: !r.enabled } }))}
                    >
                      {r.enabled ? t('alerts.disable') : t('alerts.enable')}
                    </button>
                    <button
                      type="button"
                      className="button button-small"
                      onClick={() => act(() => update({ id: r.id, input: { muted: !r.muted } }))}
                    >
                      {r.muted ? t('alerts.unmute') : t('alerts.mute')}
                    </button>
                    <button type="button" className="button button-small" onClick={() => act(() => remove({ id: r.id }))}>
                      {t('alerts.delete')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <RuleForm channels={channels} onCreated={onChanged} />
    </>
  );
}

function RuleForm({ channels, onCreated }: { channels: readonly { id: string; name: string }[]; onCreated: () => void }) {
  const { t } = useI18n();
  const [, create] = useMutation(CreateRule_Mutation);
  const [kind, setKind] = useState<AlertConditionKind>('SERVER_ERROR_RATE');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const text = (name: string) => String(form.get(name) ?? '').trim();
    const number = (name: string) => (text(name) === '' ? null : Number(text(name)));
    const scale = (v: number | null) => (v === null ? null : isRate(kind) ? v / 100 : v);
    setBusy(true);
    const result = await create({
      input: {
        name: text('name'),
        kind,
        threshold: thresholdless(kind) ? null : scale(number('threshold')),
        resolveThreshold: thresholdless(kind) ? null : scale(number('resolveThreshold')),
        ...(kind === 'ANOMALY'
          ? { anomalyKind: (text('anomalyKind') || null) as AnomalyKind | null, minSeverity: text('minSeverity') as Severity }
          : {}),
        service: text('service') || null,
        route: text('route') || null,
        method: text('method') || null,
        windowSeconds: Math.round((number('windowMinutes') ?? 5) * 60),
        forSeconds: Math.round(number('forSeconds') ?? 0),
        severity: text('severity') as AlertSeverity,
        channelIds: form.getAll('channelIds').map(String),
      },
    });
    setBusy(false);
    if (result.error) {
      setError(result.error.message.replace(/^\[GraphQL\] /, ''));
      return;
    }
    setError(null);
    (event.target as HTMLFormElement).reset();
    onCreated();
  }

  const unit = isRate(kind)
    ? '%'
    : kind === 'LATENCY_P95' || kind === 'LATENCY_P99'
      ? 'ms'
      : kind === 'INGEST_LAG'
        ? t('alerts.seconds')
        : t('alerts.perMinute');
  return (
    <form className="alert-form" onSubmit={submit} data-testid="rule-form">
      <h3>{t('alerts.newRule')}</h3>
      <label>
        {t('alerts.name')}
        <input name="name" required maxLength={100} />
      </label>
      <label>
        {t('alerts.kind')}
        <select name="kind" value={kind} onChange={(e) => setKind(e.target.value as AlertConditionKind)}>
          {KINDS.map((k) => (
            <option key={k} value={k}>
              {t(`alerts.kind.${k}`)}
            </option>
          ))}
        </select>
      </label>
      {kind === 'ANOMALY' && (
        <>
          <label>
            {t('alerts.anomalyKind')}
            <select name="anomalyKind" defaultValue="">
              <option value="">{t('alerts.anomalyKind.any')}</option>
              {ANOMALY_KINDS.map((k) => (
                <option key={k} value={k}>
                  {t(`anomaly.kind.${k}`)}
                </option>
              ))}
            </select>
          </label>
          <label>
            {t('alerts.minSeverity')}
            <select name="minSeverity" defaultValue="HIGH">
              {MIN_SEVERITIES.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          </label>
        </>
      )}
      {!thresholdless(kind) && (
        <>
          <label>
            {t('alerts.threshold')} ({unit})
            <input name="threshold" type="number" step="any" required />
          </label>
          <label>
            {t('alerts.resolveThreshold')} ({unit})
            <input name="resolveThreshold" type="number" step="any" />
          </label>
        </>
      )}
      <label>
        {t('controls.service')}
        <input name="service" placeholder={t('controls.service.all')} />
      </label>
      {/* Ingest lag is kept per service, so those rules take no route or method. */}
      {kind !== 'INGEST_LAG' && (
        <>
          <label>
            {t('alerts.route')}
            <input name="route" placeholder="/api/users/:id" />
          </label>
          <label>
            {t('alerts.method')}
            <input name="method" placeholder="GET" maxLength={16} />
          </label>
        </>
      )}
      <label>
        {t('alerts.windowMinutes')}
        <input name="windowMinutes" type="number" min={1} step={1} defaultValue={5} />
      </label>
      <label>
        {t('alerts.forSecondsLabel')}
        <input name="forSeconds" type="number" min={0} step={1} defaultValue={0} />
      </label>
      <label>
        {t('alerts.severity')}
        <select name="severity" defaultValue={'WARNING'}>
          {SEVERITIES.map((s) => (
            <option key={s} value={s}>
              {t(`alerts.severity.${s}`)}
            </option>
          ))}
        </select>
      </label>
      {channels.length > 0 && (
        <fieldset>
          <legend>{t('alerts.channels')}</legend>
          {channels.map((c) => (
            <label key={c.id} className="inline">
              <input type="checkbox" name="channelIds" value={c.id} /> <span data-raw>{c.name}</span>
            </label>
          ))}
        </fieldset>
      )}
      <button type="submit" className="button button-primary" disabled={busy}>
        {t('alerts.create')}
      </button>
      {error && (
        <p className="form-error" role="alert" data-testid="rule-form-error">
          {error}
        </p>
      )}
    </form>
  );
}
