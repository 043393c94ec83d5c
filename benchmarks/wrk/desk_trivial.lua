-- GET /api/v1/desk/session/: the desk's session authentication and renderer, no work.
-- Environment: COOKIE (a signed-in desk session).
wrk.method = "GET"
wrk.headers["Cookie"] = os.getenv("COOKIE")
request = function() return wrk.format(nil, "/api/v1/desk/session/") end
