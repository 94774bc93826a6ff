// Where Redis is, read once from the environment: a single Redis (REDIS_URL) or a Redis Cluster
// (REDIS_CLUSTER_NODES, or a redis+cluster:// URL), and refusals that name the variable and the fix.
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../platform/config.ts';

const redisOf = (env: Record<string, string>) => loadConfig(env, process.cwd()).cache.redis;

describe('REDIS_URL and REDIS_CLUSTER_NODES', () => {
  it('keeps a redis:// or rediss:// URL as one Redis, and no Redis without either', () => {
    expect(redisOf({})).toBeNull();
    expect(redisOf({ REDIS_URL: 'redis://:secret@cache:6380/2' })).toEqual({ kind: 'single', url: 'redis://:secret@cache:6380/2' });
    expect(redisOf({ REDIS_URL: 'rediss://cache:6380' })).toEqual({ kind: 'single', url: 'rediss://cache:6380' });
  });

  it('reads a cluster from REDIS_CLUSTER_NODES or a redis+cluster:// URL (rediss+cluster: TLS, with credentials)', () => {
    expect(redisOf({ REDIS_CLUSTER_NODES: '10.0.0.1:7000, 10.0.0.2:7001' })).toEqual({
      kind: 'cluster',
      nodes: [
        { host: '10.0.0.1', port: 7000 },
        { host: '10.0.0.2', port: 7001 },
      ],
      tls: false,
    });
    expect(redisOf({ REDIS_URL: 'rediss+cluster://app:p%40ss@a.example:7000,b.example:7000' })).toEqual({
      kind: 'cluster',
      nodes: [
        { host: 'a.example', port: 7000 },
        { host: 'b.example', port: 7000 },
      ],
      tls: true,
      username: 'app',
      password: 'p@ss',
    });
  });

  it('names the variable, and never shows a password, when a value is wrong', () => {
    expect(() => redisOf({ REDIS_CLUSTER_NODES: '10.0.0.1:7000,10.0.0.2' })).toThrow(
      /REDIS_CLUSTER_NODES must be comma-separated host:port pairs, got "10.0.0.2"/,
    );
    expect(() => redisOf({ REDIS_URL: 'memcached://u:secret@host' })).toThrow(
      /REDIS_URL must be a redis:\/\/, rediss:\/\/, redis\+cluster:\/\//,
    );
    expect(() => redisOf({ REDIS_URL: 'redis+cluster://u:secret@host' })).toThrow(/REDIS_URL must list the cluster's nodes/);
    expect(() => redisOf({ REDIS_URL: 'redis+cluster://u:secret@host' })).not.toThrow(/secret/);
    expect(() => redisOf({ REDIS_URL: 'redis://a:6379', REDIS_CLUSTER_NODES: 'b:7000' })).toThrow(ConfigError);
    expect(() => redisOf({ REDIS_URL: 'redis://a:6379', REDIS_CLUSTER_NODES: 'b:7000' })).toThrow(/not both/);
  });
});
