-- POST /api/v1/offers/ for a random SKU of the scale catalogue and a random US state.
-- Environment: API_KEY, SKU_FILE (one SKU a line).
local skus = {}
local states = {"US-CA", "US-NY", "US-TX", "US-FL", "US-IL", "US-WA", "US-GA", "US-OH"}

for line in io.lines(os.getenv("SKU_FILE")) do skus[#skus + 1] = line end
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Api-Key " .. os.getenv("API_KEY")

request = function()
  local body = string.format('{"sku": "%s", "jurisdiction": "%s", "quantity": 1}',
    skus[math.random(#skus)], states[math.random(#states)])
  return wrk.format(nil, "/api/v1/offers/", nil, body)
end
