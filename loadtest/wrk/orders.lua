-- wrk script for `npm run bench:stack`: posts varied orders (several symbols,
-- both sides, limit and market, prices around a mid so that trades happen).
-- The benches add the summary line they read (loadtest/wrk/summary.lua).

local symbols = { "AAPL", "MSFT", "GOOG", "AMZN", "NVDA", "META", "TSLA", "SPY" }
local headers = { ["Content-Type"] = "application/json" }
local threadCount = 0

function setup(thread)
  threadCount = threadCount + 1
  thread:set("threadIndex", threadCount)
end

function init(args)
  math.randomseed(1000 + (threadIndex or 0))
end

function request()
  local symbol = symbols[math.random(#symbols)]
  local side = math.random(2) == 1 and "buy" or "sell"
  local quantity = math.random(1, 50)
  local account = "acct-" .. math.random(1, 200)
  local body
  if math.random(10) == 1 then
    body = string.format(
      '{"symbol":"%s","side":"%s","type":"market","quantity":%d,"timeInForce":"IOC","account":"%s"}',
      symbol, side, quantity, account)
  else
    -- mid 100.00; buys below and sells above it, a quarter of them crossing.
    local offset = math.random(1, 40)
    if math.random(4) == 1 then offset = -offset end
    local cents = side == "buy" and 10000 - offset or 10000 + offset
    body = string.format(
      '{"symbol":"%s","side":"%s","type":"limit","price":"%d.%02d","quantity":%d,"account":"%s"}',
      symbol, side, math.floor(cents / 100), cents % 100, quantity, account)
  end
  return wrk.format("POST", "/api/orders", headers, body)
end
