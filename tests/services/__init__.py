"""Real services the tests start for themselves: a throwaway PostgreSQL
server and a headless Chromium. No mocks: the examples and the pg plugin are
tested against the same programs a user runs."""
