/**
 * How much a finding matters: one scale for anomalies, bottlenecks and recommendations, listed
 * from least to most urgent so a severity's index is its rank.
 */
export const SEVERITIES = ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** 0 (LOW) .. 3 (CRITICAL). */
export const severityRank = (s: Severity): number => SEVERITIES.indexOf(s);

/** The severity of a rank, clamped to the scale. */
export const severityOfRank = (rank: number): Severity => SEVERITIES[Math.max(0, Math.min(SEVERITIES.length - 1, rank))]!;

/** Comparator: most urgent first. */
export const byUrgency = (a: Severity, b: Severity): number => severityRank(b) - severityRank(a);

/**
 * The verdict of an AI analysis of a whole window (coarser than a finding's severity: the model
 * answers ok, warning or critical), least urgent first.
 */
export const INSIGHT_LEVELS = ['ok', 'warning', 'critical'] as const;
export type InsightLevel = (typeof INSIGHT_LEVELS)[number];

/** 0 (ok) .. 2 (critical). */
export const insightLevelRank = (l: InsightLevel): number => INSIGHT_LEVELS.indexOf(l);
