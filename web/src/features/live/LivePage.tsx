import { useMemo, useState } from 'react';
import { useSubscription } from 'urql';
import { ErrorState, Panel } from '../../components/states/states.tsx';
import { graphql, type FragmentType } from '../../gql/index.ts';
import type { LogFilter } from '../../gql/graphql.ts';
import { useI18n } from '../../i18n/index.tsx';
import { useControls, usePageParams } from '../../lib/use-controls.ts';
import { LogRow, type LogRow_LogFragment } from '../shared/LogRow.tsx';
import { appendBatch, emptyBuffer, LIVE_CAP, type LiveBuffer } from './live-buffer.ts';
import { LiveMetricsBar } from './LiveMetricsBar.tsx';

const LivePage_Subscription = graphql(/* GraphQL */ `
  subscription LivePage_Subscription($filter: LogFilter) {
    logStream(filter: $filter) {
      dropped
      logs {
        id
        ...LogRow_LogFragment
      }
    }
  }
`);

type LiveLog = FragmentType<typeof LogRow_LogFragment> & { id: string };

export default function LivePage() {
  const { t } = useI18n();
  const { controls } = useControls();
  const [params, setParams] = usePageParams();
  const [paused, setPaused] = useState<LiveBuffer<LiveLog> | null>(null);
  const [clearedAt, setClearedAt] = useState(0);

  const filter = useMemo(() => {
    const f: LogFilter = {};
    if (controls.service) f.service = controls.service;
    const statusClass = Number(params.get('l.statusClass'));
    if ([2, 3, 4, 5].includes(statusClass)) f.statusClass = statusClass;
    const method = params.get('l.method');
    if (method) f.method = method;
    const path = params.get('l.path')?.trim();
    if (path) f.pathContains = path;
    return f;
  }, [controls.service, params]);

  const [result] = useSubscription({ query: LivePage_Subscription, variables: { filter } }, (previous: LiveBuffer<LiveLog> | undefined, data) =>
    appendBatch(previous ?? emptyBuffer<LiveLog>(), data.logStream),
  );
  const live = result.data ?? emptyBuffer<LiveLog>();
  const shown = paused ?? live;
  const visible = shown.logs.slice(0, Math.max(0, shown.received - clearedAt));
  const held = paused ? live.received - paused.received : 0;

  return (
    <>
      <LiveMetricsBar service={controls.service} />
      <Panel
        title={t('live.title')}
        testId="live-console"
        actions={
          <>
            <span className="muted">{t('live.shown', { count: LIVE_CAP })}</span>
            <button type="button" className="button" onClick={() => setPaused(paused ? null : live)} aria-pressed={paused !== null} data-testid="live-pause">
              {paused ? `▶ ${t('live.resume')}` : `❚❚ ${t('live.pause')}`}
            </button>
            <button type="button" className="button" onClick={() => setClearedAt(live.received)}>
              {t('live.clear')}
            </button>
          </>
        }
      >
        <div className="toolbar" style={{ marginBottom: 10 }}>
          <label className="control">
            <span className="control-label">{t('live.statusClass')}</span>
            <select value={params.get('l.statusClass') ?? ''} onChange={(e) => setParams({ 'l.statusClass': e.target.value })} data-testid="live-status-class">
              <option value="">{t('live.any')}</option>
              {[2, 3, 4, 5].map((c) => (
                <option key={c} value={c}>
                  {c}xx
                </option>
              ))}
            </select>
          </label>
          <label className="control">
            <span className="control-label">{t('logs.method')}</span>
            <select value={params.get('l.method') ?? ''} onChange={(e) => setParams({ 'l.method': e.target.value })}>
              <option value="">{t('live.any')}</option>
              {['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].map((m) => (
                <option key={m} value={m}>
                  {m}
                </option>
              ))}
            </select>
          </label>
          <label className="control">
            <span className="control-label">{t('live.pathContains')}</span>
            <input type="search" defaultValue={params.get('l.path') ?? ''} onKeyDown={(e) => e.key === 'Enter' && setParams({ 'l.path': e.currentTarget.value })} onBlur={(e) => setParams({ 'l.path': e.currentTarget.value })} />
          </label>
        </div>
        {paused && held > 0 && <p className="notice">{t('live.paused', { count: held })}</p>}
        {live.dropped > 0 && (
          <p className="notice" role="status" data-testid="live-dropped">
            {t('live.dropped', { count: live.dropped })}
          </p>
        )}
        {result.error && <ErrorState error={result.error} />}
        <div className="console" data-testid="live-list" aria-live="off">
          {visible.length === 0 ? <p className="state">{t('live.waiting')}</p> : visible.map((log) => <LogRow key={log.id} log={log} />)}
        </div>
      </Panel>
    </>
  );
}
