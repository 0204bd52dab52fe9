"""A small app package the CLI end-to-end tests serve with `heaven run`."""
