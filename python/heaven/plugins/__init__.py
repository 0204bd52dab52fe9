"""Plugins that ship with heaven, each behind its own optional extra so the
core keeps its two runtime dependencies:

- `heaven.plugins.pg` (`pip install 'heaven[pg]'`): PostgreSQL through asyncpg.
"""
