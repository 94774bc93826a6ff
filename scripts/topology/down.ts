// `npm run topology -- down [--keep]`: stops every recorded process, front to back (HAProxy, the
// instances, Redis, the replica, the primary), then removes .topology/, or with --keep leaves its data
// and logs for the next `up`.
import { existsSync, rmSync } from 'node:fs';
import { stopHaproxy } from './haproxy.ts';
import { stopInstance } from './instances.ts';
import { stopPostgres } from './postgres.ts';
import { stopRedis } from './redis.ts';
import { readState, saveState } from './state.ts';

type Log = (line: string) => void;

export async function down(dir: string, keep: boolean, log: Log = console.log): Promise<void> {
  const state = readState(dir);
  if (!state) {
    if (existsSync(dir) && !keep) rmSync(dir, { recursive: true, force: true });
    log(`Nothing to stop: no topology recorded in ${dir}.`);
    return;
  }
  const started = performance.now();
  const report = (label: string) => (stopped: boolean) =>
    log(`  ${label}: ${stopped ? `stopped (${((performance.now() - started) / 1000).toFixed(1)} s)` : 'was not running'}`);
  if (state.haproxy) report('HAProxy')(await stopHaproxy(state));
  // The instances stop together: each finishes its requests in flight (up to SHUTDOWN_TIMEOUT_MS).
  await Promise.all(state.instances.map(async (instance) => report(instance.name)(await stopInstance(instance))));
  await Promise.all(state.redis.nodes.map(async (node) => report(`Redis :${node.port}`)(await stopRedis(node))));
  report('PostgreSQL replica')(await stopPostgres(state.postgres.replica));
  report('PostgreSQL primary')(await stopPostgres(state.postgres.primary));
  if (keep) {
    for (const node of [state.postgres.primary, state.postgres.replica, ...state.redis.nodes, ...state.instances]) node.process = null;
    if (state.haproxy) state.haproxy.process = null;
    state.phase = 'kept';
    saveState(state);
    log(`Stopped. Data and logs are kept in ${dir}; \`npm run topology -- up\` starts them again.`);
  } else {
    rmSync(dir, { recursive: true, force: true });
    log(`Stopped, and removed ${dir}.`);
  }
}
