-- Every index costs each batch commit, so keep only those the reads need.
--
-- orders_resting (on leaves_quantity) made every fill of a resting order a non-HOT update that
-- touched all of the table's indexes; the engine's recovery, its only user, now scans the table,
-- once per engine start. fillfactor leaves room on the page for those fill updates.
DROP INDEX orders_resting;
ALTER TABLE orders SET (fillfactor = 80);

-- Trade ids are `${taker_order_id}-${n}` (the engine's deterministic trade id): in byte order ("C")
-- a taker's fills are a range of the primary key, so taker_order_id needs no index of its own.
ALTER TABLE trades ALTER COLUMN trade_id TYPE text COLLATE "C";
DROP INDEX trades_by_taker;
