import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * The gateway's structured logger. Credentials are redacted by path so that a request or
 * config object logged by mistake still never prints a token or key.
 */
export function createLogger(options: { level?: string; name?: string } = {}): Logger {
  return pino({
    name: options.name ?? 'gateway',
    level: options.level ?? process.env.LOG_LEVEL ?? 'info',
    redact: {
      paths: [
        'req.headers.authorization',
        'headers.authorization',
        'authorization',
        'token',
        '*.token',
        'apiKey',
        '*.apiKey',
        'ingestTokens',
        '*.ingestTokens',
        'dashboardToken',
        '*.dashboardToken',
        'connectionParams',
        'serviceIngestTokens',
        '*.serviceIngestTokens',
      ],
      censor: '[redacted]',
    },
  });
}
