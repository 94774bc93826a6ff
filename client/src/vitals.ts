// Core Web Vitals of real sessions, sent to the server (POST /vitals → deskgraph_web_vitals_* in
// /metrics). Loaded after the first render; web-vitals reads buffered entries, so nothing is missed.
import { onCLS, onFCP, onINP, onLCP, onTTFB, type Metric } from 'web-vitals';

interface Entry {
  name: Metric['name'];
  value: number;
  rating: Metric['rating'];
  route: string;
}

/** The route pattern (never the ticket ID: it would make every ticket its own series). */
function routeOf(pathname: string): string {
  if (/^\/tickets\/[^/]+/.test(pathname)) return '/tickets/:id';
  return ['/', '/sign-in', '/dashboard', '/tickets', '/performance'].includes(pathname) ? pathname : 'other';
}

export function reportWebVitals(): void {
  const route = routeOf(location.pathname); // where the page was loaded
  const queue: Entry[] = [];
  const flush = () => {
    if (!queue.length) return;
    const body = JSON.stringify(queue.splice(0, 20));
    if (!navigator.sendBeacon?.('/vitals', body)) {
      void fetch('/vitals', { method: 'POST', body, keepalive: true, headers: { 'content-type': 'application/json' } }).catch(
        () => undefined,
      );
    }
  };
  const record = (metric: Metric) => queue.push({ name: metric.name, value: metric.value, rating: metric.rating, route });
  onLCP(record);
  onINP(record);
  onCLS(record);
  onFCP(record);
  onTTFB(record);
  addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'hidden') flush();
  });
  addEventListener('pagehide', flush);
}
