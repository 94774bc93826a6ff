// What the mix's load generator records per operation, and how it decides a response failed: kept apart
// from the mix itself because the plain autocannon runs (lib/load.ts) sum the same records.

export type OpKind = 'read' | 'write';

interface OpStats {
  kind: OpKind;
  responses: number;
  non2xx: number;
  graphqlErrors: number;
  /** The first few error bodies, to show what went wrong. */
  samples: string[];
}

export type Stats = Record<string, OpStats>;

/**
 * Checks one response: non-2xx, or a GraphQL `errors` array (looked for as text first, parsed only when
 * it may be there, so the load generator stays cheap).
 */
export function recordResponse(stats: Stats, op: string, kind: OpKind, status: number, body: string): void {
  const s = (stats[op] ??= { kind, responses: 0, non2xx: 0, graphqlErrors: 0, samples: [] });
  s.responses += 1;
  let bad = false;
  if (status < 200 || status >= 300) {
    s.non2xx += 1;
    bad = true;
  }
  if (body.includes('"errors"')) {
    try {
      const parsed = JSON.parse(body) as { errors?: unknown[] };
      if (Array.isArray(parsed.errors) && parsed.errors.length > 0) {
        s.graphqlErrors += 1;
        bad = true;
      }
    } catch {
      s.graphqlErrors += 1;
      bad = true;
    }
  } else if (!body.startsWith('{"data":{')) {
    // Every answer of this mix has data; anything else is a failure too.
    s.graphqlErrors += 1;
    bad = true;
  }
  if (bad && s.samples.length < 3) s.samples.push(`HTTP ${status}: ${body.slice(0, 300)}`);
}

export function sumStats(stats: Stats): { responses: number; non2xx: number; graphqlErrors: number; reads: number; writes: number } {
  let responses = 0;
  let non2xx = 0;
  let graphqlErrors = 0;
  let reads = 0;
  let writes = 0;
  for (const s of Object.values(stats)) {
    responses += s.responses;
    non2xx += s.non2xx;
    graphqlErrors += s.graphqlErrors;
    if (s.kind === 'read') reads += s.responses;
    else writes += s.responses;
  }
  return { responses, non2xx, graphqlErrors, reads, writes };
}
