-- The audit wall: ledger entries are insert-only, and each tenant's head row can only
-- move forward onto an entry that exists. Entries cannot be edited or removed through
-- SQL without dropping these triggers first (which `verifyLedger` then still detects).
CREATE TRIGGER ledger_entries_no_update BEFORE UPDATE ON ledger_entries
BEGIN
  SELECT RAISE(ABORT, 'ledger entries are append-only: UPDATE is not allowed');
END;
--> statement-breakpoint
CREATE TRIGGER ledger_entries_no_delete BEFORE DELETE ON ledger_entries
BEGIN
  SELECT RAISE(ABORT, 'ledger entries are append-only: DELETE is not allowed');
END;
--> statement-breakpoint
CREATE TRIGGER ledger_entries_next_seq BEFORE INSERT ON ledger_entries
WHEN NEW.seq <> COALESCE((SELECT MAX(seq) FROM ledger_entries WHERE tenant = NEW.tenant), 0) + 1
BEGIN
  SELECT RAISE(ABORT, 'ledger entries are appended in seq order without gaps');
END;
--> statement-breakpoint
CREATE TRIGGER ledger_heads_no_delete BEFORE DELETE ON ledger_heads
BEGIN
  SELECT RAISE(ABORT, 'ledger heads cannot be deleted');
END;
--> statement-breakpoint
CREATE TRIGGER ledger_heads_insert_onto_entry BEFORE INSERT ON ledger_heads
WHEN NOT EXISTS (
  SELECT 1 FROM ledger_entries WHERE tenant = NEW.tenant AND seq = NEW.size AND hash = NEW.hash
)
BEGIN
  SELECT RAISE(ABORT, 'a ledger head must name an existing entry');
END;
--> statement-breakpoint
CREATE TRIGGER ledger_heads_only_advance BEFORE UPDATE ON ledger_heads
WHEN NEW.tenant <> OLD.tenant
  OR NEW.size <= OLD.size
  OR NOT EXISTS (
    SELECT 1 FROM ledger_entries WHERE tenant = NEW.tenant AND seq = NEW.size AND hash = NEW.hash
  )
BEGIN
  SELECT RAISE(ABORT, 'a ledger head only advances onto an existing entry');
END;
