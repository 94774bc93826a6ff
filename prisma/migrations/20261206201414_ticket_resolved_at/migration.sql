-- AlterTable
ALTER TABLE "Ticket" ADD COLUMN     "resolvedAt" TIMESTAMP(3);

-- CreateIndex
CREATE INDEX "Ticket_organizationId_resolvedAt_idx" ON "Ticket"("organizationId", "resolvedAt");

-- Backfill: a ticket resolved or closed before this migration was last touched when it was closed
-- (closing is a write, and nothing else writes to a closed ticket but reopening it).
UPDATE "Ticket" SET "resolvedAt" = "updatedAt" WHERE "status" IN ('RESOLVED', 'CLOSED');

-- resolvedAt follows status in the database, so every writer keeps it: updateTicket, the single
-- statement of bulkUpdateTickets, imports and SQL by hand. Entering RESOLVED or CLOSED stamps it with
-- the update's own updatedAt (what Prisma's @updatedAt just set), or the clock when a writer left
-- updatedAt alone; moving between RESOLVED and CLOSED keeps the first stamp; any other status clears
-- it. An insert keeps a resolvedAt it is given (the seed's) and otherwise takes its updatedAt.
CREATE FUNCTION "Ticket_keep_resolvedAt"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW."status" NOT IN ('RESOLVED', 'CLOSED') THEN
    NEW."resolvedAt" := NULL;
  ELSIF TG_OP = 'INSERT' THEN
    NEW."resolvedAt" := COALESCE(NEW."resolvedAt", NEW."updatedAt");
  ELSIF OLD."status" NOT IN ('RESOLVED', 'CLOSED') THEN
    NEW."resolvedAt" := CASE
      WHEN NEW."updatedAt" IS DISTINCT FROM OLD."updatedAt" THEN NEW."updatedAt"
      ELSE (now() AT TIME ZONE 'UTC')::timestamp(3)
    END;
  END IF;
  RETURN NEW;
END
$$;

CREATE TRIGGER "Ticket_resolvedAt" BEFORE INSERT OR UPDATE OF "status" ON "Ticket"
  FOR EACH ROW EXECUTE FUNCTION "Ticket_keep_resolvedAt"();
