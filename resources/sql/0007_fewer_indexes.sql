-- Outhook schema, version 7: one index fewer written with every delivery.
-- deliveries_by_created (created_at, id) served the Log History's time filter. deliveries_health
-- (created_at, status) from version 5 starts with the same column and serves the same range scans (in
-- SQLite its entries end in the row id, as every index's do), so the older index only cost a b-tree
-- insert per delivery and 19 bytes of file per delivery (measured: 1M deliveries, 255 MB with it,
-- 236 MB without, after VACUUM).
DROP INDEX IF EXISTS deliveries_by_created;
