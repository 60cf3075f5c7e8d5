-- Where each coupon was claimed (NULL when the claim sent no location). The
-- claim writer copies its batch's new coupon rows into their history rows
-- and outbox messages with one INSERT each, so the claim's location must be
-- on the coupon row itself.
ALTER TABLE coupons ADD COLUMN claim_latitude REAL;
ALTER TABLE coupons ADD COLUMN claim_longitude REAL;
