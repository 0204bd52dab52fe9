"""Protocol mechanics with no heaven concepts in them: header names and
values checked before they reach the wire, `Set-Cookie` values, files with
their validators and byte ranges, and the incremental multipart parser."""
