-- Orders with their current state, their fills, and each engine shard's checkpoint.
-- Prices are integer ticks, quantities integer lots.

CREATE TABLE orders (
  order_id        text PRIMARY KEY,
  shard           integer NOT NULL,
  -- Position in the shard's processing order: resting orders are rebuilt in this order (time priority).
  seq             bigint NOT NULL,
  account         text NOT NULL,
  client_order_id text,
  symbol          text NOT NULL,
  side            text NOT NULL CHECK (side IN ('buy', 'sell')),
  order_type      text NOT NULL CHECK (order_type IN ('limit', 'market')),
  price           bigint CHECK (price > 0),
  quantity        bigint NOT NULL CHECK (quantity > 0),
  time_in_force   text NOT NULL CHECK (time_in_force IN ('GTC', 'IOC', 'FOK')),
  status          text NOT NULL CHECK (status IN ('new', 'partially_filled', 'filled', 'cancelled', 'rejected')),
  -- The status right after the order's own command: with its taker fills it reproduces the original acknowledgement.
  ack_status      text NOT NULL CHECK (ack_status IN ('new', 'partially_filled', 'filled', 'cancelled', 'rejected')),
  filled_quantity bigint NOT NULL CHECK (filled_quantity >= 0),
  leaves_quantity bigint NOT NULL CHECK (leaves_quantity >= 0),
  reason          text,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  -- The durable truth of idempotency (NULL client_order_ids never conflict).
  CONSTRAINT orders_account_client_order_id_key UNIQUE (account, client_order_id)
);

CREATE INDEX orders_by_account ON orders (account, order_id DESC);
CREATE INDEX orders_resting ON orders (shard, seq) WHERE leaves_quantity > 0;

CREATE TABLE trades (
  trade_id       text PRIMARY KEY,
  shard          integer NOT NULL,
  seq            bigint NOT NULL,
  symbol         text NOT NULL,
  price          bigint NOT NULL CHECK (price > 0),
  quantity       bigint NOT NULL CHECK (quantity > 0),
  maker_order_id text NOT NULL,
  taker_order_id text NOT NULL,
  taker_side     text NOT NULL CHECK (taker_side IN ('buy', 'sell')),
  executed_at    timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX trades_by_maker ON trades (maker_order_id);
CREATE INDEX trades_by_taker ON trades (taker_order_id);

-- The last orders:{shard} entry whose effects are committed, and the last seq used.
CREATE TABLE engine_checkpoints (
  shard      integer PRIMARY KEY,
  stream_id  text NOT NULL,
  last_seq   bigint NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
