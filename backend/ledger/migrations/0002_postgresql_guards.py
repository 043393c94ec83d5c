"""On PostgreSQL the database itself keeps the books straight: a deferred constraint
trigger refuses, at commit, a transaction whose entries do not sum to zero in a currency,
and a trigger refuses any UPDATE or DELETE of an entry. SQLite has no deferred triggers;
there ``ledger.services.post`` checks the balance before it writes."""

from django.db import migrations

GUARDS = """
CREATE OR REPLACE FUNCTION ledger_check_balanced() RETURNS trigger AS $$
BEGIN
  IF EXISTS (
    SELECT 1 FROM ledger_entry WHERE transaction_id = NEW.transaction_id
    GROUP BY currency HAVING SUM(amount) <> 0
  ) THEN
    RAISE EXCEPTION 'ledger transaction % does not balance', NEW.transaction_id
      USING ERRCODE = '23514';
  END IF;
  RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE CONSTRAINT TRIGGER ledger_entry_balanced
  AFTER INSERT ON ledger_entry DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION ledger_check_balanced();

CREATE OR REPLACE FUNCTION ledger_entry_immutable() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'ledger entries are never changed or deleted: post a correction'
    USING ERRCODE = '23514';
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER ledger_entry_immutable
  BEFORE UPDATE OR DELETE ON ledger_entry
  FOR EACH ROW EXECUTE FUNCTION ledger_entry_immutable();
"""

REMOVE = """
DROP TRIGGER IF EXISTS ledger_entry_immutable ON ledger_entry;
DROP FUNCTION IF EXISTS ledger_entry_immutable();
DROP TRIGGER IF EXISTS ledger_entry_balanced ON ledger_entry;
DROP FUNCTION IF EXISTS ledger_check_balanced();
"""


def _on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)  # no placeholders: the % is plpgsql

    return run


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]

    operations = [migrations.RunPython(_on_postgresql(GUARDS), _on_postgresql(REMOVE))]
