import type { IncomingHttpHeaders } from 'node:http';
import type { Fault } from '../workload/incidents.ts';

export class FaultHeaderError extends Error {}

const headerValue = (headers: IncomingHttpHeaders, name: string): string | undefined => {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
};

/**
 * Faults a caller asks for with X-Fault-Status (400–599) and X-Fault-Delay-Ms (0–60000), in the
 * spirit of Envoy's fault-injection headers. The traffic generator uses them to script incidents
 * on the real server, so their latency and errors are measured, not invented.
 */
export function faultFromHeaders(headers: IncomingHttpHeaders): Fault {
  const fault: Fault = { delayMs: 0 };
  const status = headerValue(headers, 'x-fault-status');
  const delay = headerValue(headers, 'x-fault-delay-ms');
  if (status !== undefined) {
    const code = Number(status);
    if (!Number.isInteger(code) || code < 400 || code > 599) throw new FaultHeaderError('X-Fault-Status must be an HTTP status from 400 to 599');
    fault.status = code;
  }
  if (delay !== undefined) {
    const ms = Number(delay);
    if (!Number.isInteger(ms) || ms < 0 || ms > 60_000) throw new FaultHeaderError('X-Fault-Delay-Ms must be an integer from 0 to 60000');
    fault.delayMs = ms;
  }
  return fault;
}
