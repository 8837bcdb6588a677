"""The registry of notification kinds.

An app registers each kind it sends once, at import time of its
``notifications`` usage (typically in its services module), with a label the
person sees on their preferences page and whether e-mail is on by default.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Kind:
    key: str
    label: Any  # a lazy translation
    email_default: bool = True


KINDS: dict[str, Kind] = {}


def kind_register(key: str, label: Any, *, email_default: bool = True) -> Kind:
    """Register (idempotently) a notification kind such as ``ideas.status``."""
    kind = Kind(key=key, label=label, email_default=email_default)
    KINDS[key] = kind
    return kind


def kind_get(key: str) -> Kind:
    try:
        return KINDS[key]
    except KeyError:
        raise LookupError(f"Notification kind {key!r} is not registered; call kind_register first.") from None
