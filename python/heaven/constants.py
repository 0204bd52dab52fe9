"""Names Heaven 2.4.3 kept in `heaven.constants`, so code that spells
`app.ON(STARTUP, ...)` or `subdomain=DEFAULT` keeps working."""

from __future__ import annotations

from http import HTTPStatus

#: The subdomain of hosts that name none (`example.com`, IPs, `localhost`).
DEFAULT = "www"
#: The subdomain whose routes serve hosts with no table of their own.
WILDCARD = "*"

METHOD_CONNECT = CONNECT = "CONNECT"
METHOD_DELETE = DELETE = "DELETE"
METHOD_GET = GET = "GET"
METHOD_HEAD = HEAD = "HEAD"
METHOD_OPTIONS = OPTIONS = "OPTIONS"
METHOD_PATCH = PATCH = "PATCH"
METHOD_POST = POST = "POST"
METHOD_PUT = PUT = "PUT"
METHOD_SOCKET = METHOD_WEBSOCKET = SOCKET = "SOCKET"
METHOD_TRACE = TRACE = "TRACE"
#: The methods `app.HTTP` registers (2.4.3's order).
METHODS = [GET, HEAD, POST, PUT, PATCH, CONNECT, TRACE, DELETE, OPTIONS]

STARTUP = "startup"
SHUTDOWN = "shutdown"

STATUS_OK = OK = HTTPStatus.OK.value
STATUS_CREATED = CREATED = HTTPStatus.CREATED.value
STATUS_NOT_FOUND = NOT_FOUND = HTTPStatus.NOT_FOUND.value

MESSAGE_NOT_FOUND = "Not found"
URL_ERROR_MESSAGE = "Malformed route detected, all routes must start with a `/`"
INITIALIZATION_MESSAGE = "\n-------------- Initializing `ONCE` Func(s) --------------"
