-- Appended by loadtest/wrk.ts to the script that drives the load (loadtest/wrk/orders.lua,
-- or any other given to the bench): after that script's own done(), if it has one, prints
-- one JSON summary line for the benches to read.

local scriptDone = done

function done(summary, latency, requests)
  if scriptDone ~= nil then scriptDone(summary, latency, requests) end
  local errors = summary.errors
  io.write(string.format(
    '\nWRK_JSON {"requests":%d,"durationUs":%d,"non2xx":%d,"connectErrors":%d,"readErrors":%d,"writeErrors":%d,"timeouts":%d,' ..
    '"latencyUs":{"mean":%.1f,"p50":%d,"p90":%d,"p99":%d,"p999":%d,"max":%d}}\n',
    summary.requests, summary.duration, errors.status, errors.connect, errors.read, errors.write, errors.timeout,
    latency.mean, latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9), latency.max))
end
