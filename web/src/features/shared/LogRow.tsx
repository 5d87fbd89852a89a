import { useState } from 'react';
import { graphql, getFragmentData, type FragmentType } from '../../gql/index.ts';
import { useI18n } from '../../i18n/index.tsx';
import { statusClassOf } from '../../components/charts/chart-data.ts';

export const LogRow_LogFragment = graphql(/* GraphQL */ `
  fragment LogRow_LogFragment on Log {
    id
    timestamp
    service
    method
    path
    route
    status
    latencyMs
    userAgent
    ipAddress
    requestId
    bytes
    extra
    ingestedAt
  }
`);

/**
 * One access-log record as a console line, coloured by status class; click (or Enter) shows
 * every field. Everything from the record is client data and is rendered as text only.
 */
export function LogRow({ log: ref, defaultOpen = false }: { log: FragmentType<typeof LogRow_LogFragment>; defaultOpen?: boolean }) {
  const { t, fmt } = useI18n();
  const log = getFragmentData(LogRow_LogFragment, ref);
  const [open, setOpen] = useState(defaultOpen);
  const cls = statusClassOf(log.status);
  return (
    <div className="log-entry" data-testid="log-row" data-status={log.status}>
      <button type="button" className={`log-line class-${cls}`} aria-expanded={open} onClick={() => setOpen((o) => !o)}>
        <span className="time muted">{fmt.dateTime(log.timestamp)}</span>
        <span className="method">{log.method}</span>
        <span className={`status status-${cls}`}>{log.status}</span>
        <span className="path" title={log.path}>
          {log.path}
        </span>
        <span className="latency">{fmt.ms(log.latencyMs)}</span>
        <span className="service muted" data-raw="">
          {log.service}
        </span>
      </button>
      {open && (
        <dl className="log-detail">
          <dt>{t('logs.time')}</dt>
          <dd>{fmt.dateTime(log.timestamp)} ({log.timestamp})</dd>
          <dt>{t('logs.service')}</dt>
          <dd>{log.service}</dd>
          <dt>{t('logs.route')}</dt>
          <dd>
            {log.method} {log.route}
          </dd>
          <dt>{t('logs.path')}</dt>
          <dd>{log.path}</dd>
          <dt>{t('logs.status')}</dt>
          <dd>{log.status}</dd>
          <dt>{t('logs.latency')}</dt>
          <dd>{fmt.ms(log.latencyMs)}</dd>
          <dt>{t('logs.client')}</dt>
          <dd>{log.ipAddress ?? '–'}</dd>
          <dt>{t('logs.userAgent')}</dt>
          <dd>{log.userAgent ?? '–'}</dd>
          <dt>{t('logs.requestId')}</dt>
          <dd>{log.requestId ?? '–'}</dd>
          <dt>{t('logs.bytes')}</dt>
          <dd>{fmt.bytes(log.bytes)}</dd>
          {log.extra != null && (
            <>
              <dt>{t('logs.extra')}</dt>
              <dd>{JSON.stringify(log.extra, null, 2)}</dd>
            </>
          )}
          <dt>{t('logs.ingestedAt')}</dt>
          <dd>{fmt.dateTime(log.ingestedAt)}</dd>
        </dl>
      )}
    </div>
  );
}
