import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

type LagProbe = () => Promise<number | undefined>;

/** The messaging metrics of one process, registered in the service's registry. */
export class MessagingMetrics {
  readonly published: Counter<'topic'>;
  readonly delivered: Counter<'topic' | 'subscription'>;
  readonly acknowledged: Counter<'topic' | 'subscription'>;
  readonly redelivered: Counter<'topic' | 'subscription'>;
  readonly deadLettered: Counter<'topic' | 'subscription' | 'reason'>;
  readonly handlerDuration: Histogram<'topic' | 'subscription' | 'outcome'>;
  readonly #lagProbes = new Map<string, { topic: string; subscription: string; probe: LagProbe }>();

  constructor(registry: Registry) {
    const registers = [registry];
    const both = ['topic', 'subscription'] as const;

    this.published = new Counter({
      name: 'messaging_published_total',
      help: 'Messages accepted by the transport for publishing.',
      labelNames: ['topic'],
      registers,
    });
    this.delivered = new Counter({
      name: 'messaging_delivered_total',
      help: 'Deliveries to a handler, redeliveries included.',
      labelNames: both,
      registers,
    });
    this.acknowledged = new Counter({
      name: 'messaging_acknowledged_total',
      help: 'Messages whose handler succeeded, counted once the acknowledgement was sent.',
      labelNames: both,
      registers,
    });
    this.redelivered = new Counter({
      name: 'messaging_redelivered_total',
      help: 'Deliveries after the first, following a failure or a lost consumer.',
      labelNames: both,
      registers,
    });
    this.deadLettered = new Counter({
      name: 'messaging_dead_lettered_total',
      help: 'Messages given up on and moved to the dead-letter destination, by reason.',
      labelNames: [...both, 'reason'],
      registers,
    });
    this.handlerDuration = new Histogram({
      name: 'messaging_handler_duration_seconds',
      help: 'Time a handler took, by outcome.',
      labelNames: [...both, 'outcome'],
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30],
      registers,
    });

    const probes = this.#lagProbes;
    new Gauge({
      name: 'messaging_consumer_lag_seconds',
      help: 'Age of the oldest message not yet acknowledged on a subscription.',
      labelNames: both,
      registers,
      async collect() {
        this.reset();
        for (const { topic, subscription, probe } of probes.values()) {
          const lag = await probe().catch(() => undefined);
          if (lag !== undefined) this.set({ topic, subscription }, lag);
        }
      },
    });
  }

  /** Lets a transport report the lag of a subscription it consumes, measured when scraped. */
  trackLag(topic: string, subscription: string, probe: LagProbe): () => void {
    const key = `${topic}\u0000${subscription}`;
    this.#lagProbes.set(key, { topic, subscription, probe });
    return () => this.#lagProbes.delete(key);
  }
}
