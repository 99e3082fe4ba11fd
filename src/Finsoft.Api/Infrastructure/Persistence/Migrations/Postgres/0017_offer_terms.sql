-- An offer keeps the product's late fee and grace days as they were when it was made, so a later change to the product
-- does not reach a loan taken on an earlier offer. Offers made before this take their product's present terms.
ALTER TABLE credit_offers ADD COLUMN late_fee bigint NOT NULL DEFAULT 0 CHECK (late_fee >= 0);
ALTER TABLE credit_offers ADD COLUMN grace_days integer NOT NULL DEFAULT 0 CHECK (grace_days >= 0);
UPDATE credit_offers SET late_fee = (SELECT p.late_fee FROM credit_products p WHERE p.id = credit_offers.product_id),
    grace_days = (SELECT p.grace_days FROM credit_products p WHERE p.id = credit_offers.product_id);
