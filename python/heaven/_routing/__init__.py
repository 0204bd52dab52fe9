"""The Python side of registration: what the lifecycle needs per route
(`endpoint`), the registrations a mounted app replays into its parents
(`records`), handlers and hooks given as callables or import strings
(`callables`), and paths built back from routes (`reverse`)."""
