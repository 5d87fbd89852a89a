import { createHash, timingSafeEqual } from 'node:crypto';

/** A token bound to one service: its batches are stored under that service and no other. */
export interface ServiceToken {
  service: string;
  token: string;
}

/** Who presented an accepted ingest token: `service` is set when the token is bound to one. */
export interface IngestCredential {
  service: string | undefined;
}

export const SERVICE_NAME = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}$/;

/**
 * Parses `INGEST_TOKENS=svcA:tokenA,svcB:tokenB`. Service names may contain colons, so the LAST
 * colon separates service from token (tokens are random strings without colons). Errors name
 * the entry by position, never echo the token.
 */
export function parseServiceTokens(entries: readonly string[]): ServiceToken[] {
  return entries.map((entry, index) => {
    const colon = entry.lastIndexOf(':');
    const service = colon > 0 ? entry.slice(0, colon).trim() : '';
    const token = colon > 0 ? entry.slice(colon + 1).trim() : '';
    if (!service || !token) throw new Error(`INGEST_TOKENS entry ${index + 1}: expected service:token`);
    if (!SERVICE_NAME.test(service))
      throw new Error(`INGEST_TOKENS entry ${index + 1}: service must be 1-64 characters of letters, digits and ._:/-`);
    return { service, token };
  });
}

const digestOf = (value: string) => createHash('sha256').update(value).digest();

/**
 * Finds the credential a bearer token stands for, comparing it with every configured token in
 * constant time (hashing first equalises lengths; no early exit), so timing reveals neither
 * whether nor which token matched. Unbound tokens (INGEST_TOKEN) may ingest for any service.
 */
export function matchIngestCredential(
  presented: string | undefined,
  unbound: readonly string[],
  bound: readonly ServiceToken[],
): IngestCredential | undefined {
  if (!presented) return undefined;
  const given = digestOf(presented);
  let anyUnbound = false;
  let service: string | undefined;
  for (const token of unbound) anyUnbound = timingSafeEqual(given, digestOf(token)) || anyUnbound;
  for (const entry of bound) {
    if (timingSafeEqual(given, digestOf(entry.token))) service ??= entry.service;
  }
  // The same token configured both ways is the bound (narrower) credential.
  if (service !== undefined) return { service };
  return anyUnbound ? { service: undefined } : undefined;
}
