import { parseArgs } from 'node:util';
import { FLAT_SHAPE, type TrafficShape } from '../workload/shape.ts';
import { writeBackfill } from './backfill.ts';
import { defaultTargetUrl, runTraffic, type TrafficSummary } from './runTraffic.ts';

const HELP = `Usage: npm run traffic -- [options]

Live traffic (default): sends real requests to the target server until stopped (Ctrl-C).
  --url URL              target base URL (default http://127.0.0.1:$TARGET_PORT, 8081)
  --rate N               mean requests per second (default 5)
  --duration D           stop after D (e.g. 30s, 10m, 2h)
  --seed N               seed for the request mix (default random; printed)
  --incident SPEC        scripted incident, repeatable:
                           latency:/api/products:5m     slower responses on a route
                           errors:/api/users:2m         mostly 500s on a route
                           spike:3x:1m                  3x the request rate
                         append @2m to start 2 minutes after the start; in a backfill
                         @-2h means 2 hours before now, and @2026-01-01T10:00:00Z is absolute
  --concurrency N        most requests in flight (default 200)
  --no-follow-scenario   ignore the server's "spike" scenario (otherwise polled every 5 s)

Backfill: --backfill WINDOW writes history straight into the access log and exits.
  --backfill W           e.g. 24h or 7d, ending now
  --file PATH            log file (default $ACCESS_LOG or target-server/logs/access.log)
  --service NAME         service field (default $SERVICE_NAME or target-server)

Shape (both modes):
  --amplitude A          daily swing, 0 (flat) to <1 (default 0.6)
  --peak-hour H          local hour of the daily peak (default 14)
  --weekend-factor F     Saturday/Sunday multiplier (default 0.7)
  --tz ZONE              time zone for "local" (default $TZ or UTC)
  --flat                 constant rate: amplitude 0, weekend factor 1
`;

function numberOption(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isFinite(parsed)) throw new Error(`--${name} must be a number, got "${value}"`);
  return parsed;
}

function formatSummary(summary: TrafficSummary): string {
  const statuses = Object.entries(summary.byStatus)
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(([status, count]) => `${status}:${count}`)
    .join(' ');
  return `sent ${summary.sent}, completed ${summary.completed}, failed ${summary.failed}, dropped ${summary.dropped} [${statuses}]`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      url: { type: 'string' },
      rate: { type: 'string' },
      duration: { type: 'string' },
      seed: { type: 'string' },
      incident: { type: 'string', multiple: true },
      concurrency: { type: 'string' },
      'no-follow-scenario': { type: 'boolean' },
      backfill: { type: 'string' },
      file: { type: 'string' },
      service: { type: 'string' },
      amplitude: { type: 'string' },
      'peak-hour': { type: 'string' },
      'weekend-factor': { type: 'string' },
      tz: { type: 'string' },
      flat: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(HELP);
    return;
  }
  const seed = numberOption(values.seed, 'seed') ?? Math.floor(Math.random() * 0x7fffffff);
  const shape: Partial<TrafficShape> = { ...(values.flat ? FLAT_SHAPE : {}) };
  const amplitude = numberOption(values.amplitude, 'amplitude');
  const peakHour = numberOption(values['peak-hour'], 'peak-hour');
  const weekendFactor = numberOption(values['weekend-factor'], 'weekend-factor');
  if (amplitude !== undefined) shape.amplitude = amplitude;
  if (peakHour !== undefined) shape.peakHour = peakHour;
  if (weekendFactor !== undefined) shape.weekendFactor = weekendFactor;
  if (values.tz) shape.timeZone = values.tz;
  const incidents = values.incident ?? [];

  if (values.backfill) {
    const started = performance.now();
    const result = await writeBackfill({
      window: values.backfill,
      rate: numberOption(values.rate, 'rate') ?? 5,
      seed,
      incidents,
      shape,
      ...(values.file ? { file: values.file } : {}),
      service: values.service ?? (process.env.SERVICE_NAME || 'target-server'),
    });
    const seconds = (performance.now() - started) / 1000;
    console.log(`backfill: ${result.records} lines (${(result.bytes / 1e6).toFixed(1)} MB) from ${result.from} to ${result.to} into ${result.file} in ${seconds.toFixed(1)} s (seed ${seed})`);
    return;
  }

  const url = values.url ?? defaultTargetUrl();
  const run = runTraffic({
    url,
    seed,
    incidents,
    shape,
    followScenario: !values['no-follow-scenario'],
    ...(values.rate !== undefined ? { rate: numberOption(values.rate, 'rate') as number } : {}),
    ...(values.duration !== undefined ? { duration: values.duration } : {}),
    ...(values.concurrency !== undefined ? { concurrency: numberOption(values.concurrency, 'concurrency') as number } : {}),
  });
  console.log(`traffic → ${url} (seed ${seed}${incidents.length ? `, incidents: ${incidents.join(' ')}` : ''}); Ctrl-C to stop`);
  const progress = setInterval(() => {
    const summary = run.summary();
    console.log(formatSummary(summary));
    if (summary.sent > 0 && summary.failed === summary.sent) console.error(`cannot reach ${url}: is the target server running (npm start -w target-server)?`);
  }, 10_000);
  const stop = (): void => {
    void run.stop();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const summary = await run.done;
  clearInterval(progress);
  console.log(`done: ${formatSummary(summary)}`);
}

main().catch((error: unknown) => {
  console.error(`traffic: ${(error as Error).message}`);
  process.exit(1);
});
