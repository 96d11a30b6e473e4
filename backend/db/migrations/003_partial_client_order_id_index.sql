-- Orders without a client_order_id (about half of them) need no entry in the idempotency index:
-- NULLs never conflict, and every read of it (findClientOrderIds) asks for a given, non-NULL
-- client_order_id. A partial unique index enforces exactly the same rule (a duplicate
-- (account, client_order_id) still fails the engine's whole batch statement) for about half the
-- index inserts and WAL of the constraint it replaces.
CREATE UNIQUE INDEX orders_account_client_order_id_partial ON orders (account, client_order_id)
  WHERE client_order_id IS NOT NULL;
ALTER TABLE orders DROP CONSTRAINT orders_account_client_order_id_key;
ALTER INDEX orders_account_client_order_id_partial RENAME TO orders_account_client_order_id_key;
