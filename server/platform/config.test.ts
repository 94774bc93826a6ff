// The configuration of the web client, and the default manifest that makes the shipped client work
// in require mode without any setting.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CLIENT_MANIFEST, ConfigError, loadConfig } from './config.ts';

let cwd: string;
beforeEach(() => {
  cwd = mkdtempSync(path.join(tmpdir(), 'deskgraph-config-'));
});
afterEach(() => rmSync(cwd, { recursive: true, force: true }));

describe('WEB_CLIENT', () => {
  it('serves client/dist under the working directory by default', () => {
    expect(loadConfig({}, cwd).web).toEqual({ mode: 'dist', dir: path.join(cwd, 'client', 'dist') });
  });

  it('takes vite or off, and a directory resolved to an absolute path', () => {
    expect(loadConfig({ WEB_CLIENT: 'vite' }, cwd).web.mode).toBe('vite');
    expect(loadConfig({ WEB_CLIENT: 'off', WEB_CLIENT_DIR: 'build/web' }, cwd).web).toEqual({
      mode: 'off',
      dir: path.join(cwd, 'build', 'web'),
    });
  });

  it('names the variable when the value is wrong', () => {
    expect(() => loadConfig({ WEB_CLIENT: 'static' }, cwd)).toThrow(ConfigError);
    expect(() => loadConfig({ WEB_CLIENT: 'static' }, cwd)).toThrow(/WEB_CLIENT must be dist, vite or off/);
  });
});

describe('PERSISTED_OPERATIONS_MANIFEST', () => {
  it("defaults to the web client's manifest when it exists, so require mode works out of the box", () => {
    expect(() => loadConfig({ NODE_ENV: 'production' }, cwd)).toThrow(/needs PERSISTED_OPERATIONS_MANIFEST/);
    expect(loadConfig({}, cwd).persisted.manifest).toBeNull();

    const shipped = path.join(cwd, CLIENT_MANIFEST);
    mkdirSync(path.dirname(shipped), { recursive: true });
    writeFileSync(shipped, '{}');
    expect(loadConfig({ NODE_ENV: 'production' }, cwd).persisted).toMatchObject({ mode: 'require', manifest: shipped });
    expect(loadConfig({}, cwd).persisted).toMatchObject({ mode: 'allow', manifest: shipped });
    expect(loadConfig({ PERSISTED_OPERATIONS: 'off' }, cwd).persisted.manifest).toBeNull();
    expect(loadConfig({ PERSISTED_OPERATIONS_MANIFEST: 'other.json' }, cwd).persisted.manifest).toBe(path.join(cwd, 'other.json'));
  });
});

describe('DATABASE_REPLICA_URLS', () => {
  const primary = { DATABASE_URL: 'postgresql://db/primary' };

  it('takes a comma-separated list of replicas of DATABASE_URL, with their lag limit and poll interval', () => {
    expect(loadConfig({ ...primary, DATABASE_REPLICA_URLS: ' postgresql://r1/db , postgres://r2/db ,' }, cwd).database).toMatchObject({
      kind: 'postgres',
      replicas: { urls: ['postgresql://r1/db', 'postgres://r2/db'], maxLagMs: 5000, pollMs: 50 },
    });
    const tuned = {
      ...primary,
      DATABASE_REPLICA_URLS: 'postgresql://r1/db',
      DATABASE_REPLICA_MAX_LAG_MS: '800',
      DATABASE_REPLICA_POLL_MS: '20',
    };
    expect(loadConfig(tuned, cwd).database).toMatchObject({ replicas: { maxLagMs: 800, pollMs: 20 } });
    expect(loadConfig(primary, cwd).database).not.toHaveProperty('replicas');
  });

  it('names the variable, and the entry, when a value is wrong', () => {
    expect(() => loadConfig({ ...primary, DATABASE_REPLICA_URLS: 'postgresql://r1/db,mysql://user:secret@r2/db' }, cwd)).toThrow(
      /DATABASE_REPLICA_URLS entry 2 must be a postgresql:\/\/ URL, got mysql:…/,
    );
    expect(() => loadConfig({ ...primary, DATABASE_REPLICA_URLS: 'mysql://user:secret@r2/db' }, cwd)).not.toThrow(/secret/);
    expect(() => loadConfig({ ...primary, DATABASE_REPLICA_MAX_LAG_MS: 'soon' }, cwd)).toThrow(
      /DATABASE_REPLICA_MAX_LAG_MS must be a whole number/,
    );
    expect(() => loadConfig({ ...primary, DATABASE_REPLICA_MAX_LAG_MS: '0' }, cwd)).toThrow(
      /DATABASE_REPLICA_MAX_LAG_MS must be at least 1/,
    );
    expect(() => loadConfig({ ...primary, DATABASE_REPLICA_POLL_MS: '5' }, cwd)).toThrow(/DATABASE_REPLICA_POLL_MS must be at least 10/);
  });

  it('needs DATABASE_URL: the embedded database has no replicas', () => {
    expect(() => loadConfig({ DATABASE_REPLICA_URLS: 'postgresql://r1/db' }, cwd)).toThrow(/DATABASE_REPLICA_URLS needs DATABASE_URL/);
  });
});

describe('DATABASE_PREPARED_STATEMENTS', () => {
  const primary = { DATABASE_URL: 'postgresql://db/primary' };

  it('is on by default, off with false, and names itself when the value is wrong', () => {
    expect(loadConfig(primary, cwd).database).toMatchObject({ preparedStatements: true });
    expect(loadConfig({ ...primary, DATABASE_PREPARED_STATEMENTS: 'false' }, cwd).database).toMatchObject({ preparedStatements: false });
    expect(() => loadConfig({ ...primary, DATABASE_PREPARED_STATEMENTS: 'maybe' }, cwd)).toThrow(/DATABASE_PREPARED_STATEMENTS/);
  });
});
