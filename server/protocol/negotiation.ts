// Content negotiation, once for every way a response leaves the server: which media type a GraphQL
// response is sent as, which coding compresses it, and whether /metrics answers JSON. All of it is
// `negotiator` (RFC 9110 §12.5), so yoga's path, the cache-hit stage and the other routes cannot
// disagree. Clients send a handful of distinct headers, and a hit is answered in microseconds, so
// answers are memoized per header value.
import Negotiator from 'negotiator';

export type ContentCoding = 'br' | 'gzip';
export type GraphQLResponseType = 'application/json' | 'application/graphql-response+json';

const MEMO_MAX = 256;

function memoized<T>(decide: (header: string | undefined) => T): (header: string | undefined) => T {
  const answers = new Map<string | undefined, T>();
  return (header) => {
    const known = answers.get(header);
    if (known !== undefined || answers.has(header)) return known as T;
    const answer = decide(header);
    if (answers.size >= MEMO_MAX) answers.clear();
    answers.set(header, answer);
    return answer;
  };
}

// Offered with their charset: an Accept range with parameters only matches a type that has them,
// and a client asking for `application/json; charset=utf-8` must get it. Only UTF-8 is ever sent.
// JSON first: a client that takes anything (`*/*`, no header) gets plain application/json, as yoga does.
const RESPONSE_TYPES = ['application/json;charset=utf-8', 'application/graphql-response+json;charset=utf-8'];

/**
 * The media type of a single (non-streamed) GraphQL response for this Accept header; null when the
 * client accepts neither JSON type (yoga then decides: event stream, multipart, or 406).
 */
export const responseMediaType = memoized((accept): GraphQLResponseType | null => {
  const [best] = new Negotiator({ headers: { accept: accept ?? '*/*' } }).mediaTypes(RESPONSE_TYPES);
  return best ? (best.slice(0, best.indexOf(';')) as GraphQLResponseType) : null;
});

/** The Content-Type header of a response sent as `type`. */
export function contentTypeOf(type: GraphQLResponseType): string {
  return `${type}; charset=utf-8`;
}

// Server preference among codings the client ranks equally: br is smaller at a similar CPU cost, and
// compression is preferred to identity (negotiator ranks an unnamed identity with the least wanted
// coding named, so a client that names codings gets one unless it prefers identity outright).
const CODINGS = ['br', 'gzip', 'identity'];
// negotiator 1.x takes that order as `preferred`; @types/negotiator (0.6) predates the option.
type Encodings = (this: Negotiator, available: string[], options: { preferred: string[] }) => string[];
const encodings = Negotiator.prototype.encodings as unknown as Encodings;

/**
 * The coding to answer with, or null to send the body as it is (identity): the header is absent or
 * empty, the client accepts neither br nor gzip, or it prefers identity (`identity;q=1, gzip;q=0.5`).
 */
export const contentCoding = memoized((acceptEncoding): ContentCoding | null => {
  if (!acceptEncoding?.trim()) return null;
  // RFC 9110 §8.4.1.3: x-gzip is gzip.
  const header = acceptEncoding.replace(/\bx-gzip\b/gi, 'gzip');
  const [best] = encodings.call(new Negotiator({ headers: { 'accept-encoding': header } }), CODINGS, { preferred: CODINGS });
  return best === 'br' || best === 'gzip' ? best : null;
});

/**
 * A browser opening /graphql: text/html ranked above both GraphQL response types (browsers navigate with
 * `text/html,…,*\/*;q=0.8`), so it gets a page (GraphiQL, or the page saying it is off) rather than
 * JSON. Clients that take anything (`*\/*`, no header) or rank a JSON type first keep getting JSON; on
 * a tie the order of the client's own list decides.
 */
export const prefersHtml = memoized((accept): boolean => {
  if (!accept) return false;
  const [best] = new Negotiator({ headers: { accept } }).mediaTypes([...RESPONSE_TYPES, 'text/html']);
  return best === 'text/html';
});

/**
 * JSON only when the client ranks application/json above text/plain. Scrapers (Prometheus sends
 * `application/openmetrics-text;q=0.5,text/plain;q=0.4,*\/*;q=0.1`) and curl (`*\/*`) keep the text;
 * on a tie the more specific range wins (`application/json, *\/*`), then text.
 */
export const prefersJson = memoized((accept): boolean => {
  if (!accept) return false;
  const [best] = new Negotiator({ headers: { accept } }).mediaTypes(['text/plain', 'application/json']);
  return best === 'application/json';
});

/** Whether a client takes an event stream (`text/event-stream`, or a range covering it such as `*\/*`): how subscriptions are sent. */
export const acceptsEventStream = memoized((accept): boolean => {
  return new Negotiator({ headers: { accept: accept ?? '*/*' } }).mediaTypes(['text/event-stream']).length > 0;
});
