// GET /ready, what a load balancer asks: 503 when the database is unreachable. A degraded cache is
// not a reason to take the instance out of rotation: it answers from the database. Nor are read
// replicas out of service: the primary serves their reads; the body says how many are in service.
import type { ServerResponse } from 'node:http';
import type { ResponseStore } from '../cache/response-store.ts';
import type { Database } from '../platform/database.ts';
import { onPrimary } from '../platform/replicas/read-floor.ts';
import { sendJson } from '../protocol/send-json.ts';

/** "2/2 in service", "0/1 in service (reads on the primary)"; nothing without replicas. */
function replicaSummary(database: Database): { replicas?: string } {
  if (!database.replicas) return {};
  const all = database.replicas.replicas;
  const up = all.filter((replica) => replica.inService).length;
  return { replicas: `${up}/${all.length} in service${up === 0 ? ' (reads on the primary)' : ''}` };
}

export function createReadiness(database: Database, store: ResponseStore | null) {
  return async function ready(res: ServerResponse): Promise<void> {
    const [databaseOk, cacheOk] = await Promise.all([
      // The primary's answer, not a replica's (awaited inside: a Prisma query runs where it is awaited).
      onPrimary(async () => await database.prisma.$queryRaw`SELECT 1`).then(
        () => true,
        () => false,
      ),
      store?.redis ? store.redis.ping() : Promise.resolve(true),
    ]);
    const cache = !store ? 'off' : !store.redis ? 'memory' : cacheOk && store.usable ? 'ok' : 'degraded';
    const replicas = replicaSummary(database);
    if (!databaseOk) return sendJson(res, 503, { status: 'unavailable', database: 'unreachable', cache, ...replicas });
    return sendJson(res, 200, { status: 'ready', database: 'ok', cache, ...replicas });
  };
}
