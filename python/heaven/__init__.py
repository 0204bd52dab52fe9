"""heaven: a small Python web framework whose routing core is native.

    from heaven import App

    app = App()
    app.GET('/hello/:name', lambda req, res, ctx: setattr(res, 'body', f"hi {req.params['name']}"))
"""

from . import _core
from .app import HTTP_METHODS, SHUTDOWN, STARTUP, App, Application, Router, Server
from .context import Context
from .errors import (
    BadRequest,
    BadSignature,
    ContractError,
    FormError,
    HandlerError,
    HeavenError,
    HTTPError,
    IncompleteBody,
    MalformedJSON,
    MethodNotAllowed,
    MountedAppFailed,
    NotFound,
    PayloadTooLarge,
    PluginError,
    PytasticError,
    SignatureExpired,
    UnsupportedMediaType,
    UrlDuplicateError,
    UrlError,
    ValidationError,
    ValidationFailed,
)
from .forms import File, Form
from .group import Group
from .handler import Handler
from .keys import Key
from .request import Address, Request
from .security import SecureSerializer
from .sessions import Session
from .response import Response
from .schema import Pytastic
from .streaming import Event
from .subdomain import Subdomain

__all__ = [
    "HTTP_METHODS",
    "SHUTDOWN",
    "STARTUP",
    "Address",
    "App",
    "Application",
    "BadRequest",
    "BadSignature",
    "Context",
    "ContractError",
    "Event",
    "File",
    "Form",
    "FormError",
    "Group",
    "HTTPError",
    "Handler",
    "HandlerError",
    "HeavenError",
    "IncompleteBody",
    "Key",
    "MalformedJSON",
    "MethodNotAllowed",
    "MountedAppFailed",
    "NotFound",
    "PayloadTooLarge",
    "PluginError",
    "Pytastic",
    "PytasticError",
    "Request",
    "Response",
    "Router",
    "SecureSerializer",
    "Server",
    "Session",
    "SignatureExpired",
    "Subdomain",
    "UnsupportedMediaType",
    "UrlDuplicateError",
    "UrlError",
    "ValidationError",
    "ValidationFailed",
]

__version__ = _core.__version__
