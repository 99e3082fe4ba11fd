-- After generating: each account's balance from its postings, and a checkpoint at the head, so that ledger/verify proves what
-- the load adds on top of the generated history (the full verification job, which proves all of it, is timed on its own).
-- The head and the checkpoint are sealed as LedgerSeal seals them, with the bench nodes' key (psql variable seal_key). Only a
-- bench may do it this way: the key travels in SQL text, which a server may log.
\set ON_ERROR_STOP on
CREATE EXTENSION IF NOT EXISTS pgcrypto;
CREATE FUNCTION pg_temp.ledger_seal(statement text, key text) RETURNS text LANGUAGE sql AS $$
  SELECT left(encode(sha256(convert_to(key, 'UTF8')), 'hex'), 8) || '.' || encode(hmac(convert_to(statement, 'UTF8'), convert_to(key, 'UTF8'), 'sha256'), 'hex')
$$;
UPDATE ledger_head SET seal = pg_temp.ledger_seal('head|' || sequence || '|' || last_hash, :'seal_key');
CREATE TEMP TABLE bench_sums AS SELECT account_id, sum(amount) AS posted FROM postings GROUP BY account_id;
UPDATE accounts a SET balance = CASE a.normal_side WHEN 'debit' THEN s.posted ELSE -s.posted END, updated_at = now()
  FROM bench_sums s WHERE s.account_id = a.id;
SELECT gen_random_uuid() AS checkpoint \gset
INSERT INTO ledger_checkpoints (id, sequence, hash, totals_hash, base_sequence, full_proof, created_at)
  SELECT :'checkpoint', sequence, last_hash, '', 0, false, now() FROM ledger_head;
INSERT INTO ledger_checkpoint_accounts (checkpoint_id, account_id, posted) SELECT :'checkpoint', account_id, posted FROM bench_sums;
INSERT INTO ledger_checkpoint_currencies (checkpoint_id, currency, debits, credits)
  SELECT :'checkpoint', currency, sum(CASE WHEN amount > 0 THEN amount ELSE 0 END), sum(CASE WHEN amount < 0 THEN -amount ELSE 0 END)
  FROM postings GROUP BY currency;
-- The totals' hash, as LedgerCheckpoints.TotalsHash makes it.
UPDATE ledger_checkpoints c SET totals_hash = encode(sha256(convert_to(c.sequence || '|' || c.hash || '|'
    || coalesce((SELECT string_agg(replace(account_id::text, '-', '') || ':' || posted || ';', '' ORDER BY account_id)
                 FROM ledger_checkpoint_accounts WHERE checkpoint_id = c.id), '') || '|'
    || coalesce((SELECT string_agg(currency || ':' || debits || ':' || credits || ';', '' ORDER BY currency COLLATE "C")
                 FROM ledger_checkpoint_currencies WHERE checkpoint_id = c.id), ''), 'UTF8')), 'hex')
  WHERE c.id = :'checkpoint';
UPDATE ledger_checkpoints SET seal = pg_temp.ledger_seal('checkpoint|' || replace(id::text, '-', '') || '|' || sequence || '|' || hash || '|' || totals_hash || '|0', :'seal_key')
  WHERE id = :'checkpoint';
DROP TABLE bench_wallets;
DROP PROCEDURE bench_generate;
VACUUM ANALYZE;
-- What generating and vacuuming left dirty is written now, not by the backends of the load measured next (the fresh
-- database it is compared with has no such backlog).
CHECKPOINT;
