-- Customer risk counts a customer's rejected reviews and blocked movements of the last 90 days on every refresh:
-- without these, both were scans of the whole table.
CREATE INDEX ix_reviews_user ON reviews(user_id, kind, status, created_at) WHERE user_id IS NOT NULL;
CREATE INDEX ix_risk_blocks_user ON risk_blocks(user_id, created_at);
-- Nothing looks transactions up by their review (a review names its transaction).
DROP INDEX ix_transactions_review;
