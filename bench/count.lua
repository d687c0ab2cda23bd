-- wrk script: counts hot and cold offers, and the offers of each reason, across all threads; prints them when the
-- run is done:
--   offers: hot=N cold=N
--   reasons: circuit-open=N partner-answered=N ...
local threads = {}

function setup(thread)
    table.insert(threads, thread)
end

function init(args)
    hot = 0
    cold = 0
    reasons = {}
end

function response(status, headers, body)
    if body:find('"type":"hot"', 1, true) then
        hot = hot + 1
    elseif body:find('"type":"cold"', 1, true) then
        cold = cold + 1
    end
    local reason = body:match('"reason":"([^"]*)"')
    if reason then
        reasons[reason] = (reasons[reason] or 0) + 1
    end
end

function done(summary, latency, requests)
    local h, c, all = 0, 0, {}
    for _, thread in ipairs(threads) do
        h = h + thread:get("hot")
        c = c + thread:get("cold")
        for reason, n in pairs(thread:get("reasons")) do
            all[reason] = (all[reason] or 0) + n
        end
    end
    io.write(string.format("offers: hot=%d cold=%d\n", h, c))
    local names = {}
    for reason in pairs(all) do
        table.insert(names, reason)
    end
    table.sort(names)
    local parts = {}
    for _, reason in ipairs(names) do
        table.insert(parts, reason .. "=" .. all[reason])
    end
    io.write("reasons: " .. table.concat(parts, " ") .. "\n")
end
