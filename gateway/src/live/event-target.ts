import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Logger } from '../logger.ts';
import { eventSerializer } from './event-serializer.ts';

export interface RedisFanOutOptions {
  url: string;
  /** Prepended to every channel so several deployments (or test runs) can share one Redis. */
  channelPrefix: string;
}

/** What travels on a Redis channel: the event plus the replica it came from. */
interface Envelope {
  origin: string;
  detail: unknown;
}

const isEnvelope = (value: unknown): value is Envelope =>
  value !== null && typeof value === 'object' && typeof (value as Envelope).origin === 'string' && 'detail' in value;

/**
 * Fans events out to the other replicas through Redis pub/sub. Every promise is settled here
 * (a Redis outage is logged once, never an unhandled rejection), publishes are dropped rather
 * than queued while Redis is unreachable, and ioredis re-subscribes by itself on reconnect.
 */
class RedisFanOut {
  private readonly origin = randomUUID();
  private readonly publisher: Redis;
  private readonly subscriber: Redis;
  private readonly channels = new Set<string>();
  private outage = false;
  private closing = false;

  constructor(
    private readonly options: RedisFanOutOptions,
    private readonly logger: Logger,
    private readonly deliver: (type: string, detail: unknown) => void,
  ) {
    // A publish is only worth sending now: live views do not want minutes-old records replayed.
    this.publisher = new Redis(options.url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectionName: 'logpulse-live-pub' });
    // Subscriptions wait for the connection instead of failing: they are the replica's way in.
    this.subscriber = new Redis(options.url, { maxRetriesPerRequest: null, connectionName: 'logpulse-live-sub' });
    for (const client of [this.publisher, this.subscriber]) {
      client.on('error', (error: Error) => this.reportOutage(error));
      client.on('ready', () => {
        if (this.outage) logger.info('live fan-out: Redis reachable again');
        this.outage = false;
      });
    }
    this.subscriber.on('message', (channel: string, message: string) => this.receive(channel, message));
  }

  attach(type: string): void {
    const channel = this.options.channelPrefix + type;
    this.channels.add(channel);
    this.subscriber.subscribe(channel).catch((error: Error) => this.reportOutage(error));
  }

  detach(type: string): void {
    const channel = this.options.channelPrefix + type;
    this.channels.delete(channel);
    this.subscriber.unsubscribe(channel).catch((error: Error) => this.reportOutage(error));
  }

  publish(type: string, detail: unknown): void {
    if (this.publisher.status !== 'ready') {
      this.reportOutage(new Error(`Redis connection is ${this.publisher.status}`));
      return;
    }
    const message = eventSerializer.stringify({ origin: this.origin, detail } satisfies Envelope);
    this.publisher.publish(this.options.channelPrefix + type, message).catch((error: Error) => this.reportOutage(error));
  }

  /** Resolves once both connections are up and every attached channel is subscribed. */
  async ready(): Promise<void> {
    await Promise.all([
      this.publisher.status === 'ready' ? undefined : new Promise((resolve) => this.publisher.once('ready', resolve)),
      this.channels.size ? this.subscriber.subscribe(...this.channels) : undefined,
    ]);
  }

  async close(): Promise<void> {
    this.closing = true;
    // QUIT would wait in the offline queue of a client that is not connected: just drop those.
    await Promise.all(
      [this.publisher, this.subscriber].map((client) =>
        client.status === 'ready' ? client.quit().catch(() => client.disconnect()) : client.disconnect(),
      ),
    );
  }

  private receive(channel: string, message: string): void {
    if (!channel.startsWith(this.options.channelPrefix)) return;
    let envelope: unknown;
    try {
      envelope = eventSerializer.parse(message);
    } catch {
      this.logger.warn({ channel }, 'live fan-out: ignored a message that is not JSON');
      return;
    }
    if (!isEnvelope(envelope)) {
      this.logger.warn({ channel }, 'live fan-out: ignored a message without origin/detail');
      return;
    }
    // This replica delivered its own events locally when it published them.
    if (envelope.origin === this.origin) return;
    this.deliver(channel.slice(this.options.channelPrefix.length), envelope.detail);
  }

  private reportOutage(error: Error): void {
    if (this.outage || this.closing) return;
    this.outage = true;
    // The message only, never the URL: it may carry a password.
    this.logger.warn({ err: error.message }, 'live fan-out: Redis unavailable; live events reach only this replica until it is back');
  }
}

/**
 * The event target under the live PubSub. Events are always delivered in-process first (so a
 * replica's own subscribers keep working through a Redis outage); with Redis configured they
 * are also published for the other replicas, and theirs are delivered here. It counts its
 * listeners so tests and stats can prove subscriptions clean up after themselves.
 */
export class LiveEventTarget extends EventTarget {
  private readonly listeners = new Map<string, Set<EventListenerOrEventListenerObject>>();
  private readonly fanOut: RedisFanOut | undefined;

  constructor(options: { redis?: RedisFanOutOptions; logger: Logger }) {
    super();
    this.fanOut = options.redis ? new RedisFanOut(options.redis, options.logger, (type, detail) => this.deliverLocally(type, detail)) : undefined;
  }

  override addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: AddEventListenerOptions | boolean): void {
    super.addEventListener(type, listener, options);
    if (!listener) return;
    let set = this.listeners.get(type);
    if (!set) {
      set = new Set();
      this.listeners.set(type, set);
      this.fanOut?.attach(type);
    }
    set.add(listener);
  }

  override removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: EventListenerOptions | boolean): void {
    super.removeEventListener(type, listener, options);
    const set = this.listeners.get(type);
    if (!listener || !set?.delete(listener) || set.size > 0) return;
    this.listeners.delete(type);
    this.fanOut?.detach(type);
  }

  override dispatchEvent(event: Event): boolean {
    const delivered = super.dispatchEvent(event);
    if (this.fanOut && event instanceof CustomEvent) this.fanOut.publish(event.type, event.detail);
    return delivered;
  }

  /** Listeners currently registered, for one event type or all. */
  listenerCount(type?: string): number {
    if (type !== undefined) return this.listeners.get(type)?.size ?? 0;
    let total = 0;
    for (const set of this.listeners.values()) total += set.size;
    return total;
  }

  /** Resolves when fan-out is connected and subscribed (at once without Redis). */
  ready(): Promise<void> {
    return this.fanOut?.ready() ?? Promise.resolve();
  }

  async close(): Promise<void> {
    await this.fanOut?.close();
  }

  private deliverLocally(type: string, detail: unknown): void {
    super.dispatchEvent(new CustomEvent(type, { detail }));
  }
}
