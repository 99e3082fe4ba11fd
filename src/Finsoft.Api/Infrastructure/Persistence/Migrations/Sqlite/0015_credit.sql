-- Credit (issue 13): scores from the scorecard, loan products, offers, and loans with their installments.
-- A loan's receivable is a platform account of its own (kind 'system', code 'loans_receivable', user_id its borrower),
-- so the money engine locks it with the wallet and its floor of 0 refuses a repayment beyond what is owed. The unique
-- index of system accounts therefore covers only the platform's one-per-currency accounts (those without a user).
DROP INDEX ux_accounts_system;
CREATE UNIQUE INDEX ux_accounts_system ON accounts(system_code, currency) WHERE system_code IS NOT NULL AND user_id IS NULL;

CREATE TABLE credit_scores (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    requested_by TEXT NOT NULL REFERENCES users(id),
    currency TEXT NOT NULL,
    application TEXT NOT NULL,
    features TEXT NOT NULL,
    score INTEGER NOT NULL CHECK (score BETWEEN 300 AND 850),
    probability_of_default REAL NOT NULL CHECK (probability_of_default BETWEEN 0 AND 1),
    grade TEXT NOT NULL CHECK (grade IN ('A', 'B', 'C', 'D', 'E')),
    reasons TEXT NOT NULL,
    model_version TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    review_status TEXT NULL CHECK (review_status IN ('requested', 'upheld', 'overridden')),
    review_requested_at TEXT NULL,
    review_request_note TEXT NULL,
    reviewed_by TEXT NULL REFERENCES users(id),
    reviewed_at TEXT NULL,
    review_note TEXT NULL,
    reviewed_grade TEXT NULL CHECK (reviewed_grade IN ('A', 'B', 'C', 'D', 'E'))
);
CREATE INDEX ix_credit_scores_user ON credit_scores(user_id, created_at, id);
CREATE INDEX ix_credit_scores_created ON credit_scores(created_at, id);

CREATE TABLE credit_products (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    currency TEXT NOT NULL,
    min_amount INTEGER NOT NULL CHECK (min_amount > 0),
    max_amount INTEGER NOT NULL CHECK (max_amount >= min_amount),
    min_term_months INTEGER NOT NULL CHECK (min_term_months >= 1),
    max_term_months INTEGER NOT NULL CHECK (max_term_months >= min_term_months),
    apr_by_grade TEXT NOT NULL,
    origination_fee INTEGER NOT NULL CHECK (origination_fee >= 0),
    amortization TEXT NOT NULL CHECK (amortization IN ('equal_installments', 'equal_principal')),
    grace_days INTEGER NOT NULL CHECK (grace_days >= 0),
    late_fee INTEGER NOT NULL CHECK (late_fee >= 0),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    archived_at TEXT NULL
);
CREATE INDEX ix_credit_products_created ON credit_products(created_at, id);

CREATE TABLE credit_offers (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    score_id TEXT NOT NULL REFERENCES credit_scores(id),
    product_id TEXT NOT NULL REFERENCES credit_products(id),
    grade TEXT NOT NULL,
    currency TEXT NOT NULL,
    amount INTEGER NOT NULL CHECK (amount > 0),
    term_months INTEGER NOT NULL,
    apr TEXT NOT NULL,
    amortization TEXT NOT NULL,
    installment INTEGER NOT NULL,
    total_interest INTEGER NOT NULL,
    origination_fee INTEGER NOT NULL,
    total_cost INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    accepted_at TEXT NULL,
    loan_id TEXT NULL
);
CREATE INDEX ix_credit_offers_user ON credit_offers(user_id, created_at, id);
CREATE INDEX ix_credit_offers_created ON credit_offers(created_at, id);

CREATE TABLE loans (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    offer_id TEXT NOT NULL UNIQUE REFERENCES credit_offers(id),
    product_id TEXT NOT NULL REFERENCES credit_products(id),
    account_id TEXT NOT NULL UNIQUE REFERENCES accounts(id),
    wallet_id TEXT NOT NULL REFERENCES accounts(id),
    currency TEXT NOT NULL,
    principal INTEGER NOT NULL CHECK (principal > 0),
    apr TEXT NOT NULL,
    term_months INTEGER NOT NULL,
    amortization TEXT NOT NULL,
    origination_fee INTEGER NOT NULL,
    late_fee INTEGER NOT NULL,
    grace_days INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('active', 'closed')),
    disbursement_id TEXT NOT NULL REFERENCES transactions(id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    closed_at TEXT NULL
);
CREATE INDEX ix_loans_user ON loans(user_id, created_at, id);
CREATE INDEX ix_loans_created ON loans(created_at, id);

-- One row per scheduled month. interest is the schedule's until the month is charged (charged_at), then what was charged
-- on the principal still owed; a payment pays a charged month's interest, then its late fee, then its principal, and
-- pays principal of months not yet charged from the last month back. collect_after: when the worker next tries a debit.
-- What the loan's receivable account holds is always the sum of what its months still owe.
CREATE TABLE loan_installments (
    loan_id TEXT NOT NULL REFERENCES loans(id),
    number INTEGER NOT NULL CHECK (number >= 1),
    due_on TEXT NOT NULL,
    principal INTEGER NOT NULL CHECK (principal >= 0),
    interest INTEGER NOT NULL CHECK (interest >= 0),
    late_fee INTEGER NOT NULL DEFAULT 0 CHECK (late_fee >= 0),
    principal_paid INTEGER NOT NULL DEFAULT 0 CHECK (principal_paid BETWEEN 0 AND principal),
    interest_paid INTEGER NOT NULL DEFAULT 0 CHECK (interest_paid BETWEEN 0 AND interest),
    late_fee_paid INTEGER NOT NULL DEFAULT 0 CHECK (late_fee_paid BETWEEN 0 AND late_fee),
    status TEXT NOT NULL CHECK (status IN ('scheduled', 'due', 'late', 'paid')),
    charged_at TEXT NULL,
    late_since TEXT NULL,
    paid_at TEXT NULL,
    collect_after TEXT NULL,
    PRIMARY KEY (loan_id, number)
);
CREATE INDEX ix_loan_installments_open ON loan_installments(due_on, loan_id) WHERE status <> 'paid';
