-- GET /api/v1/desk/claims/ keyset pages of 50 at random depths of the all-open queue.
-- Environment: COOKIE (a signed-in desk session), CURSOR_FILE (one cursor a line).
local cursors = {}
for line in io.lines(os.getenv("CURSOR_FILE")) do cursors[#cursors + 1] = line end
wrk.method = "GET"
wrk.headers["Cookie"] = os.getenv("COOKIE")
request = function()
  return wrk.format(nil, "/api/v1/desk/claims/?page_size=50&cursor=" .. cursors[math.random(#cursors)])
end
