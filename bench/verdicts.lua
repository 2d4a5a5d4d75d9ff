-- wrk script for bench/reviews.sh: each request records a verdict on one of
-- the items of one of the reviews (REVIEW: their ids, separated by commas;
-- ITEMS from the environment), cycling through the reviews, the items and
-- the three verdicts, with a note that changes every time (a write that
-- changes nothing would be no write).
local ids = {}
for id in string.gmatch(os.getenv("REVIEW"), "[^,]+") do
	ids[#ids + 1] = id
end
local items = tonumber(os.getenv("ITEMS") or "66")
local verdicts = { "pass", "fail", "na" }
local n = 0
local threads = 0

-- Runs in wrk's main state: gives each thread its number (a global there),
-- so that no two threads ever send the same note.
function setup(thread)
	thread:set("thread_no", threads)
	threads = threads + 1
end

function request()
	n = n + 1
	local item = "M" .. ((n * 7 + thread_no) % items + 1)
	local body = '{"verdict":"' .. verdicts[n % 3 + 1] .. '","note":"bench ' .. thread_no .. "-" .. n ..
		'","author":"wrk"}'
	local id = ids[(n + thread_no) % #ids + 1]
	return wrk.format("PATCH", "/api/v1/reviews/" .. id .. "/items/" .. item,
		{ ["Content-Type"] = "application/json" }, body)
end
