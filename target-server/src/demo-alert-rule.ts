// The example alert rule `npm start` ships enabled: it fires when the scenario page's
// "high-errors" (30 % of /api requests fail by default) runs for a minute or so, and resolves
// a little after it stops. It has no channel: add one on the Alerts page to be notified.

export const DEMO_ALERT_RULE = {
  name: 'Demo: high error rate',
  description:
    'Example rule shipped by `npm start`: start "high-errors" on the target server\'s scenario page (http://localhost:8081/) to see it fire.',
  kind: 'ERROR_RATE',
  threshold: 0.2,
  resolveThreshold: 0.1,
  windowSeconds: 120,
  forSeconds: 30,
  intervalSeconds: 15,
  minRequests: 20,
  severity: 'CRITICAL',
  labels: [{ name: 'demo', value: 'true' }],
} as const;

/** Creates the demo rule unless a rule of that name exists (a user may have changed or disabled it). */
export async function ensureDemoAlertRule(gatewayUrl: string, dashboardToken?: string): Promise<'created' | 'exists'> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (dashboardToken) headers.authorization = `Bearer ${dashboardToken}`;
  const call = async (query: string, variables?: Record<string, unknown>) => {
    const res = await fetch(`${gatewayUrl}/graphql`, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
    const body = (await res.json()) as { data?: Record<string, unknown>; errors?: { message: string }[] };
    if (body.errors?.length) throw new Error(body.errors[0]!.message);
    return body.data!;
  };
  const { alertRules } = (await call('{ alertRules { name } }')) as { alertRules: { name: string }[] };
  if (alertRules.some((r) => r.name === DEMO_ALERT_RULE.name)) return 'exists';
  await call('mutation($input: AlertRuleInput!) { createAlertRule(input: $input) { id } }', { input: DEMO_ALERT_RULE });
  return 'created';
}
