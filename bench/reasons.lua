-- wrk script: count.lua's counts (offers by type and by reason), and the answers completed in each second since an
-- instant given in ms since the epoch as its argument (`wrk ... -s bench/reasons.lua URL -- $(date +%s%3N)`):
--   offers: hot=N cold=N
--   reasons: circuit-open=N partner-answered=N ...
--   seconds: N N N ...        (answers completed in [0, 1) s, [1, 2) s, ... after that instant)
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "count.lua")

-- os.time() counts whole seconds of the wall clock, not seconds since the instant: clock_gettime through LuaJIT's FFI.
local ffi = require("ffi")
ffi.cdef [[
    typedef struct { long tv_sec; long tv_nsec; } reasons_timespec;
    int clock_gettime(int clock, reasons_timespec *now);
]]
local CLOCK_REALTIME = 0
local now = ffi.new("reasons_timespec")
local function now_ms()
    ffi.C.clock_gettime(CLOCK_REALTIME, now)
    return tonumber(now.tv_sec) * 1000 + tonumber(now.tv_nsec) / 1e6
end

local threads = {}
local count_setup, count_init, count_response, count_done = setup, init, response, done

function setup(thread)
    count_setup(thread)
    table.insert(threads, thread)
end

function init(args)
    count_init(args)
    origin = tonumber(args[1]) or now_ms()
    seconds = {}
end

function response(status, headers, body)
    count_response(status, headers, body)
    local second = math.floor((now_ms() - origin) / 1000)
    seconds[second] = (seconds[second] or 0) + 1
end

function done(summary, latency, requests)
    count_done(summary, latency, requests)
    local all, last = {}, -1
    for _, thread in ipairs(threads) do
        for second, n in pairs(thread:get("seconds")) do
            all[second] = (all[second] or 0) + n
            if second > last then
                last = second
            end
        end
    end
    local parts = {}
    for second = 0, last do
        table.insert(parts, tostring(all[second] or 0))
    end
    io.write("seconds: " .. table.concat(parts, " ") .. "\n")
end
