import type { Random } from './random.ts';

/** A simulated client: one address and one user agent, as a real caller would have. */
export interface Client {
  ip: string;
  userAgent: string;
}

const USER_AGENTS: readonly (readonly [string, number])[] = [
  ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36', 30],
  ['Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15', 14],
  ['Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1', 14],
  ['Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36', 10],
  ['Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0', 6],
  ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0', 5],
  ['okhttp/4.12.0', 8],
  ['python-requests/2.32.3', 4],
  ['curl/8.5.0', 3],
  ['Go-http-client/1.1', 3],
  ['Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)', 2],
  ['Grafana k6/0.55.0', 1],
];

// Documentation address ranges (RFC 5737 / RFC 3849): realistic-looking, never anyone's real address.
const IPV4_PREFIXES = ['192.0.2', '198.51.100', '203.0.113'];

/** A seeded population of clients; a few of them make most requests, as in real traffic. */
export function createClients(random: Random, count = 240): Client[] {
  const clients: Client[] = [];
  for (let i = 0; i < count; i += 1) {
    const ip = random.chance(0.1)
      ? `2001:db8:${random.int(1, 0xffff).toString(16)}::${random.int(1, 0xffff).toString(16)}`
      : `${random.pick(IPV4_PREFIXES)}.${random.int(1, 254)}`;
    clients.push({ ip, userAgent: random.weighted(USER_AGENTS) });
  }
  return clients;
}

/** Picks a client with a skew towards the first ones (u² puts ~30% of requests on the first 10%). */
export function pickClient(clients: readonly Client[], random: Random): Client {
  const u = random.next();
  return clients[Math.floor(u * u * clients.length)] as Client;
}
