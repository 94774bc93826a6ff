/** A problem the person running the seed can fix (bad options, database not migrated or not empty). */
export class SeedError extends Error {
  override name = 'SeedError';
}
