-- A rate is a positive number of requests per second, or NULL for no limit: zero would divide by
-- zero in the token bucket.
ALTER TABLE tenant ADD CONSTRAINT tenant_rate_positive CHECK (rate_per_second IS NULL OR rate_per_second > 0);
