-- Outhook schema, version 5: indexes for the health dashboard (core/storage/HealthStats.cpp).
-- Its queries GROUP BY time bucket over a time window. These indexes cover them, so a report reads only
-- index entries inside the window, for all webhooks or for one.
CREATE INDEX deliveries_health ON deliveries (created_at, status);
CREATE INDEX deliveries_health_by_webhook ON deliveries (webhook_id, created_at, status);
CREATE INDEX attempts_by_started ON attempts (started_at, duration_ms, error_class, status_code, delivery_id);
