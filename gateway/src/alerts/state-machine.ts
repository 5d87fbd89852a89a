import type { AlertEventKind, AlertStatus } from '../domain/alert.ts';

/** What one evaluation found: over the threshold, and back past the resolve threshold. */
export interface Verdict {
  /** The condition holds (e.g. error rate above the threshold). */
  breaching: boolean;
  /** The value is back on the good side of the resolve threshold (hysteresis). */
  recovered: boolean;
}

export interface Timing {
  /** How long the condition must hold before pending becomes firing. */
  forSeconds: number;
  /** Repeat the notification this often while firing; null: never. */
  reminderSeconds: number | null;
}

export interface Step {
  status: AlertStatus;
  /** The transitions to record, in order; empty when nothing changed. */
  events: AlertEventKind[];
}

/**
 * One evaluation step of a rule: inactive → pending (the `for` clock starts) → firing (once the
 * condition held for `for`) → resolved (once the value is back past the resolve threshold; a
 * value between the two thresholds keeps firing, so an alert does not flap around one line).
 * Resolved behaves like inactive. Pending that stops breaching is cancelled. Pure: the evaluator
 * persists the result with a compare-and-set.
 */
export function nextStatus(current: AlertStatus, verdict: Verdict, timing: Timing, now: Date): Step {
  switch (current.state) {
    case 'inactive':
    case 'resolved': {
      if (!verdict.breaching) return { status: current, events: [] };
      if (timing.forSeconds <= 0) return { status: firing(now, now), events: ['firing'] };
      return {
        status: { state: 'pending', since: now, pendingSince: now, firingSince: null, lastNotifiedAt: current.lastNotifiedAt },
        events: ['pending'],
      };
    }
    case 'pending': {
      if (!verdict.breaching) {
        return {
          status: { state: 'inactive', since: now, pendingSince: null, firingSince: null, lastNotifiedAt: current.lastNotifiedAt },
          events: ['cancelled'],
        };
      }
      const started = current.pendingSince ?? current.since;
      if (now.getTime() - started.getTime() >= timing.forSeconds * 1000) return { status: firing(now, now), events: ['firing'] };
      return { status: current, events: [] };
    }
    case 'firing': {
      if (verdict.recovered) {
        return {
          status: { state: 'resolved', since: now, pendingSince: null, firingSince: null, lastNotifiedAt: now },
          events: ['resolved'],
        };
      }
      const last = current.lastNotifiedAt ?? current.firingSince ?? current.since;
      if (
        timing.reminderSeconds !== null &&
        timing.reminderSeconds > 0 &&
        now.getTime() - last.getTime() >= timing.reminderSeconds * 1000
      ) {
        return { status: { ...current, lastNotifiedAt: now }, events: ['reminder'] };
      }
      return { status: current, events: [] };
    }
  }
}

function firing(now: Date, notifiedAt: Date): AlertStatus {
  return { state: 'firing', since: now, pendingSince: null, firingSince: now, lastNotifiedAt: notifiedAt };
}

/** The status of a rule never evaluated. */
export function initialStatus(now: Date): AlertStatus {
  return { state: 'inactive', since: now, pendingSince: null, firingSince: null, lastNotifiedAt: null };
}
