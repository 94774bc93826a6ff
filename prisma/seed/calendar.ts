// The seeded world's clock. Every date is derived from SEED_EPOCH, never from the real clock, so the
// same scale and seed give the same timestamps whenever they run.

/** The "now" of the seeded world: tickets span the year before it, and no timestamp is after it. */
export const SEED_EPOCH = new Date('2025-06-01T00:00:00.000Z');

export const DAY = 86_400_000;
export const END = SEED_EPOCH.getTime();
export const START = END - 365 * DAY;
