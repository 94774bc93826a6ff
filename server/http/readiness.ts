// GET /ready, what a load balancer asks: 503 when the database is unreachable. A degraded cache is
// not a reason to take the instance out of rotation: it answers from the database.
import type { ServerResponse } from 'node:http';
import type { ResponseStore } from '../cache/response-store.ts';
import type { Database } from '../platform/database.ts';
import { sendJson } from '../protocol/send-json.ts';

export function createReadiness(database: Database, store: ResponseStore | null) {
  return async function ready(res: ServerResponse): Promise<void> {
    const [databaseOk, cacheOk] = await Promise.all([
      database.prisma.$queryRaw`SELECT 1`.then(
        () => true,
        () => false,
      ),
      store?.redis ? store.redis.ping() : Promise.resolve(true),
    ]);
    const cache = !store ? 'off' : !store.redis ? 'memory' : cacheOk && store.usable ? 'ok' : 'degraded';
    if (!databaseOk) return sendJson(res, 503, { status: 'unavailable', database: 'unreachable', cache });
    return sendJson(res, 200, { status: 'ready', database: 'ok', cache });
  };
}
