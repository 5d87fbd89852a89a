import { useMemo } from 'react';
import { useI18n } from '../../i18n/index.tsx';
import { REFRESH_INTERVALS, type RefreshSeconds } from '../../lib/controls.ts';
import { useRefresh } from '../../lib/refresh.tsx';
import { useControls } from '../../lib/use-controls.ts';
import { useLiveConnection } from '../../lib/client-context.tsx';
import type { LiveConnection } from '../../lib/urql.ts';
import { RangePicker } from './RangePicker.tsx';
import { ServiceSelect } from './ServiceSelect.tsx';

function timeZoneOptions(current: string): string[] {
  const browser = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const all = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  const first = [...new Set([current, browser, 'UTC', 'Asia/Seoul'])];
  return [...first, ...all.filter((tz) => !first.includes(tz))];
}

export function HeaderControls() {
  const { t } = useI18n();
  const { controls, setControls } = useControls();
  const { refreshNow } = useRefresh();
  const live = useLiveConnection();
  const zones = useMemo(() => timeZoneOptions(controls.tz), [controls.tz]);

  return (
    <div className="header-controls">
      <RangePicker value={controls.range} timeZone={controls.tz} onChange={(range) => setControls({ range })} />
      <ServiceSelect value={controls.service} onChange={(service) => setControls({ service })} />
      <label className="control">
        <span className="control-label">{t('controls.refresh')}</span>
        <select value={controls.refresh} onChange={(e) => setControls({ refresh: Number(e.target.value) as RefreshSeconds })}>
          {REFRESH_INTERVALS.map((s) => (
            <option key={s} value={s}>
              {s === 0 ? t('controls.refresh.off') : t('controls.refresh.every', { seconds: s })}
            </option>
          ))}
        </select>
      </label>
      <button type="button" className="button button-icon" onClick={refreshNow} title={t('controls.refreshNow')} aria-label={t('controls.refreshNow')}>
        ↻
      </button>
      <label className="control">
        <span className="control-label">{t('controls.timezone')}</span>
        <select value={controls.tz} onChange={(e) => setControls({ tz: e.target.value })} className="select-tz">
          {zones.map((tz) => (
            <option key={tz} value={tz}>
              {tz}
            </option>
          ))}
        </select>
      </label>
      <div className="control" role="group" aria-label={t('controls.language')}>
        <span className="control-label">{t('controls.language')}</span>
        <div className="segmented">
          <button type="button" lang="ko" aria-pressed={controls.lang === 'ko'} onClick={() => setControls({ lang: 'ko' })}>
            한국어
          </button>
          <button type="button" lang="en" aria-pressed={controls.lang === 'en'} onClick={() => setControls({ lang: 'en' })}>
            English
          </button>
        </div>
      </div>
      <div className="control" role="group" aria-label={t('controls.theme')}>
        <span className="control-label">{t('controls.theme')}</span>
        <div className="segmented">
          <button type="button" aria-pressed={controls.theme === 'light'} onClick={() => setControls({ theme: 'light' })} title={t('controls.theme.light')}>
            ☀ <span className="visually-hidden">{t('controls.theme.light')}</span>
          </button>
          <button type="button" aria-pressed={controls.theme === 'dark'} onClick={() => setControls({ theme: 'dark' })} title={t('controls.theme.dark')}>
            ☾ <span className="visually-hidden">{t('controls.theme.dark')}</span>
          </button>
        </div>
      </div>
      <LiveDot state={live} />
    </div>
  );
}

function LiveDot({ state }: { state: LiveConnection }) {
  const { t } = useI18n();
  if (state === 'idle') return null;
  const label = t(`controls.live.${state}`);
  return <span className={`live-dot live-dot-${state}`} title={label} aria-label={label} role="status" />;
}
