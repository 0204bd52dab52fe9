"""Contracts behind `app.schema`: constraint strings (Heaven's
`Annotated[str, "min_len=2; max_len=40"]`) rewritten into msgspec types
(`constraints`), the query, header and form contracts (`fields`), and the
OpenAPI document that describes them: paths and operations (`document`),
schemas and error responses (`components`), the reference page (`page`).
The public faces are `heaven.schema` and `heaven.openapi`."""
