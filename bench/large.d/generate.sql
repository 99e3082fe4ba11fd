-- Generates a journal of :entries entries in SQL, each with its real hash chained to the one before, so that every
-- verification proves it exactly as it proves entries the API wrote. The first :wallets entries fund one wallet each
-- from the bank settlement account; the rest are transfers between wallets, every :customer_step-th one from the
-- customer's wallet (its statement). Written in chunks that commit one by one; ids ascend with the sequence, so every
-- index grows at its end. psql variables: entries, wallets, users, chunk, customer_wallet, customer, customer_step.
\set ON_ERROR_STOP on
SET synchronous_commit = off; -- a bench's own load: losing its last second in a crash costs nothing

INSERT INTO users (id, full_name, email, password_hash, role, created_at, updated_at)
  SELECT gen_random_uuid(), 'Seed ' || i, 'seed' || i || '@bench.test', 'not-a-hash', 'customer', now(), now() FROM generate_series(1, :users) i;
INSERT INTO accounts (id, user_id, kind, currency, normal_side, balance, held, balance_floor, created_at, updated_at)
  SELECT gen_random_uuid(), u.id, 'wallet', 'MXN', 'credit', 0, 0, 0, now(), now()
  FROM generate_series(0, :wallets - 2) i JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM users WHERE email LIKE 'seed%@bench.test') u
    ON u.n = i % :users;
-- Wallet 0 is the customer's.
CREATE TABLE bench_wallets AS
  SELECT :'customer_wallet'::uuid AS id, :'customer'::uuid AS user_id, 0::bigint AS n
  UNION ALL
  SELECT id, user_id, row_number() OVER (ORDER BY id) AS n FROM accounts WHERE kind = 'wallet' AND id <> :'customer_wallet'::uuid AND user_id IN
    (SELECT id FROM users WHERE email LIKE 'seed%@bench.test');
CREATE UNIQUE INDEX ON bench_wallets (n);
ANALYZE bench_wallets;
-- The journal is partitioned by the month entries are recorded in: the generated history needs its two years of months.
SELECT ledger_ensure_month(m::date) FROM generate_series(date_trunc('month', now() - interval '731 days'), now(), interval '1 month') m;

CREATE PROCEDURE bench_generate(total bigint, chunk bigint, wallets bigint, customer_step bigint)
LANGUAGE plpgsql AS $$
DECLARE
  bank uuid := (SELECT id FROM accounts WHERE system_code = 'bank_settlement' AND currency = 'MXN');
  seq bigint := (SELECT sequence FROM ledger_head);
  first_seq bigint := seq;
  prev text := (SELECT last_hash FROM ledger_head);
  origin_time timestamptz := now() - interval '730 days';
  step interval := interval '730 days' / greatest(total, 1);
  done bigint := 0;
  size bigint;
  r record;
  hashes text[];
  prevs text[];
  k int;
BEGIN
  WHILE done < total LOOP
    size := least(chunk, total - done);
    DROP TABLE IF EXISTS bench_chunk;
    CREATE TEMP TABLE bench_chunk AS
      SELECT m.*, replace(m.tx::text, '-', '') AS tx_n, replace(m.entry::text, '-', '') AS entry_n,
             (extract(epoch FROM m.at) * 1000000)::bigint * 10 + 621355968000000000 AS ticks
      FROM (
        SELECT g.i, first_seq + g.i AS sequence,
               (lpad(to_hex(first_seq + g.i), 8, '0') || '-0000-7000-8000-000000000001')::uuid AS tx,
               (lpad(to_hex(first_seq + g.i), 8, '0') || '-0000-7000-8000-000000000002')::uuid AS entry,
               o.id AS origin, d.id AS destination, coalesce(o.user_id, d.user_id) AS initiator,
               CASE WHEN g.i <= wallets THEN 10000000000 ELSE 1 + (g.i * 104729) % 100000 END AS amount,
               origin_time + step * g.i AS at
        FROM generate_series(done + 1, done + size) g(i)
        LEFT JOIN bench_wallets o ON g.i > wallets AND o.n = CASE WHEN g.i % customer_step = 0 THEN 0 ELSE g.i % wallets END
        JOIN bench_wallets d ON d.n = CASE WHEN g.i <= wallets THEN g.i - 1 ELSE (g.i * 7 + 1) % wallets END
      ) m;
    -- A transfer to itself cannot be: move those to the next wallet.
    UPDATE bench_chunk c SET destination = (SELECT id FROM bench_wallets WHERE n = (c.i * 7 + 2) % wallets) WHERE c.origin = c.destination;

    -- The chain, in order: the one step no set operation can do. (The arrays are read back with unnest: subscripting a
    -- million-element text array inside a query walks it from the start every time.)
    hashes := array_fill(NULL::text, ARRAY[size]::int[]);
    prevs := array_fill(NULL::text, ARRAY[size]::int[]);
    k := 0;
    FOR r IN
      SELECT c.sequence, c.entry_n, c.tx_n, c.ticks,
             -- Ordered as EntryHash orders them: by account id, which for uuids is byte order (as Guid.CompareTo), whatever the collation.
             CASE WHEN coalesce(c.origin, bank) < c.destination
                  THEN replace(coalesce(c.origin, bank)::text, '-', '') || ':' || c.amount || ':MXN;' || replace(c.destination::text, '-', '') || ':' || -c.amount || ':MXN;'
                  ELSE replace(c.destination::text, '-', '') || ':' || -c.amount || ':MXN;' || replace(coalesce(c.origin, bank)::text, '-', '') || ':' || c.amount || ':MXN;'
             END AS lines
      FROM bench_chunk c ORDER BY c.i
    LOOP
      k := k + 1;
      prevs[k] := prev;
      prev := encode(sha256(convert_to(r.sequence || '|' || r.entry_n || '|' || r.tx_n || '|' || r.ticks || '|' || r.lines || '|' || prev, 'UTF8')), 'hex');
      hashes[k] := prev;
    END LOOP;

    INSERT INTO transactions (id, type, status, origin_account_id, destination_account_id, amount, currency, description, initiated_by, created_at, updated_at)
      SELECT c.tx, CASE WHEN c.origin IS NULL THEN 'DEPOSIT' ELSE 'TRANSFER' END, 'COMPLETED', c.origin, c.destination, c.amount, 'MXN',
             'seeded ' || c.i, c.initiator, c.at, c.at
      FROM bench_chunk c ORDER BY c.i;
    INSERT INTO journal_entries (id, sequence, transaction_id, created_at, effective_at, previous_hash, hash)
      SELECT c.entry, c.sequence, c.tx, c.at, c.at, h.previous, h.hash
      FROM bench_chunk c JOIN unnest(prevs, hashes) WITH ORDINALITY AS h(previous, hash, k) ON h.k = c.i - done ORDER BY c.i;
    INSERT INTO postings (entry_id, account_id, amount, currency, effective_at, sequence, transaction_id, created_at)
      SELECT entry, coalesce(origin, bank), amount, 'MXN', at, sequence, tx, at FROM bench_chunk
      UNION ALL SELECT entry, destination, -amount, 'MXN', at, sequence, tx, at FROM bench_chunk;
    UPDATE ledger_head SET sequence = first_seq + done + size, last_hash = prev;
    done := done + size;
    COMMIT;
    RAISE NOTICE 'generated % of % entries', done, total;
  END LOOP;
END $$;
