import type { StoredLog } from '../domain/log-record.ts';
import { builder } from './builder.ts';

/**
 * One stored access-log record, whether read from the table or published live, so the dashboard
 * uses one fragment for both. Paths, user agents and IPs are untrusted client data.
 */
export const LogRef = builder.objectRef<StoredLog>('Log').implement({
  description: 'One access-log record as stored. Strings such as path and userAgent are untrusted data from clients.',
  fields: (t) => ({
    id: t.exposeString('id', { description: 'Unique, increasing id of the stored record.' }),
    timestamp: t.expose('timestamp', { type: 'DateTime', description: 'When the request happened (the record’s own timestamp).' }),
    service: t.exposeString('service', { description: 'Service that served the request.' }),
    method: t.exposeString('method', { description: 'HTTP method, upper case.' }),
    path: t.exposeString('path', { description: 'Request path as logged (may include a query string).' }),
    route: t.exposeString('route', { description: 'Templated route (e.g. /api/users/:id); "/:other" past the per-service route cap.' }),
    status: t.exposeInt('status', { description: 'HTTP status code.' }),
    latencyMs: t.exposeFloat('latencyMs', { description: 'Response time in milliseconds.' }),
    userAgent: t.exposeString('userAgent', { nullable: true, description: 'User-Agent header.' }),
    ipAddress: t.exposeString('ipAddress', { nullable: true, description: 'Client IP address.' }),
    requestId: t.exposeString('requestId', { nullable: true, description: 'Request id, when the service logged one.' }),
    bytes: t.exposeInt('bytes', { nullable: true, description: 'Response size in bytes, when logged.' }),
    extra: t.expose('extra', {
      type: 'JSON',
      nullable: true,
      description: 'Keys of the record that logpulse does not model, kept as sent.',
    }),
    ingestedAt: t.expose('ingestedAt', { type: 'DateTime', description: 'When the gateway stored the record.' }),
  }),
});

export const LogFilterInput = builder.inputType('LogFilter', {
  description: 'Selects log records; the same filter serves recentLogs and the live logStream.',
  fields: (t) => ({
    service: t.string({ required: false, description: 'Exact service name.' }),
    route: t.string({ required: false, description: 'Exact templated route, e.g. /api/users/:id.' }),
    method: t.string({ required: false, description: 'HTTP method (case-insensitive).' }),
    status: t.int({ required: false, description: 'Exact status code.' }),
    statusClass: t.int({ required: false, description: 'Status class: 2, 3, 4 or 5 (e.g. 5 = any 5xx).' }),
    pathContains: t.string({ required: false, description: 'Case-insensitive substring of the raw path.' }),
    minLatencyMs: t.float({ required: false, description: 'Only records at least this slow (ms).' }),
    from: t.field({ type: 'DateTime', required: false, description: 'Only records at or after this time.' }),
    to: t.field({ type: 'DateTime', required: false, description: 'Only records before this time.' }),
  }),
});
