import { defineConfig } from 'prisma/config';

// The gateway applies prisma/migrations itself at start (see gateway/src/storage/migrate.ts), so
// the CLI is only needed for `prisma generate`; the URL matters for `migrate deploy` on
// machines that have the schema engine.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/logpulse' },
});
