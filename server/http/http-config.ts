// Where the server listens, how large a request it reads, and how it stops: how long it stays in service
// after the signal, and how long it waits for requests in flight.
import { z } from 'zod';
import { int } from '../platform/env-schema.ts';

export interface HttpConfig {
  /** 0 takes a free port (tests). */
  port: number;
  host: string;
  /** Request bodies above this get HTTP 413 before anything parses them. */
  maxRequestBytes: number;
  /** On SIGTERM/SIGINT: how long requests in flight may take to finish before they are cut off. */
  shutdownTimeoutMs: number;
  /**
   * On SIGTERM only (Ctrl-C skips it), before that drain: how long /ready answers 503 while requests are
   * still served, so a load balancer takes the instance out before it stops accepting (0: drain at once).
   */
  shutdownDelayMs: number;
}

export const httpEnv = z.object({
  PORT: int('PORT', 0, 65535).default(4000),
  HOST: z.string().min(1).default('localhost'),
  MAX_REQUEST_KB: int('MAX_REQUEST_KB', 1, 100 * 1024).default(1024),
  SHUTDOWN_TIMEOUT_MS: int('SHUTDOWN_TIMEOUT_MS', 0, 600_000).default(10_000),
  SHUTDOWN_DELAY_MS: int('SHUTDOWN_DELAY_MS', 0, 600_000).default(0),
});

export function httpConfig(e: z.output<typeof httpEnv>): HttpConfig {
  return {
    port: e.PORT,
    host: e.HOST,
    maxRequestBytes: e.MAX_REQUEST_KB * 1024,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    shutdownDelayMs: e.SHUTDOWN_DELAY_MS,
  };
}
