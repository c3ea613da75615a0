import pg from 'pg';
import type { MessagingLogger } from '../message.ts';

type Wake = () => void;

const firstReconnectDelayMs = 500;
const maxReconnectDelayMs = 30_000;

/**
 * One dedicated connection that LISTENs on the channels of the topics this process consumes and
 * wakes their consumers when the broker signals a publish. It is only an accelerator: consumers
 * poll anyway, so while it is reconnecting (with backoff, after the server dropped it) nothing
 * is lost, only delayed. After a reconnect it wakes everyone, for what it may have missed.
 */
export class NotificationListener {
  readonly #connectionString: string;
  readonly #logger: MessagingLogger | undefined;
  readonly #wakers = new Map<string, Set<Wake>>();
  #client: pg.Client | undefined;
  #connecting: Promise<void> | undefined;
  #reconnectTimer: NodeJS.Timeout | undefined;
  #reconnectDelayMs = firstReconnectDelayMs;
  #closed = false;

  constructor(connectionString: string, logger?: MessagingLogger) {
    this.#connectionString = connectionString;
    this.#logger = logger;
  }

  /** Calls `wake` on every notification of `channel` until the returned function is called. */
  async listen(channel: string, wake: Wake): Promise<() => Promise<void>> {
    const wakers = this.#wakers.get(channel) ?? new Set<Wake>();
    const first = wakers.size === 0;
    wakers.add(wake);
    this.#wakers.set(channel, wakers);

    await this.#ensureConnected();
    if (first) await this.#client?.query(`LISTEN ${pg.escapeIdentifier(channel)}`);

    return () => this.#unlisten(channel, wake);
  }

  /** UNLISTENs everything and closes the connection; no reconnect after this. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#reconnectTimer);
    const client = this.#client;
    this.#client = undefined;

    await client?.query('UNLISTEN *').catch(() => {});
    await client?.end().catch(() => {});
  }

  async #unlisten(channel: string, wake: Wake): Promise<void> {
    const wakers = this.#wakers.get(channel);
    wakers?.delete(wake);

    if (wakers?.size === 0) {
      this.#wakers.delete(channel);
      await this.#client?.query(`UNLISTEN ${pg.escapeIdentifier(channel)}`).catch(() => {});
    }
  }

  #ensureConnected(): Promise<void> {
    if (this.#client !== undefined) return Promise.resolve();

    this.#connecting ??= this.#connect().finally(() => {
      this.#connecting = undefined;
    });
    return this.#connecting;
  }

  async #connect(): Promise<void> {
    const client = new pg.Client({
      connectionString: this.#connectionString,
      application_name: 'footfall-messaging-listener',
    });
    client.on('notification', (message) => this.#wakeChannel(message.channel));
    client.on('error', (error) => this.#lost(client, error));
    client.on('end', () => this.#lost(client, undefined));

    await client.connect();
    if (this.#closed) {
      await client.end();
      return;
    }

    for (const channel of this.#wakers.keys()) {
      await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
    }

    this.#client = client;
    this.#reconnectDelayMs = firstReconnectDelayMs;
  }

  #wakeChannel(channel: string): void {
    for (const wake of this.#wakers.get(channel) ?? []) wake();
  }

  #lost(client: pg.Client, error: Error | undefined): void {
    if (this.#client !== client || this.#closed) return;

    this.#client = undefined;
    client.end().catch(() => {});
    this.#logger?.warn({ err: error }, 'messaging listener connection lost; reconnecting');
    this.#scheduleReconnect();
  }

  #scheduleReconnect(): void {
    if (this.#closed || this.#wakers.size === 0) return;

    const delay = this.#reconnectDelayMs;
    this.#reconnectDelayMs = Math.min(delay * 2, maxReconnectDelayMs);
    this.#reconnectTimer = setTimeout(() => this.#reconnect(), delay);
    this.#reconnectTimer.unref();
  }

  async #reconnect(): Promise<void> {
    try {
      await this.#ensureConnected();
      for (const channel of this.#wakers.keys()) this.#wakeChannel(channel);
    } catch (error) {
      this.#logger?.warn({ err: error }, 'messaging listener reconnect failed');
      this.#scheduleReconnect();
    }
  }
}
