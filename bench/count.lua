-- wrk script: counts hot and cold offers across all threads and prints them when the run is done.
local threads = {}

function setup(thread)
    table.insert(threads, thread)
end

function init(args)
    hot = 0
    cold = 0
end

function response(status, headers, body)
    if body:find('"type":"hot"', 1, true) then
        hot = hot + 1
    elseif body:find('"type":"cold"', 1, true) then
        cold = cold + 1
    end
end

function done(summary, latency, requests)
    local h, c = 0, 0
    for _, thread in ipairs(threads) do
        h = h + thread:get("hot")
        c = c + thread:get("cold")
    end
    io.write(string.format("offers: hot=%d cold=%d\n", h, c))
end
