-- wrk script: POST a JSON body read from a file (benches/http/validate.py).
--   wrk -s benches/http/post.lua http://127.0.0.1:PORT/orders -- benches/http/validate_body.json
-- Trailing whitespace of the file is dropped (validate.py does the same), so
-- the bytes sent are the bytes validate.py checks and times.

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"

function init(args)
   -- args[0] is the URL, args[1] the first argument after `--`
   local path = args[1]
   if path == nil then
      error("usage: wrk ... -s post.lua URL -- BODY_FILE")
   end
   local f = assert(io.open(path, "rb"))
   local body = f:read("*a")
   f:close()
   wrk.body = (body:gsub("%s+$", ""))
   -- validate.py checks this against the body it validated in its preflight
   io.write(string.format("post.lua: body %d bytes\n", #wrk.body))
end
