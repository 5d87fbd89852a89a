import { useId, useState } from 'react';
import { useI18n } from '../../i18n/index.tsx';
import { isRangePreset, RANGE_PRESETS, type RangeSelection } from '../../lib/time-range.ts';
import { isoToWallTime, wallTimeToIso } from '../../lib/zoned-time.ts';

/** Preset ranges plus a custom from–to, typed as wall-clock time in the dashboard's time zone. */
export function RangePicker({
  value,
  timeZone,
  onChange,
  now = () => Date.now(),
}: {
  value: RangeSelection;
  timeZone: string;
  onChange: (range: RangeSelection) => void;
  now?: () => number;
}) {
  const { t, fmt } = useI18n();
  const id = useId();
  const [editing, setEditing] = useState(false);
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [invalid, setInvalid] = useState(false);

  const openCustom = () => {
    const end = value.kind === 'custom' ? value.to : new Date(now()).toISOString();
    const start = value.kind === 'custom' ? value.from : new Date(now() - 3_600_000).toISOString();
    setFrom(isoToWallTime(start, timeZone));
    setTo(isoToWallTime(end, timeZone));
    setInvalid(false);
    setEditing(true);
  };

  const apply = () => {
    const fromIso = wallTimeToIso(from, timeZone);
    const toIso = wallTimeToIso(to, timeZone);
    if (!fromIso || !toIso || Date.parse(fromIso) >= Date.parse(toIso)) {
      setInvalid(true);
      return;
    }
    setEditing(false);
    onChange({ kind: 'custom', from: fromIso, to: toIso });
  };

  const selectValue = value.kind === 'preset' ? value.preset : 'custom';
  return (
    <div className="range-picker">
      <label className="control">
        <span className="control-label">{t('controls.range')}</span>
        <select
          value={selectValue}
          onChange={(e) => {
            const next = e.target.value;
            if (isRangePreset(next)) {
              setEditing(false);
              onChange({ kind: 'preset', preset: next });
            } else openCustom();
          }}
        >
          {RANGE_PRESETS.map((preset) => (
            <option key={preset} value={preset}>
              {t(`controls.range.${preset}`)}
            </option>
          ))}
          <option value="custom">{value.kind === 'custom' ? `${fmt.dateTime(value.from)} – ${fmt.dateTime(value.to)}` : t('controls.range.custom')}</option>
        </select>
      </label>
      {value.kind === 'custom' && !editing && (
        <button type="button" className="button button-small" onClick={openCustom} aria-label={t('controls.range.custom')}>
          ✎
        </button>
      )}
      {editing && (
        <div className="popover" role="dialog" aria-label={t('controls.range.custom')}>
          <label className="control">
            <span className="control-label">{t('controls.range.from')}</span>
            <input id={`${id}-from`} type="datetime-local" value={from} onChange={(e) => setFrom(e.target.value)} />
          </label>
          <label className="control">
            <span className="control-label">{t('controls.range.to')}</span>
            <input id={`${id}-to`} type="datetime-local" value={to} onChange={(e) => setTo(e.target.value)} />
          </label>
          <span className="popover-hint">{timeZone}</span>
          {invalid && (
            <p className="form-error" role="alert">
              {t('controls.range.invalid')}
            </p>
          )}
          <div className="popover-actions">
            <button type="button" className="button" onClick={() => setEditing(false)}>
              {t('controls.range.cancel')}
            </button>
            <button type="button" className="button button-primary" onClick={apply}>
              {t('controls.range.apply')}
            </button>
          </div>
        </div>
      )}
    </div>
  );
}
