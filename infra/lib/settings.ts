import { z } from 'zod';

/**
 * Everything a deployment chooses, read from CDK context (`cdk deploy -c name=value`).
 * Context values from the command line are strings, so numbers, booleans and lists are parsed
 * here, once, with a readable error naming the key.
 */
export interface LogpulseSettings {
  /** Dashboard name, e.g. logs.example.com (alias to the public NLB). */
  domainName: string;
  /** Name Fluent Bit posts to (alias to the internal NLB); default ingest.<domainName>. */
  ingestDomainName: string;
  /** Route 53 public hosted zone that holds both names (id and name: no lookup needed). */
  hostedZoneId: string;
  hostedZoneName: string;
  /** "rds": Amazon RDS for PostgreSQL (recommended). "server": PostgreSQL in Docker on server 2, as the original. */
  database: 'rds' | 'server';
  server1InstanceType: string;
  server2InstanceType: string;
  /** RDS instance class without the "db." prefix. */
  dbInstanceType: string;
  dbMultiAz: boolean;
  dbBackupRetentionDays: number;
  dbAllocatedStorageGb: number;
  /** Root volume of server 2 (holds the database in "server" mode). */
  server2DiskGb: number;
  /** Who may open the dashboard (TLS 443 on the public NLB). */
  adminCidrs: string[];
  natGateways: number;
  /** CloudWatch retention of container logs. */
  logRetentionDays: number;
  /** Gateway raw-log retention (RETENTION_DAYS). */
  retentionDays: number;
  timeZone: string;
  demoTraffic: boolean;
  alarmEmail: string | undefined;
  /** Name of an existing Secrets Manager secret holding OPENAI_API_KEY (plain string). */
  openAiSecretName: string | undefined;
  openAiBaseUrl: string | undefined;
  openAiModel: string | undefined;
}

/** CloudWatch Logs accepts only these retention periods (days). */
export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

/** Values `npm run infra:synth` uses when none are given, so the template can be read offline. */
export const EXAMPLE_CONTEXT = {
  domainName: 'logs.example.com',
  hostedZoneId: 'Z0123456789EXAMPLE',
  hostedZoneName: 'example.com',
} as const;

const hostname = z
  .string()
  .regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i, 'must be a DNS name such as logs.example.com');
const instanceType = z.string().regex(/^[a-z][a-z0-9-]*\.[a-z0-9]+$/, 'must be an instance type such as t3.medium');
const cidr = z
  .string()
  .regex(/^(\d{1,3}\.){3}\d{1,3}\/\d{1,2}$|^[0-9a-f:]+\/\d{1,3}$/i, 'must be CIDRs such as 203.0.113.0/24');
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const bool = z
  .union([z.boolean(), z.enum(['true', 'false'])])
  .transform((v) => v === true || v === 'true');
const list = z.union([z.array(z.string()), z.string()]).transform((v) =>
  (Array.isArray(v) ? v : v.split(',')).map((s) => s.trim()).filter(Boolean),
);

const contextSchema = z.object({
  domainName: hostname,
  ingestDomainName: hostname.optional(),
  hostedZoneId: z.string().regex(/^Z[A-Z0-9]{1,31}$/, 'must be a Route 53 hosted zone id such as Z0123456789ABC'),
  hostedZoneName: hostname.optional(),
  database: z.enum(['rds', 'server']).default('rds'),
  server1InstanceType: instanceType.default('t3.small'),
  server2InstanceType: instanceType.default('t3.medium'),
  dbInstanceType: instanceType.default('t4g.small'),
  dbMultiAz: bool.default(true),
  dbBackupRetentionDays: int(1, 35).default(7),
  dbAllocatedStorageGb: int(20, 65536).default(50),
  server2DiskGb: int(20, 16384).optional(),
  adminCidrs: list.pipe(z.array(cidr).min(1)).default(['0.0.0.0/0']),
  natGateways: int(1, 2).default(1),
  logRetentionDays: z.coerce
    .number()
    .refine((d) => (LOG_RETENTION_DAYS as readonly number[]).includes(d), `must be one of ${LOG_RETENTION_DAYS.join(', ')}`)
    .default(30),
  retentionDays: z.coerce.number().positive().default(30),
  timeZone: z.string().min(1).default('UTC'),
  demoTraffic: bool.default(true),
  alarmEmail: z.email().optional(),
  openAiSecretName: z.string().min(1).optional(),
  openAiBaseUrl: z.url().optional(),
  openAiModel: z.string().min(1).optional(),
});

export const CONTEXT_KEYS = Object.keys(contextSchema.shape) as (keyof LogpulseSettings)[];

/** Reads and validates the settings; `lookup` returns a context value (undefined when unset). */
export function readSettings(lookup: (key: string) => unknown): LogpulseSettings {
  const raw = Object.fromEntries(
    CONTEXT_KEYS.map((k) => [k, lookup(k)]).filter(([, v]) => v !== undefined && v !== ''),
  );
  const parsed = contextSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `  -c ${i.path.join('.')}: ${i.message}`).join('\n');
    throw new Error(
      `Invalid or missing logpulse context:\n${problems}\n` +
        'Required: -c domainName=logs.example.com -c hostedZoneId=Z... (see infra/README.md).',
    );
  }
  const c = parsed.data;
  const settings: LogpulseSettings = {
    ...c,
    ingestDomainName: c.ingestDomainName ?? `ingest.${c.domainName}`,
    hostedZoneName: c.hostedZoneName ?? c.domainName.split('.').slice(1).join('.'),
    server2DiskGb: c.server2DiskGb ?? (c.database === 'server' ? 100 : 30),
    alarmEmail: c.alarmEmail,
    openAiSecretName: c.openAiSecretName,
    openAiBaseUrl: c.openAiBaseUrl,
    openAiModel: c.openAiModel,
  };
  const zone = settings.hostedZoneName.toLowerCase();
  for (const name of [settings.domainName, settings.ingestDomainName]) {
    if (!zone.includes('.') || !name.toLowerCase().endsWith(`.${zone}`)) {
      throw new Error(`Invalid logpulse context: ${name} is not inside the hosted zone "${zone}" (set -c hostedZoneName=...)`);
    }
  }
  return settings;
}
