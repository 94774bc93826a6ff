-- CreateTable
CREATE TABLE "TicketCount" (
    "organizationId" INTEGER NOT NULL,
    "status" "TicketStatus" NOT NULL,
    "priority" "TicketPriority" NOT NULL,
    "assigneeId" INTEGER NOT NULL,
    "count" INTEGER NOT NULL,

    CONSTRAINT "TicketCount_pkey" PRIMARY KEY ("organizationId","status","priority","assigneeId")
);

-- TicketCount follows "Ticket" in the database, so every writer keeps it exact: the API's mutations, the
-- seed's bulk inserts, user and organization deletions (their cascades to "Ticket" fire these triggers too)
-- and SQL by hand. The triggers are per statement, over its transition tables: a bulk insert of 5,000
-- tickets is one grouped upsert, not 5,000. Each statement's net changes go out as ONE upsert whose rows are
-- sorted by key, so two transactions lock the counter rows they share in the same order and cannot deadlock
-- over them (they still wait for each other: a counter row stays locked until its writer commits). An update
-- that moves no ticket between keys (a title, updatedAt) writes nothing. Unassigned tickets count under
-- "assigneeId" 0.
CREATE FUNCTION "Ticket_count_changes"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO "TicketCount" AS c ("organizationId", "status", "priority", "assigneeId", "count")
    SELECT "organizationId", "status", "priority", COALESCE("assigneeId", 0), count(*)::int
    FROM new_rows GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
    ON CONFLICT ("organizationId", "status", "priority", "assigneeId") DO UPDATE SET "count" = c."count" + EXCLUDED."count";
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO "TicketCount" AS c ("organizationId", "status", "priority", "assigneeId", "count")
    SELECT "organizationId", "status", "priority", COALESCE("assigneeId", 0), -count(*)::int
    FROM old_rows GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
    ON CONFLICT ("organizationId", "status", "priority", "assigneeId") DO UPDATE SET "count" = c."count" + EXCLUDED."count";
  ELSE
    INSERT INTO "TicketCount" AS c ("organizationId", "status", "priority", "assigneeId", "count")
    SELECT "organizationId", "status", "priority", "assigneeId", sum("n")::int
    FROM (
      SELECT "organizationId", "status", "priority", COALESCE("assigneeId", 0) AS "assigneeId", 1 AS "n" FROM new_rows
      UNION ALL
      SELECT "organizationId", "status", "priority", COALESCE("assigneeId", 0), -1 FROM old_rows
    ) moved
    GROUP BY 1, 2, 3, 4 HAVING sum("n") <> 0 ORDER BY 1, 2, 3, 4
    ON CONFLICT ("organizationId", "status", "priority", "assigneeId") DO UPDATE SET "count" = c."count" + EXCLUDED."count";
  END IF;
  RETURN NULL;
END
$$;

-- PostgreSQL allows transition tables on single-event triggers only: one trigger per event.
CREATE TRIGGER "Ticket_counts_insert" AFTER INSERT ON "Ticket" REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "Ticket_count_changes"();
CREATE TRIGGER "Ticket_counts_update" AFTER UPDATE ON "Ticket" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "Ticket_count_changes"();
CREATE TRIGGER "Ticket_counts_delete" AFTER DELETE ON "Ticket" REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "Ticket_count_changes"();

-- TRUNCATE fires no delete trigger (the seed's reset truncates "Ticket", by CASCADE from "Organization").
CREATE FUNCTION "Ticket_count_truncate"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM "TicketCount";
  RETURN NULL;
END
$$;
CREATE TRIGGER "Ticket_counts_truncate" AFTER TRUNCATE ON "Ticket" FOR EACH STATEMENT EXECUTE FUNCTION "Ticket_count_truncate"();

-- Backfill, after the triggers: a migration is one transaction and CREATE TRIGGER locks "Ticket" against
-- writes until it commits, so no ticket is counted twice or missed.
INSERT INTO "TicketCount" ("organizationId", "status", "priority", "assigneeId", "count")
SELECT "organizationId", "status", "priority", COALESCE("assigneeId", 0), count(*)::int FROM "Ticket" GROUP BY 1, 2, 3, 4;
