-- The audit wall: ledger entries are insert-only. UPDATE, DELETE and TRUNCATE of
-- ledger_entries raise, whoever runs them (a superuser can still disable the
-- triggers; that is what verifyLedger then detects).
CREATE FUNCTION "govgate_ledger_entries_append_only"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'govgate ledger entries are append-only: % on % is refused', TG_OP, TG_TABLE_NAME
    USING ERRCODE = 'insufficient_privilege';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER "ledger_entries_no_update_delete"
  BEFORE UPDATE OR DELETE ON "ledger_entries"
  FOR EACH ROW EXECUTE FUNCTION "govgate_ledger_entries_append_only"();
--> statement-breakpoint
CREATE TRIGGER "ledger_entries_no_truncate"
  BEFORE TRUNCATE ON "ledger_entries"
  FOR EACH STATEMENT EXECUTE FUNCTION "govgate_ledger_entries_append_only"();
--> statement-breakpoint
-- The insert-only role the service appends with (NOLOGIN: grant it to a login role).
-- Created only when the migrating role may create roles; otherwise an operator runs
-- the same statements by hand (see the package README).
DO $$
BEGIN
  IF EXISTS (
    SELECT 1 FROM pg_roles WHERE rolname = current_user AND (rolsuper OR rolcreaterole)
  ) THEN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'govgate_ledger_writer') THEN
      CREATE ROLE "govgate_ledger_writer" NOLOGIN;
    END IF;
    EXECUTE format('GRANT USAGE ON SCHEMA %I TO "govgate_ledger_writer"', current_schema());
    GRANT SELECT, INSERT ON "ledger_entries" TO "govgate_ledger_writer";
    GRANT SELECT, INSERT, UPDATE ON "ledger_heads" TO "govgate_ledger_writer";
    IF to_regclass('drizzle.__drizzle_migrations') IS NOT NULL THEN
      GRANT USAGE ON SCHEMA "drizzle" TO "govgate_ledger_writer";
      GRANT SELECT ON "drizzle"."__drizzle_migrations" TO "govgate_ledger_writer";
    END IF;
  ELSE
    RAISE NOTICE 'govgate: % may not create roles; create the insert-only ledger role by hand (see the README)', current_user;
  END IF;
END;
$$;
