// Whether the shared layer may be used. It goes down on the first failed write or invalidation, a
// dropped connection, or a run of failed reads; it comes back only when both connections work and
// `restore` (delivering what this instance owes Redis) succeeded. See server/CACHE.md, "Never stale".
import type { RedisClient, SubscriberConnection } from '../platform/redis-connection.ts';
import type { Logger } from '../platform/logger.ts';
import type { Metrics } from '../platform/metrics.ts';

/** Reads that fail in a row before the layer is declared down (one slow reply only skips that request). */
const READ_FAILURES_TO_DEGRADE = 3;

export interface RedisHealthOptions {
  timeoutMs: number;
  logger: Logger;
  metrics: Metrics;
  /** Makes Redis right again after an outage; what it returns is logged. */
  restore(): Promise<Record<string, unknown>>;
  /** The layer became unusable or usable again. */
  onChange(healthy: boolean): void;
}

export class RedisHealth {
  private up = false;
  private recovering = false;
  private closed = false;
  private retryTimer: NodeJS.Timeout | null = null;
  private readFailures = 0;
  constructor(
    private readonly cmd: RedisClient,
    private readonly sub: SubscriberConnection,
    private readonly options: RedisHealthOptions,
  ) {
    const connections: Pick<SubscriberConnection, 'on'>[] = [cmd, sub];
    for (const client of connections) {
      client.on('error', (error: Error) => options.logger.debug({ err: error.message }, 'redis connection error'));
      client.on('close', () => this.degrade('connection closed'));
      client.on('ready', () => this.scheduleRecovery(0));
    }
    options.metrics.cacheRedisUp.set(0);
  }

  /** Commands may be sent. */
  get healthy(): boolean {
    return this.up;
  }

  /** Resolves once the layer is usable (or after timeoutMs); for start-up and tests. */
  async whenHealthy(timeoutMs: number): Promise<boolean> {
    const until = Date.now() + timeoutMs;
    while (!this.up && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    return this.up;
  }

  readSucceeded(): void {
    this.readFailures = 0;
  }

  // A failed read loses nothing: that request goes to the database. Only a run of them (Redis is down
  // or overloaded) takes the layer out, so one slow reply does not empty this instance's L1.
  readFailed(command: string, error: unknown): void {
    this.readFailures += 1;
    if (this.readFailures >= READ_FAILURES_TO_DEGRADE || this.cmd.status !== 'ready') this.fail(command, error);
    else this.options.metrics.cacheErrors.inc({ command });
  }

  fail(command: string, error: unknown): void {
    this.options.metrics.cacheErrors.inc({ command });
    this.options.logger.warn({ command, err: errorText(error) }, 'redis cache unavailable; answering from the database');
    this.degrade(`${command} failed`);
    this.scheduleRecovery(250);
  }

  close(): void {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.up = false;
  }

  private degrade(reason: string): void {
    if (!this.up) return;
    this.up = false;
    this.options.metrics.cacheRedisUp.set(0);
    this.options.logger.warn({ reason }, 'redis cache degraded');
    this.options.onChange(false);
  }

  private scheduleRecovery(delayMs: number): void {
    if (this.closed || this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.recover();
    }, delayMs);
    this.retryTimer.unref();
  }

  private async recover(): Promise<void> {
    if (this.closed || this.up || this.recovering) return;
    if (this.cmd.status !== 'ready' || this.sub.status !== 'ready') return; // their 'ready' event calls again
    this.recovering = true;
    try {
      const restored = await this.options.restore();
      this.readFailures = 0;
      this.up = true;
      this.options.metrics.cacheRedisUp.set(1);
      this.options.onChange(true);
      this.options.logger.info(restored, 'redis cache ready');
    } catch (error) {
      this.options.metrics.cacheErrors.inc({ command: 'recover' });
      this.options.logger.debug({ err: errorText(error) }, 'redis cache recovery failed; retrying');
      this.scheduleRecovery(500);
    } finally {
      this.recovering = false;
    }
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
