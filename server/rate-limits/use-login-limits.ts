// Gives the login resolver what it needs to limit attempts: per (email, client address) and per client
// address, counted before the account is looked up, so a limited attempt costs no SQL and no scrypt.
import type { IncomingMessage } from 'node:http';
import type { Plugin } from 'graphql-yoga';
import type { Context, LoginAttempts } from '../../schema/context.ts';
import { clientAddress } from '../protocol/client-address.ts';
import { rateLimitedError } from './rate-limited.ts';
import type { RateLimits } from './rate-limits.ts';
import type { Metrics } from '../platform/metrics.ts';

export function useLoginLimits(limits: RateLimits, trustProxyHops: number, metrics: Metrics): Plugin<Context> {
  return {
    onContextBuilding({ context, extendContext }) {
      let address: string | undefined;
      const addressOf = () => (address ??= clientAddress((context as { req?: IncomingMessage }).req, trustProxyHops));
      const loginAttempts: LoginAttempts = {
        async check(email) {
          const [perEmail, perAddress] = await Promise.all([
            limits.loginPerEmailAndIp?.take(`${email} ${addressOf()}`) ?? null,
            limits.loginPerIp?.take(addressOf()) ?? null,
          ]);
          const wait = Math.max(perEmail ?? 0, perAddress ?? 0);
          if (wait > 0) {
            metrics.rateLimited.inc({ limit: perEmail !== null ? 'login-email-ip' : 'login-ip' });
            throw rateLimitedError(wait);
          }
        },
        async succeeded(email) {
          await limits.loginPerEmailAndIp?.reset(`${email} ${addressOf()}`);
        },
      };
      extendContext({ loginAttempts });
    },
  };
}
