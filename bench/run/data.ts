// One seeded template per scale (the main scale is one of them when listed). The main scale first; in
// the fast preset the other scales are seeded while the servers start (the seed is one Node thread and
// PostgreSQL: the second core is mostly free for starting servers), in the full one each scale alone,
// so that its seeding time is clean.
import { createSeededDatabase, type BenchDatabases } from '../lib/database.ts';
import { fmt, log } from '../lib/util.ts';
import type { RunContext } from './model.ts';

export interface SeededData {
  /** The main scale's template: scenarios 1–5 read a copy of it, as does every fresh mix scenario. */
  main: BenchDatabases;
  /** Every scale's template, some perhaps still being seeded. */
  byScale: Map<number, Promise<BenchDatabases>>;
}

export async function seedScales(ctx: RunContext, databaseUrl: string): Promise<SeededData> {
  const { settings, cleanup, findings } = ctx;
  const scales = [...new Set([settings.mainScale, ...settings.scales])];
  const seedOne = async (scale: number, overlapped: boolean) => {
    const t = performance.now();
    const db = await createSeededDatabase(databaseUrl, scale, cleanup);
    findings.seeding.push({ scale, seconds: (performance.now() - t) / 1000, counts: { ...db.seed.counts }, parallel: overlapped });
    return db;
  };
  const others = scales.slice(1).join(', ');
  log(
    `seeding scale ${settings.mainScale}${scales.length > 1 ? (settings.parallelSeed ? `, then ${others} while the servers start` : `, then ${others}`) : ''}`,
  );
  const main = await seedOne(settings.mainScale, false);
  const byScale = new Map<number, Promise<BenchDatabases>>([[settings.mainScale, Promise.resolve(main)]]);
  for (const scale of scales.slice(1)) {
    const task = settings.parallelSeed ? seedOne(scale, true) : Promise.resolve(await seedOne(scale, false));
    task.catch(() => {}); // awaited by awaitSeeds; a failure must not become an unhandled rejection meanwhile
    byScale.set(scale, task);
  }
  return { main, byScale };
}

/** Waits for the seeds that ran beside the servers' start; a failed seed stops the run here. */
export async function awaitSeeds(ctx: RunContext, data: SeededData): Promise<void> {
  const { seeding } = ctx.findings;
  for (const task of data.byScale.values()) await task;
  seeding.sort((a, b) => a.scale - b.scale);
  log(
    `seeding took ${seeding.map((x) => `${fmt(x.seconds, 1)} s for scale ${x.scale}${x.parallel ? ' (while servers started)' : ''}`).join(', ')}`,
  );
}
