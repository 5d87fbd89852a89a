import type { AnomalyKind, RecommendationKind, Severity } from '../../gql/graphql.ts';

// One incident usually trips the detector several times: overall traffic, its service and each
// endpoint involved, all in the same minutes. Shown one by one they bury the story (five
// "Critical" cards for one outage), so the Insights page groups them here, in pure functions
// that keep the API's ranking inside each group.

const SEVERITY_RANK: Record<Severity, number> = { CRITICAL: 0, HIGH: 1, MEDIUM: 2, LOW: 3 };

/** The fields of an anomaly grouping reads. */
export interface GroupableAnomaly {
  kind: AnomalyKind;
  severity: Severity;
  service: string | null;
  method: string | null;
  route: string | null;
  start: string;
  end: string;
}

/** Anomalies of one kind whose windows overlap: one incident. */
export interface Incident<A extends GroupableAnomaly> {
  kind: AnomalyKind;
  severity: Severity;
  /** From the earliest start to the latest end of its anomalies. */
  start: string;
  end: string;
  /** What the card leads with: the widest scope (all traffic, then a service, then an endpoint), best-ranked first. */
  lead: A;
  /** The others, in the API's order. */
  affected: A[];
}

const scope = (a: GroupableAnomaly) => (a.route !== null ? 2 : a.service !== null ? 1 : 0);
const overlaps = (a: { start: string; end: string }, b: { start: string; end: string }) =>
  Date.parse(a.start) < Date.parse(b.end) && Date.parse(b.start) < Date.parse(a.end);

/**
 * Groups anomalies of the same kind with overlapping windows (transitively) into incidents, ranked
 * by their best-ranked anomaly in the API's order (the API ranks most severe first).
 */
export function groupAnomalies<A extends GroupableAnomaly>(anomalies: readonly A[]): Incident<A>[] {
  const groups: { members: { a: A; rank: number }[]; start: string; end: string; kind: AnomalyKind }[] = [];
  anomalies.forEach((a, rank) => {
    const touching = groups.filter((g) => g.kind === a.kind && overlaps(g, a));
    const target = touching[0] ?? { members: [], start: a.start, end: a.end, kind: a.kind };
    if (!touching[0]) groups.push(target);
    // An anomaly that bridges two incidents joins them.
    for (const other of touching.slice(1)) {
      target.members.push(...other.members);
      target.start = Date.parse(other.start) < Date.parse(target.start) ? other.start : target.start;
      target.end = Date.parse(other.end) > Date.parse(target.end) ? other.end : target.end;
      groups.splice(groups.indexOf(other), 1);
    }
    target.members.push({ a, rank });
    if (Date.parse(a.start) < Date.parse(target.start)) target.start = a.start;
    if (Date.parse(a.end) > Date.parse(target.end)) target.end = a.end;
  });
  return groups
    .map((g) => {
      const members = [...g.members].sort((x, y) => x.rank - y.rank);
      const lead = [...members].sort((x, y) => scope(x.a) - scope(y.a) || x.rank - y.rank)[0]!;
      const severity = members.map((m) => m.a.severity).sort((x, y) => SEVERITY_RANK[x] - SEVERITY_RANK[y])[0]!;
      return {
        rank: members[0]!.rank,
        incident: {
          kind: g.kind,
          severity,
          start: g.start,
          end: g.end,
          lead: lead.a,
          affected: members.filter((m) => m !== lead).map((m) => m.a),
        },
      };
    })
    .sort((x, y) => x.rank - y.rank)
    .map((x) => x.incident);
}

/** The fields of a recommendation grouping reads. */
export interface GroupableRecommendation {
  kind: RecommendationKind;
  priority: Severity;
  service: string | null;
  method: string | null;
  route: string | null;
  affectedRequests: number;
}

/** Every recommendation of one kind: one piece of advice and the endpoints (or clients) it applies to. */
export interface RecommendationGroup<R extends GroupableRecommendation> {
  kind: RecommendationKind;
  priority: Severity;
  affectedRequests: number;
  /** In the API's order. */
  items: R[];
  /** True when it is about an incident that the anomalies of the range show is happening. */
  live: boolean;
}

/** The advice that answers an anomaly of this kind. */
const ANSWERS: Partial<Record<RecommendationKind, AnomalyKind>> = {
  INVESTIGATE_5XX: 'ERROR_RATE',
  INVESTIGATE_LATENCY_ANOMALY: 'LATENCY',
};

/** Whether an anomaly concerns this recommendation's endpoint (or everything, for an overall one). */
function touches(a: GroupableAnomaly, r: GroupableRecommendation): boolean {
  if (a.route === null) return a.service === null || r.service === null || a.service === r.service;
  return (
    a.route === r.route &&
    (a.method === null || a.method === r.method) &&
    (a.service === null || r.service === null || a.service === r.service)
  );
}

/**
 * One group per kind. Groups about a live incident (5xx or latency advice for endpoints with a
 * matching anomaly in the range) come first; then the rest by priority; within equal standing,
 * the API's order (it ranks by priority and requests concerned).
 */
export function groupRecommendations<R extends GroupableRecommendation>(
  recommendations: readonly R[],
  anomalies: readonly GroupableAnomaly[],
): RecommendationGroup<R>[] {
  const byKind = new Map<RecommendationKind, { items: R[]; rank: number }>();
  recommendations.forEach((r, rank) => {
    const group = byKind.get(r.kind) ?? { items: [], rank };
    group.items.push(r);
    byKind.set(r.kind, group);
  });
  return [...byKind.entries()]
    .map(([kind, { items, rank }]) => {
      const answers = ANSWERS[kind];
      const live = answers !== undefined && items.some((r) => anomalies.some((a) => a.kind === answers && touches(a, r)));
      const priority = items.map((r) => r.priority).sort((x, y) => SEVERITY_RANK[x] - SEVERITY_RANK[y])[0]!;
      const affectedRequests = items.reduce((sum, r) => sum + r.affectedRequests, 0);
      return { rank, group: { kind, priority, affectedRequests, items, live } };
    })
    .sort(
      (x, y) =>
        Number(y.group.live) - Number(x.group.live) || SEVERITY_RANK[x.group.priority] - SEVERITY_RANK[y.group.priority] || x.rank - y.rank,
    )
    .map((x) => x.group);
}
