"""Support for `heaven.testing`: stand-ins for what a server hands an app,
so an app can be served in-process on either interface."""
