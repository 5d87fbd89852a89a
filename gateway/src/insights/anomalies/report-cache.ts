import { detached } from '../../storage/statement-cancel.ts';
import type { AnomalyReport } from './read.ts';

/**
 * The same anomaly analysis asked again within `ttlMs` (the Insights page asks for anomalies and
 * for recommendations, which include them, at once; several open dashboards poll the same range)
 * is answered from the first one, in flight or done. One per gateway, built by app.ts.
 */
export class AnomalyReportCache {
  private readonly reports = new Map<string, { expires: number; report: Promise<AnomalyReport> }>();

  constructor(
    private readonly ttlMs = 10_000,
    private readonly maxEntries = 100,
    private readonly now: () => number = Date.now,
  ) {}

  /** The cached report for `key`, or the one `compute` starts (forgotten if it fails). */
  get(key: string, compute: () => Promise<AnomalyReport>): Promise<AnomalyReport> {
    const hit = this.reports.get(key);
    if (hit && hit.expires > this.now()) return hit.report;
    // Shared by every request that asks within ttlMs: not cancelled when the first one's client leaves.
    const report = detached(compute);
    this.reports.set(key, { expires: this.now() + this.ttlMs, report });
    report.catch(() => this.reports.delete(key));
    if (this.reports.size > this.maxEntries) this.reports.delete(this.reports.keys().next().value!);
    return report;
  }
}
