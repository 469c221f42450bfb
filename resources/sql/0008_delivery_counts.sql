-- Outhook schema, version 8: delivery counts per webhook, quarter hour and status, for the health dashboard.
-- deliveries_health (created_at, status) and deliveries_health_by_webhook (webhook_id, created_at, status)
-- covered its counts, but every status change moved an entry in both: 5.1 of the 11.1 µs that recording a
-- finished delivery cost (docs/BENCHMARKS.md, session 16). Ingest and results now add to these counters
-- once per batch and key (core/storage/DeliveryCounts.cpp), and a report sums at most 96 slots a day.
CREATE TABLE delivery_counts (
    webhook_id BIGINT NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    slot BIGINT NOT NULL, -- created_at / 900000 (15 minutes)
    status TEXT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (webhook_id, slot, status)
) WITHOUT ROWID; /*sqlite*/
); /*postgres*/
-- Reports over every webhook read a time range of slots.
CREATE INDEX delivery_counts_by_slot ON delivery_counts (slot);
INSERT INTO delivery_counts (webhook_id, slot, status, n)
    SELECT webhook_id, created_at / 900000, status, COUNT(*) FROM deliveries GROUP BY webhook_id, created_at / 900000, status;
DROP INDEX deliveries_health;
DROP INDEX deliveries_health_by_webhook;
-- The Log History's time filter read deliveries_health since version 7. created_at never changes after
-- the insert, so this index costs one entry per delivery and none per status change.
CREATE INDEX deliveries_by_created ON deliveries (created_at);
