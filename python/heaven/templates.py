"""Jinja2 templates: several folders searched in order, a folder optionally
under a name prefix, autoescaping by file extension, async and sync
rendering from the same folders. jinja2 is imported when the first
environment is built, not with heaven: an app without templates does not
pay its import (about a sixth of `import heaven`).

Jinja2's async mode (what lets a template await) wraps every output and
loop in awaitable checks: on a page of a few hundred expressions it renders
1.7 times as slowly as in synchronous mode. An app that declares
`asynchronous=False` has its awaited renders done synchronously, without
that cost."""

from __future__ import annotations

import os
from functools import cache
from typing import TYPE_CHECKING, Any

from .errors import TemplatesNotConfigured

if TYPE_CHECKING:
    from jinja2 import BaseLoader, Environment


def folder_path(folder: str | os.PathLike[str], relative_to: str | os.PathLike[str] | None) -> str:
    """`relative_to` may be a file (pass `__file__`) or a directory; without
    it, the folder is taken relative to the working directory."""
    folder = os.fspath(folder)
    if relative_to is None:
        base = os.getcwd()
    else:
        base = os.fspath(relative_to)
        if not os.path.isdir(base):
            base = os.path.dirname(base)
    path = os.path.realpath(os.path.join(base, folder))
    if not os.path.isdir(path):
        raise ValueError(f"template folder {path!r} does not exist")
    return path


@cache
def _sync_template() -> type:
    """The template class of the synchronous environment (made when first
    needed, as jinja2 is imported then). Jinja2 refuses `render_async`
    outside async mode; this one renders synchronously, so `await
    res.render()` works on an app whose templates are synchronous."""
    from jinja2 import Template

    class SyncTemplate(Template):
        async def render_async(self, *args: Any, **kwargs: Any) -> str:
            return self.render(*args, **kwargs)

    return SyncTemplate


class Templates:
    """The template folders of an app and the two environments built on
    them (rebuilt only when a folder is added). `asynchronous` is the first
    `TEMPLATES` call's, as in Heaven 2.4.3: False makes awaited renders
    synchronous."""

    def __init__(self) -> None:
        self.folders: list[tuple[str, str | None]] = []
        self.escape: set[str] = set()
        self.asynchronous: bool | None = None
        self._environments: dict[bool, Environment] = {}

    def add(
        self, path: str, prefix: str | None, escape: tuple[str, ...] | list[str] | str, asynchronous: bool = True
    ) -> None:
        if prefix is not None and (not prefix or "/" in prefix):
            raise ValueError(f"template prefix must be a non-empty name without '/', got {prefix!r}")
        if self.asynchronous is None:
            self.asynchronous = bool(asynchronous)
        self.folders.append((path, prefix))
        extensions = (escape,) if isinstance(escape, str) else tuple(escape or ())
        self.escape.update(e.lower().lstrip(".") for e in extensions)
        self._environments.clear()

    def extend(self, other: Templates) -> None:
        for entry in other.folders:
            if entry not in self.folders:
                self.folders.append(entry)
        self.escape |= other.escape
        if self.asynchronous is None:
            self.asynchronous = other.asynchronous
        self._environments.clear()

    def _loader(self) -> BaseLoader:
        from jinja2 import ChoiceLoader, FileSystemLoader, PrefixLoader

        loaders: list[BaseLoader] = []
        for path, prefix in self.folders:
            loader: BaseLoader = FileSystemLoader(path)
            loaders.append(PrefixLoader({prefix: loader}) if prefix else loader)
        return ChoiceLoader(loaders)

    def _autoescape(self, name: str | None) -> bool:
        return name is not None and name.rsplit(".", 1)[-1].lower() in self.escape

    def environment(self, asynchronous: bool) -> Environment:
        """The environment to render with: `asynchronous=True` is what
        `render`/`interpolate` ask for (they await `render_async`), and gets
        Jinja2's async mode unless the app declared `asynchronous=False`;
        then it gets the synchronous environment, whose templates render
        synchronously when awaited."""
        mode = asynchronous and self.asynchronous is not False
        env = self._environments.get(mode)
        if env is None:
            from jinja2 import Environment

            env = Environment(loader=self._loader(), autoescape=self._autoescape, enable_async=mode)
            if not mode:
                env.template_class = _sync_template()
            self._environments[mode] = env
        return env


def templates_for(app: Any) -> Templates:
    """The templates an app renders with: its own, else the nearest app it
    is mounted into that has some."""
    pending = [app]
    while pending:
        current = pending.pop(0)
        templates: Templates | None = current._templates
        if templates is not None:
            return templates
        pending.extend(mount[0] for mount in current._parents)
    raise TemplatesNotConfigured("no template folder: call app.TEMPLATES('templates', relative_to=__file__) first")
