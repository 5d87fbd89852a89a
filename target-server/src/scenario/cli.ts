import { parseArgs } from 'node:util';
import { defaultTargetUrl } from '../traffic/runTraffic.ts';
import { SCENARIO_NAMES } from './scenarios.ts';

const HELP = `Usage: npm run scenario -w target-server -- <scenario|stop|status> [options]

Scenarios: ${SCENARIO_NAMES.join(', ')}
  --endpoints a,b     focused-failure/latency: route prefixes (e.g. /api/products)
  --error-rate R      high-errors/focused-failure: share of failing requests, 0-1
  --latency-ms N      latency: added delay
  --multiplier N      spike: traffic multiplier for generators following the server
  --duration D        revert to normal after D (e.g. 5m); default: until stopped
  --url URL           target server (default http://127.0.0.1:$TARGET_PORT, 8081)
`;

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      endpoints: { type: 'string' },
      'error-rate': { type: 'string' },
      'latency-ms': { type: 'string' },
      multiplier: { type: 'string' },
      duration: { type: 'string' },
      url: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command] = positionals;
  if (values.help || !command) {
    console.log(HELP);
    return;
  }
  const url = `${(values.url ?? defaultTargetUrl()).replace(/\/$/, '')}/scenario`;
  let response: Response;
  if (command === 'status') {
    response = await fetch(url);
  } else {
    const body: Record<string, unknown> = { name: command === 'stop' ? 'normal' : command };
    if (values.endpoints) body.endpoints = values.endpoints.split(',').map((e) => e.trim()).filter(Boolean);
    if (values['error-rate']) body.errorRate = Number(values['error-rate']);
    if (values['latency-ms']) body.latencyMs = Number(values['latency-ms']);
    if (values.multiplier) body.multiplier = Number(values.multiplier);
    if (values.duration) body.duration = values.duration;
    response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  }
  const payload: unknown = await response.json();
  if (!response.ok) {
    throw new Error((payload as { error?: string }).error ?? `HTTP ${response.status}`);
  }
  console.log(JSON.stringify(payload, null, 2));
}

main().catch((error: unknown) => {
  // fetch() reports network problems as "fetch failed" with the real reason in `cause`.
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const reason = cause ? `cannot reach the target server (${cause.code ?? cause.message}); is it running?` : (error as Error).message;
  console.error(`scenario: ${reason}`);
  process.exit(1);
});
