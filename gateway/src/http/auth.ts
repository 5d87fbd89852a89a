import { createHash, timingSafeEqual } from 'node:crypto';

const digestOf = (value: string) => createHash('sha256').update(value).digest();

/**
 * Compares a presented bearer token with every configured one in constant time: hashing first
 * makes lengths equal, and every candidate is compared so timing says nothing about which matched.
 */
export function tokenMatches(presented: string | undefined, accepted: readonly string[]): boolean {
  if (!presented) return false;
  const given = digestOf(presented);
  let ok = false;
  for (const token of accepted) ok = timingSafeEqual(given, digestOf(token)) || ok;
  return ok;
}

/** The token of an `Authorization: Bearer <token>` header, if any. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}
