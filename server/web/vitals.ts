// POST /vitals: Core Web Vitals from browsers (navigator.sendBeacon), recorded as histograms by route
// and rating. Anyone can post here, so everything that becomes a label is bounded: the name and rating
// are enums and the route is one of the client's routes or `other`.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { WEB_VITALS, type Metrics } from '../platform/metrics.ts';
import { readBody } from '../http/request-body.ts';
import { sendError } from '../protocol/send-json.ts';

/** A beacon carries a handful of entries; anything bigger is not from our client. */
const VITALS_MAX_BYTES = 8 * 1024;
const VITALS_MAX_ENTRIES = 20;

/** The client's routes (client/src routes), as labels; `/tickets/:id` also matches a concrete ticket path. */
const VITAL_ROUTES = ['/', '/sign-in', '/dashboard', '/tickets', '/tickets/:id', '/performance'] as const;

const entry = z.object(
  {
    name: z.enum(WEB_VITALS, { error: () => `name must be one of ${WEB_VITALS.join(', ')}` }),
    // zod's number() refuses NaN and ±Infinity (JSON cannot carry NaN; 1e999 parses as Infinity).
    value: z.number({ error: () => 'value must be a finite number' }).min(0, 'value must be 0 or more'),
    rating: z.enum(['good', 'needs-improvement', 'poor'], { error: () => 'rating must be good, needs-improvement or poor' }),
    route: z.string({ error: () => 'route must be a string' }),
  },
  { error: () => 'each entry must be an object { name, value, rating, route }' },
);

const report = z
  .array(entry, { error: () => 'the body must be a JSON array of { name, value, rating, route }' })
  .min(1, 'the report must hold at least one entry')
  .max(VITALS_MAX_ENTRIES, `the report must hold at most ${VITALS_MAX_ENTRIES} entries`);

type VitalsReport = z.infer<typeof report>;

function routeLabel(route: string): (typeof VITAL_ROUTES)[number] | 'other' {
  let path = route.replace(/[?#].*$/s, '');
  if (path.length > 1 && path.endsWith('/')) path = path.slice(0, -1);
  if ((VITAL_ROUTES as readonly string[]).includes(path)) return path as (typeof VITAL_ROUTES)[number];
  if (/^\/tickets\/[^/]+$/.test(path)) return '/tickets/:id';
  return 'other';
}

/** Parses and validates a report; returns the entries or a message naming what is wrong. */
function parseVitals(raw: Buffer): { ok: true; entries: VitalsReport } | { ok: false; message: string } {
  let json: unknown;
  try {
    json = JSON.parse(raw.toString('utf8'));
  } catch {
    return { ok: false, message: 'Invalid Web Vitals report: the body is not valid JSON.' };
  }
  const parsed = report.safeParse(json);
  if (parsed.success) return { ok: true, entries: parsed.data };
  const problems = parsed.error.issues
    .slice(0, 5)
    .map((issue) => (typeof issue.path[0] === 'number' ? `entry ${issue.path[0]}: ${issue.message}` : issue.message));
  return { ok: false, message: `Invalid Web Vitals report: ${problems.join('; ')}.` };
}

export async function handleVitals(req: IncomingMessage, res: ServerResponse, metrics: Metrics): Promise<void> {
  if (req.method !== 'POST') {
    return sendError(res, 405, 'Web Vitals are reported with POST /vitals.', 'METHOD_NOT_ALLOWED', { allow: 'POST' });
  }
  // sendBeacon posts a string as text/plain;charset=UTF-8 (no preflight) and a Blob with its own type:
  // the body is read as JSON whatever the content type says.
  const body = await readBody(req, VITALS_MAX_BYTES);
  if (body.kind === 'too-large') {
    return sendError(res, 413, `A Web Vitals report is at most ${VITALS_MAX_BYTES} bytes.`, 'PAYLOAD_TOO_LARGE');
  }
  const parsed = parseVitals(body.kind === 'read' ? body.raw : Buffer.alloc(0));
  if (!parsed.ok) return sendError(res, 400, parsed.message, 'BAD_USER_INPUT');
  for (const { name, value, rating, route } of parsed.entries) {
    // Timings arrive in milliseconds; Prometheus convention is seconds. CLS has no unit.
    metrics.webVitals[name].observe({ route: routeLabel(route), rating }, name === 'CLS' ? value : value / 1000);
  }
  res.writeHead(204, { 'cache-control': 'no-store' }).end();
}
