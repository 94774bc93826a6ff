// Which client a request comes from, for looking its persisted documents up: the `graphql-client-name`
// and `graphql-client-version` headers (the names WunderGraph Cosmo's router reads; Apollo Client's
// ClientAwarenessLink and Apollo Router use `apollographql-client-name`/`-version`, read as well). A
// request without a name is the shipped web client's, so it can only run the web client's documents.

/** The shipped web client: its documents are its manifest (codegen's persisted-documents.json), never the registry's. */
export const WEB_CLIENT = 'deskgraph-web';

export const CLIENT_NAME_HEADER = 'graphql-client-name';
const CLIENT_VERSION_HEADER = 'graphql-client-version';
const APOLLO_NAME_HEADER = 'apollographql-client-name';
const APOLLO_VERSION_HEADER = 'apollographql-client-version';

// Names are keys in the registry and appear in error messages and logs: short and plain, so a header
// can neither bloat a message nor smuggle anything into it.
const NAME = /^[A-Za-z0-9][A-Za-z0-9._@/-]{0,99}$/;
const VERSION = /^[A-Za-z0-9._+-]{1,50}$/;

export const CLIENT_NAME_RULE = '1-100 letters, digits, ".", "_", "-", "@" or "/", starting with a letter or digit';

export interface ClientIdentity {
  /** WEB_CLIENT when the request named none. */
  name: string;
  /** Shown in error messages only: documents are registered per name, whatever the version. */
  version: string | null;
  /** Whether the request named a client (else it is taken for the web client). */
  named: boolean;
}

/** Why a name cannot be a client's, or null. */
export function clientNameProblem(name: string): string | null {
  return NAME.test(name) ? null : `"${name.slice(0, 100)}" is not a client name: use ${CLIENT_NAME_RULE}.`;
}

// Most requests name no client (the web client's): one shared answer, nothing allocated on the hit path.
const UNNAMED: ClientIdentity = Object.freeze({ name: WEB_CLIENT, version: null, named: false });

export type HeaderValue = string | string[] | null | undefined;

function first(value: HeaderValue): string | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  return text ? text.trim() || undefined : undefined;
}

/**
 * The client a request names, read with `header` (a Fetch Headers' get, or a node request's header
 * lookup); 'invalid' when the name breaks the rule. An unusual version is left out, not refused.
 */
export function requestClient(header: (name: string) => HeaderValue): ClientIdentity | 'invalid' {
  const name = first(header(CLIENT_NAME_HEADER)) ?? first(header(APOLLO_NAME_HEADER));
  if (!name) return UNNAMED;
  if (!NAME.test(name)) return 'invalid';
  const version = first(header(CLIENT_VERSION_HEADER)) ?? first(header(APOLLO_VERSION_HEADER));
  return { name, version: version && VERSION.test(version) ? version : null, named: true };
}
