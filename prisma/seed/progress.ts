// What the seed tells its caller: progress per table while it inserts, the row counts when done.

export type SeedTable = 'organizations' | 'users' | 'tags' | 'tickets' | 'ticketTags' | 'comments';

export interface SeedProgress {
  table: SeedTable;
  /** Rows of this table inserted so far. */
  done: number;
  /** Rows this table will have. */
  total: number;
}

export interface SeedCounts {
  organizations: number;
  users: number;
  apiTokens: number;
  tags: number;
  tickets: number;
  ticketTags: number;
  comments: number;
}
