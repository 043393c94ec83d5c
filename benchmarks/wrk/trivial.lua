-- GET /api/v1/merchant/: the same middleware, authentication and renderer, no work.
wrk.method = "GET"
wrk.headers["Authorization"] = "Api-Key " .. os.getenv("API_KEY")
request = function() return wrk.format(nil, "/api/v1/merchant/") end
