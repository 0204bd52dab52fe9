"""Contracts behind `app.schema`: constraint strings (Heaven's
`Annotated[str, "min_len=2; max_len=40"]`) rewritten into msgspec types, and
the checks msgspec cannot make. The public faces are `heaven.schema` and
`heaven.openapi`."""
