// The start log's line: what really runs, read from the configuration the server was built from, so an
// operator sees at once whether GraphiQL is served, which cache layers and database are in use, and
// which documents may run. Never a password: URLs are reduced to host, port and database name.
import path from 'node:path';
import type { Config } from './config.ts';

export interface StartupSummary {
  graphiql: string;
  web: string;
  database: string;
  cache: string;
  redis: string;
  persisted: string;
}

export function startupSummary(config: Config, url: string): StartupSummary {
  return {
    graphiql: config.graphiql ? `on at ${url}` : 'off',
    web: { dist: `built client at ${new URL('/', url)}`, vite: `Vite with HMR at ${new URL('/', url)}`, off: 'off' }[config.web.mode],
    database: databaseOf(config.database),
    cache: cacheOf(config),
    redis: redisOf(config.cache.redis),
    persisted: persistedOf(config.persisted),
  };
}

/** "deskgraph (production) listening on URL; GraphiQL: off; web client: …; database: …; cache: …; Redis: …; persisted operations: …" */
export function startupLine(config: Config, url: string, summary = startupSummary(config, url)): string {
  return (
    `deskgraph (${config.nodeEnv}) listening on ${url}; GraphiQL: ${summary.graphiql}; web client: ${summary.web}; ` +
    `database: ${summary.database}; cache: ${summary.cache}; Redis: ${summary.redis}; persisted operations: ${summary.persisted}`
  );
}

function databaseOf(database: Config['database']): string {
  if (database.kind === 'embedded') return database.dataDir ? `embedded PGlite in ${database.dataDir}` : 'embedded PGlite in memory';
  const parsed = new URL(database.url);
  const replicas = database.replicas
    ? `, reads on replicas ${database.replicas.urls.map((url) => hostOf(url, 5432)).join(', ')} when fresh enough`
    : '';
  return `PostgreSQL ${hostOf(database.url, 5432)}${parsed.pathname || '/'} (pool of ${database.poolSize}${replicas})`;
}

function cacheOf(config: Config): string {
  if (!config.cache.enabled) return 'off';
  const layers = [
    config.cache.l1MaxEntries > 0 ? 'memory L1' : null,
    config.cache.redis ? `Redis L2 (${redisOf(config.cache.redis)})` : null,
  ].filter(Boolean);
  return layers.length ? layers.join(' + ') : 'no layers (L1 has 0 entries and there is no REDIS_URL)';
}

function redisOf(redis: Config['cache']['redis']): string {
  if (!redis) return 'none';
  if (redis.kind === 'single') return hostOf(redis.url, 6379);
  return `cluster of ${redis.nodes.map((node) => `${node.host}:${node.port}`).join(',')}${redis.tls ? ' (TLS)' : ''}`;
}

function persistedOf(persisted: Config['persisted']): string {
  const manifest = !persisted.manifest
    ? 'no manifest'
    : /^https?:\/\//.test(persisted.manifest)
      ? `manifest ${hostOf(persisted.manifest, 443)}`
      : `manifest ${path.relative(process.cwd(), persisted.manifest) || persisted.manifest}`;
  const apq = persisted.apq && persisted.mode === 'allow' ? ', APQ on' : '';
  return `${persisted.mode} (${manifest}${apq})`;
}

/** host:port of a URL, never its user or password. */
function hostOf(url: string, defaultPort: number): string {
  const { hostname, port } = new URL(url);
  return `${hostname}:${port || defaultPort}`;
}
