-- wrk script: POST a body read from a file (benches/http/run.py, validate.py, work.py).
--   wrk -s benches/http/post.lua http://127.0.0.1:PORT/orders -- benches/http/validate_body.json
--   wrk -s benches/http/post.lua http://127.0.0.1:PORT/upload -- BODY_FILE 'multipart/form-data; boundary=...'
-- Without a content type: a JSON body, trailing whitespace of the file dropped
-- (validate.py does the same), so the bytes sent are the bytes validate.py
-- checks and times. With one (work.py's form and multipart bodies): that
-- Content-Type, and the file's bytes exactly as they are.

wrk.method = "POST"

function init(args)
   -- args[0] is the URL, args[1] the first argument after `--`
   local path = args[1]
   if path == nil then
      error("usage: wrk ... -s post.lua URL -- BODY_FILE [CONTENT_TYPE]")
   end
   local f = assert(io.open(path, "rb"))
   local body = f:read("*a")
   f:close()
   local content_type = args[2]
   if content_type == nil then
      wrk.headers["Content-Type"] = "application/json"
      body = (body:gsub("%s+$", ""))
   else
      wrk.headers["Content-Type"] = content_type
   end
   wrk.body = body
   -- the harness checks this against the body it checked in its preflight
   io.write(string.format("post.lua: body %d bytes\n", #wrk.body))
end
