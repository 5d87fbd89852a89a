import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type pg from 'pg';
import type { AlertEvent, AlertingObserver } from '../domain/alert.ts';
import type { AlertsSettings } from '../config.ts';
import type { Logger } from '../logger.ts';
import { acquireLease, dueRules, recordEvaluationError, releaseLease } from '../storage/alerts.ts';
import { evaluateRule } from './evaluate-rule.ts';
import { dispatchDue, type DispatchSettings } from './outbox.ts';

/** The lease's name in alert_leader. */
const EVALUATOR_LEASE = 'alert-evaluator';

export interface AlertingOptions {
  /** The pool once storage is ready (null before: the tick does nothing). */
  pool: () => pg.Pool | null;
  settings: AlertsSettings;
  /** Base of links when PUBLIC_URL is not set. */
  defaultPublicUrl: () => string;
  logger: Logger;
  /** Called after each transition commits (the alertEvents subscription). */
  publish: (event: AlertEvent) => void;
  /** Told of each evaluation and delivery attempt (the gateway's metrics). */
  observer?: AlertingObserver;
}

export interface Alerting {
  /** This replica's name in the lease. */
  readonly instanceId: string;
  /** True while this replica holds the evaluator lease. */
  readonly leading: boolean;
  /** One evaluation + dispatch pass now (tests; the timer calls it too). */
  tick(): Promise<void>;
  /** Stops the timer, waits for a running pass and gives the lease up. */
  stop(): Promise<void>;
}

/**
 * Alert evaluation and delivery for one replica. Every tick, each replica tries to take or renew
 * the evaluator lease (a row with an expiry, by the database clock); the holder evaluates the due
 * rules, so exactly one replica evaluates at a time and a killed leader's lease lapses within
 * ALERTS_LEASE_MS. Every replica sends due outbox rows (claimed rows cannot be sent twice), so
 * notifications keep flowing while leadership changes hands. Embedded mode runs the same code.
 */
export function startAlerting(options: AlertingOptions): Alerting {
  const { settings, logger } = options;
  const instanceId = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const lease = { name: EVALUATOR_LEASE, holder: instanceId };
  let leading = false;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | null = null;

  const dispatchSettings = (): DispatchSettings => ({
    retryBaseMs: settings.retryBaseMs,
    retryMaxMs: settings.retryMaxMs,
    maxAttempts: settings.maxAttempts,
    sendTimeoutMs: settings.sendTimeoutMs,
    publicUrl: settings.publicUrl ?? options.defaultPublicUrl(),
    smtp: settings.smtp,
  });

  async function pass(): Promise<void> {
    const pool = options.pool();
    if (!pool) return;
    const { leader, now } = await acquireLease(pool, lease.name, lease.holder, settings.leaseMs);
    if (leader !== leading)
      logger.info(
        { instance: instanceId },
        leader ? 'alerts: this replica now evaluates rules' : 'alerts: another replica evaluates rules',
      );
    leading = leader;
    if (leader) {
      for (const rule of await dueRules(pool)) {
        if (stopped) break;
        const started = performance.now();
        try {
          const events = await evaluateRule(pool, rule, now, lease);
          options.observer?.evaluated((performance.now() - started) / 1000, true);
          for (const event of events ?? []) {
            logger.info({ rule: event.ruleName, kind: event.kind, value: event.value }, 'alert transition');
            options.publish(event);
          }
        } catch (error) {
          options.observer?.evaluated((performance.now() - started) / 1000, false);
          logger.warn({ rule: rule.rule.name, err: (error as Error).message }, 'alert rule evaluation failed');
          await recordEvaluationError(pool, rule.rule.id, (error as Error).message).catch(() => {});
        }
      }
    }
    // Keep sending while there is a backlog, but give the next evaluation its turn.
    for (let i = 0; i < 5 && !stopped; i++) if ((await dispatchDue(pool, dispatchSettings(), logger, options.observer)) === 0) break;
  }

  let readOnlyReported = false;
  async function tick(): Promise<void> {
    if (running) return running;
    running = pass()
      .catch((error: Error & { code?: string }) => {
        // A gateway on a read replica serves queries only: it can neither lead nor record deliveries.
        if (error.code === '25006') {
          if (!readOnlyReported)
            logger.info('alerts: the database is read-only; this replica neither evaluates rules nor sends notifications');
          readOnlyReported = true;
          return;
        }
        logger.warn({ err: error.message }, 'alerts: pass failed; retrying next tick');
      })
      .finally(() => {
        running = null;
      });
    return running;
  }

  function schedule(): void {
    if (stopped) return;
    timer = setTimeout(() => void tick().finally(schedule), settings.tickMs);
    timer.unref();
  }
  schedule();

  return {
    instanceId,
    get leading() {
      return leading;
    },
    tick,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
      const pool = options.pool();
      if (pool && leading) await releaseLease(pool, lease.name, lease.holder).catch(() => {});
      leading = false;
    },
  };
}
