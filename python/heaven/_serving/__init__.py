"""How one request is served. `lifecycle` is everything a request goes
through, written once; `asgi` and `rsgi` are the two wires that read their
interface's scope and send what the lifecycle produced in their own terms.
`startup` runs the app's lifespan for both, `body` counts request bodies
against the limit, `disconnect` stops streams nobody reads, `debug` draws
the development error page and `monitor` watches the event loop."""
