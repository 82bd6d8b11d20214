"""Who is acting in the current request or task, for the audit trail."""

import contextvars
import uuid
from dataclasses import dataclass

_current = contextvars.ContextVar("exchange_request_context", default=None)


@dataclass(frozen=True)
class RequestContext:
    request_id: str
    label: str = ""


def bind(*, request_id: str | None = None, label: str = "") -> contextvars.Token:
    return _current.set(RequestContext(request_id=request_id or uuid.uuid4().hex, label=label))


def reset(token: contextvars.Token) -> None:
    _current.reset(token)


def current() -> RequestContext | None:
    return _current.get()
