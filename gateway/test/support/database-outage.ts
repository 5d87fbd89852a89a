// A gateway whose PostgreSQL sits behind a TCP proxy that a test cuts and restores, like a network
// outage between them: the real gateway, the real database, only the wire in between is ours.
import { CuttableProxy } from '@logpulse/testkit/tcp-proxy';
import { waitFor } from '@logpulse/testkit/wait-for';
import { createTestStorage, type TestStorage } from './databases.ts';
import { startTestGateway, type TestGateway } from './gateway.ts';

export interface GatewayWithOutage {
  gateway: TestGateway;
  /** The scratch database behind the proxy (its URL reaches it directly, not through the proxy). */
  storage: TestStorage;
  /** Breaks every connection through the proxy and refuses new ones. */
  cut(): Promise<void>;
  /** Lets connections through again and waits until the gateway says it is ready. */
  restore(): Promise<void>;
  close(): Promise<void>;
}

/** Starts the gateway with its database reachable (`cut: false`) or already cut off (`cut: true`). */
export async function startGatewayWithOutage(options: { cut: boolean; env?: Record<string, string> }): Promise<GatewayWithOutage> {
  const storage = await createTestStorage('postgres');
  const proxy = new CuttableProxy({ host: '127.0.0.1', port: 5432 });
  await proxy.open();
  if (options.cut) await proxy.cut();
  const viaProxy = new URL(storage.databaseUrl!);
  viaProxy.port = String(proxy.port);
  const gateway = await startTestGateway('postgres', { storage: { ...storage, databaseUrl: viaProxy.toString() }, keepStorage: true, env: options.env });
  return {
    gateway,
    storage,
    cut: () => proxy.cut(),
    async restore() {
      await proxy.open();
      await waitFor('readiness after PostgreSQL is back', async () => (await fetch(`${gateway.url}/readyz`)).status === 200, 30_000);
    },
    async close() {
      await gateway.close();
      await proxy.cut();
      await storage.drop();
    },
  };
}
