// The one place that reads the environment. It is read once at start, validated, and passed down;
// a bad value stops the server with a message that names the variable and the fix. Each room owns
// its variables, defaults and Config fields (its *-config.ts); this file composes them and checks
// what no single room can.
import { z } from 'zod';
import { cacheConfig, cacheEnv, cacheProblem, type CacheConfig } from '../cache/cache-config.ts';
import { limitsConfig, limitsEnv, type LimitsConfig } from '../document-limits/limits-config.ts';
import { graphqlConfig, graphqlEnv, type GraphqlConfig } from '../graphql/graphql-config.ts';
import { httpConfig, httpEnv, type HttpConfig } from '../http/http-config.ts';
import { liveConfig, liveEnv, type LiveConfig } from '../live/live-config.ts';
import { persistedConfig, persistedEnv, persistedProblem, type PersistedConfig } from '../persisted/persisted-config.ts';
import { authConfig, authEnv, type AuthConfig } from '../rate-limits/auth-config.ts';
import { webConfig, webEnv, type WebConfig } from '../web/web-config.ts';
import { platformConfig, platformEnv, platformProblem, type PlatformConfig } from './platform-config.ts';

export { CLIENT_MANIFEST } from '../persisted/persisted-config.ts';

export interface Config extends HttpConfig, PlatformConfig, GraphqlConfig {
  /** What a document may ask for: tokens, depth, cost, aliases, repeats, directives, introspection (README: "Limits"). */
  limits: LimitsConfig;
  cache: CacheConfig;
  persisted: PersistedConfig;
  web: WebConfig;
  auth: AuthConfig;
  /** Subscriptions over SSE, driven by the cache's invalidations (README: "Live updates"). */
  live: LiveConfig;
}

const envSchema = z.object({
  ...httpEnv.shape,
  ...platformEnv.shape,
  ...graphqlEnv.shape,
  ...limitsEnv.shape,
  ...cacheEnv.shape,
  ...persistedEnv.shape,
  ...webEnv.shape,
  ...authEnv.shape,
  ...liveEnv.shape,
});

type Env = z.output<typeof envSchema>;

/** Every variable the server reads: tools that start servers clear these so nothing leaks in from their own environment. */
export const CONFIG_VARIABLES: readonly string[] = Object.keys(envSchema.shape);

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const invalid = (problems: string[]) => new ConfigError(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);

/** Reads and validates the environment; throws ConfigError listing every problem found. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) throw invalid(parsed.error.issues.map((issue) => issue.message));
  const e = parsed.data;
  const limits = limitsConfig(e, e.NODE_ENV);
  const config: Config = {
    ...httpConfig(e),
    ...platformConfig(e, cwd),
    ...graphqlConfig(e, limits.introspection),
    limits,
    cache: cacheConfig(e, e.NODE_ENV),
    persisted: persistedConfig(e, e.NODE_ENV, cwd),
    web: webConfig(e, cwd),
    auth: authConfig(e),
    live: liveConfig(e),
  };
  const problem = persistedProblem(config.persisted) ?? graphiqlProblem(e, limits) ?? platformProblem(e) ?? cacheProblem(e);
  if (problem) throw invalid([problem]);
  return config;
}

// GraphiQL cannot work without introspection, so it follows introspection unless set (graphqlConfig),
// and asking for GraphiQL on with introspection off is an error rather than a GraphiQL that fails.
function graphiqlProblem(e: Env, limits: LimitsConfig): string | null {
  if (!e.GRAPHIQL || limits.introspection !== 'off') return null;
  return `GRAPHIQL=true needs introspection: set INTROSPECTION=on (it is off${e.INTROSPECTION ? '' : ' by default in production'}), or GRAPHIQL=false.`;
}
