// GET /metrics: Prometheus text for scrapers, or prom-client's JSON for the web client's performance
// panel (it computes percentiles and hit rates from the same histograms), chosen by Accept.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';

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

interface Match {
  q: number;
  /** 2: type/subtype, 1: type/*, 0: *\/* */
  specificity: number;
}

/**
 * JSON only when the client ranks application/json above text/plain. Scrapers (Prometheus sends
 * `application/openmetrics-text;q=0.5,text/plain;q=0.4,*\/*;q=0.1`) and curl (`*\/*`) keep the text; on a
 * tie, JSON wins only when named outright against a wildcard (`application/json, *\/*`).
 */
export function prefersJson(accept: string | undefined): boolean {
  if (!accept) return false;
  const json = bestMatch(accept, 'application', 'json');
  if (!json || json.q === 0) return false;
  const text = bestMatch(accept, 'text', 'plain') ?? { q: 0, specificity: -1 };
  return json.q > text.q || (json.q === text.q && json.specificity > text.specificity);
}

// RFC 9110 §12.5.1: the most specific range that matches a type decides its weight.
function bestMatch(accept: string, type: string, subtype: string): Match | null {
  let best: Match | null = null;
  for (const element of accept.split(',')) {
    const [range = '', ...params] = element.split(';');
    const [t = '', s = ''] = range.trim().toLowerCase().split('/');
    const specificity = t === type && s === subtype ? 2 : t === type && s === '*' ? 1 : t === '*' && s === '*' ? 0 : -1;
    if (specificity < 0 || (best && best.specificity >= specificity)) continue;
    let q = 1;
    for (const param of params) {
      const [key = '', value = ''] = param.split('=');
      if (key.trim().toLowerCase() === 'q') q = Number(value.trim());
    }
    best = { q: Number.isFinite(q) ? Math.min(Math.max(q, 0), 1) : 0, specificity };
  }
  return best;
}
