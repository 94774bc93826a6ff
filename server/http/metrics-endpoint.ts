// GET /metrics: Prometheus text for scrapers, or prom-client's JSON for the web client's performance
// panel (it computes percentiles and hit rates from the same histograms), chosen by Accept.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';
import { prefersJson } from '../protocol/negotiation.ts';

export async function serveMetrics(req: IncomingMessage, res: ServerResponse, registry: Registry): Promise<void> {
  // Counters change with every request: no cache may hold a copy.
  if (prefersJson(req.headers.accept)) {
    const body = JSON.stringify(await registry.getMetricsAsJSON());
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', vary: 'Accept' }).end(body);
    return;
  }
  const text = await registry.metrics();
  res.writeHead(200, { 'content-type': registry.contentType, 'cache-control': 'no-store', vary: 'Accept' }).end(text);
}
