// The seeded world's clock. Every date is derived from the calendar's `end` (the "now" the seed is
// given, by default the moment it runs), never read from the clock again, so the same scale, seed and
// `now` give the same timestamps whenever they run. Tickets span the SPAN_DAYS before `end`, so a
// freshly seeded database has tickets from today and yesterday and a full 30-day dashboard.

export const DAY = 86_400_000;

/** How far back tickets go. */
export const SPAN_DAYS = 90;

export interface Calendar {
  /** The seeded world's "now", a whole minute: no timestamp is after it. */
  end: number;
  /** SPAN_DAYS before end: the oldest ticket is created after it; people and organizations before. */
  start: number;
}

export function seedCalendar(now: Date): Calendar {
  const end = Math.floor(now.getTime() / 60_000) * 60_000;
  return { end, start: end - SPAN_DAYS * DAY };
}
