import type { Evidence } from './evidence.ts';
import type { InsightLevel } from './severity.ts';

/** The findings of one analysis, whoever produced them (the model or the offline analyst). */
export interface InsightFindings {
  summary: string;
  severity: InsightLevel;
  /** "METHOD /route" of the endpoint that needs attention first, or null when none does. */
  worstEndpoint: string | null;
  problems: string[];
  causes: string[];
  improvements: string[];
  evidence: Evidence[];
}
