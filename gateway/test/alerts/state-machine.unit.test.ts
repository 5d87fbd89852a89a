import { describe, expect, it } from 'vitest';
import { initialStatus, nextStatus, type Verdict } from '../../src/alerts/state-machine.ts';
import type { AlertStatus } from '../../src/domain/alert.ts';

const t0 = new Date('2026-12-05T10:00:00Z');
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);
const BREACH: Verdict = { breaching: true, recovered: false };
const BAND: Verdict = { breaching: false, recovered: false };
const OK: Verdict = { breaching: false, recovered: true };

/** Runs a sequence of (second, verdict) evaluations and collects the transitions. */
function run(steps: [number, Verdict][], timing = { forSeconds: 60, reminderSeconds: null as number | null }) {
  let status: AlertStatus = initialStatus(t0);
  const events: string[] = [];
  for (const [s, verdict] of steps) {
    const step = nextStatus(status, verdict, timing, at(s));
    status = step.status;
    events.push(...step.events.map((e) => `${s}:${e}`));
  }
  return { status, events };
}

describe('alert state machine', () => {
  it('waits `for` in pending before firing, then resolves once recovered', () => {
    const { status, events } = run([
      [0, BREACH],
      [30, BREACH],
      [60, BREACH],
      [90, BREACH],
      [120, OK],
    ]);
    expect(events).toEqual(['0:pending', '60:firing', '120:resolved']);
    expect(status.state).toBe('resolved');
  });

  it('cancels pending when the condition stops before `for`', () => {
    expect(
      run([
        [0, BREACH],
        [30, BAND],
        [40, BREACH],
      ]).events,
    ).toEqual(['0:pending', '30:cancelled', '40:pending']);
  });

  it('fires at once with for = 0', () => {
    expect(run([[0, BREACH]], { forSeconds: 0, reminderSeconds: null }).events).toEqual(['0:firing']);
  });

  it('keeps firing between the thresholds (hysteresis): no flapping', () => {
    const { events } = run(
      [
        [0, BREACH],
        [10, BAND],
        [20, BREACH],
        [30, BAND],
        [40, OK],
      ],
      { forSeconds: 0, reminderSeconds: null },
    );
    expect(events).toEqual(['0:firing', '40:resolved']);
  });

  it('reminds every reminderSeconds while firing, counted from the last notification', () => {
    const { events } = run(
      [
        [0, BREACH],
        [50, BREACH],
        [100, BREACH],
        [150, BREACH],
        [210, BREACH],
        [220, OK],
      ],
      { forSeconds: 0, reminderSeconds: 100 },
    );
    expect(events).toEqual(['0:firing', '100:reminder', '210:reminder', '220:resolved']);
  });

  it('can fire again after resolving (a new incident)', () => {
    const { events } = run(
      [
        [0, BREACH],
        [10, OK],
        [20, BREACH],
      ],
      { forSeconds: 0, reminderSeconds: null },
    );
    expect(events).toEqual(['0:firing', '10:resolved', '20:firing']);
  });

  it('stays inactive while nothing breaches', () => {
    expect(
      run([
        [0, OK],
        [10, BAND],
        [20, OK],
      ]).events,
    ).toEqual([]);
  });
});
