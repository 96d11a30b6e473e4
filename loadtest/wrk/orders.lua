-- wrk script for `npm run bench:stack`: posts varied orders (several symbols,
-- both sides, limit and market, prices around a mid so that trades happen).
-- The benches add the summary line they read (loadtest/wrk/summary.lua).
--
-- The symbols are those of $SYMBOLS (SYMBOL or SYMBOL:TICK, comma separated,
-- tick default 0.01), as the stack's services read them: the benches set it.
-- Run by hand without it, the script uses the services' default symbols
-- (DEFAULT_SYMBOLS of backend/config/symbols.ts; a test checks they agree).

local DEFAULT_SYMBOLS = "AAPL,MSFT,GOOG,AMZN,NVDA,META,TSLA,SPY"
-- Limit prices are MID_TICKS ticks of the symbol's tick, give or take 40 ticks: 100.00 with a tick of 0.01.
local MID_TICKS = 10000

-- Each symbol with its tick as an integer count of units of 10^-decimals ("0.05": 5 units, 2 decimals),
-- and how to print a count of such units as a decimal.
local function parseSymbols(list)
  local specs = {}
  for entry in string.gmatch(list, "[^,]+") do
    local symbol, tick = entry:match("^%s*([^:%s]+)%s*:?%s*([%d%.]*)%s*$")
    if symbol == nil then error("SYMBOLS: cannot read \"" .. entry .. "\"") end
    if tick == "" then tick = "0.01" end
    local whole, fraction = tick:match("^(%d*)%.?(%d*)$")
    specs[#specs + 1] = {
      symbol = symbol,
      tickUnits = tonumber(whole .. fraction),
      scale = 10 ^ #fraction,
      format = #fraction == 0 and "%d" or "%d.%0" .. #fraction .. "d",
    }
  end
  return specs
end

-- An empty SYMBOLS is the default, as the services read it.
local list = os.getenv("SYMBOLS")
if list == nil or list:match("^%s*$") then list = DEFAULT_SYMBOLS end
local specs = parseSymbols(list)
local headers = { ["Content-Type"] = "application/json" }
local threadCount = 0

-- `ticks` ticks of `spec`'s tick as the API's decimal string, e.g. 10040 ticks of 0.01: "100.40".
local function priceText(ticks, spec)
  local units = ticks * spec.tickUnits
  if spec.scale == 1 then return string.format(spec.format, units) end
  return string.format(spec.format, math.floor(units / spec.scale), units % spec.scale)
end

function setup(thread)
  threadCount = threadCount + 1
  thread:set("threadIndex", threadCount)
end

function init(args)
  math.randomseed(1000 + (threadIndex or 0))
end

function request()
  local spec = specs[math.random(#specs)]
  local side = math.random(2) == 1 and "buy" or "sell"
  local quantity = math.random(1, 50)
  local account = "acct-" .. math.random(1, 200)
  local body
  if math.random(10) == 1 then
    body = string.format(
      '{"symbol":"%s","side":"%s","type":"market","quantity":%d,"timeInForce":"IOC","account":"%s"}',
      spec.symbol, side, quantity, account)
  else
    -- Buys below the mid and sells above it, a quarter of them crossing.
    local offset = math.random(1, 40)
    if math.random(4) == 1 then offset = -offset end
    local ticks = side == "buy" and MID_TICKS - offset or MID_TICKS + offset
    body = string.format(
      '{"symbol":"%s","side":"%s","type":"limit","price":"%s","quantity":%d,"account":"%s"}',
      spec.symbol, side, priceText(ticks, spec), quantity, account)
  end
  return wrk.format("POST", "/api/orders", headers, body)
end
