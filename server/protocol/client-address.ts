// Who the client is, for per-address limits. Behind proxies every request comes from the proxy, so the
// address is read from X-Forwarded-For, counting only the hops we run (TRUST_PROXY_HOPS): entries
// further left were written by the client and could be anything.
import type { IncomingMessage } from 'node:http';

export function clientAddress(req: IncomingMessage | undefined, trustedHops: number): string {
  const socketAddress = req?.socket?.remoteAddress ?? 'unknown';
  if (!req || trustedHops <= 0) return socketAddress;
  const header = req.headers['x-forwarded-for'];
  const text = Array.isArray(header) ? header.join(',') : header;
  if (!text) return socketAddress;
  const hops = text
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  // The nearest proxy appended the address it saw last; with N trusted proxies, the client is N from the right.
  return hops[Math.max(0, hops.length - trustedHops)] ?? socketAddress;
}
