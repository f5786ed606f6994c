"""The one place that decides what of a person may be published.

An ambassador is published only when consent was given on or before the build date, is neither
withdrawn nor expired on the build date, and lists `name`. Then only the fields listed in
`fields` are copied into a PublicAmbassador; nothing else about the person leaves this module.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .model import Ambassador, Image, Phone


@dataclass(frozen=True)
class PublicAmbassador:
    """What may be published of one ambassador. Fields without consent are None."""

    locality: str
    name: str
    role: str | None = None
    phone: Phone | None = None
    email: str | None = None
    photo: Image | None = None  # photo and its alt text travel together


@dataclass(frozen=True)
class Decision:
    public: PublicAmbassador | None
    reason: str  # why not published; "" when published


def decide(ambassador: Ambassador, today: dt.date) -> Decision:
    consent = ambassador.consent
    if consent is None:
        return Decision(None, "no consent is recorded (add 'consent:' with 'given' and 'fields')")
    if consent.given > today:
        return Decision(None, f"consent is given from {consent.given}, after the build date {today}")
    if consent.withdrawn is not None and consent.withdrawn <= today:
        return Decision(None, f"consent was withdrawn on {consent.withdrawn}")
    if consent.expires is not None and consent.expires <= today:
        return Decision(None, f"consent expired on {consent.expires}")
    if "name" not in consent.fields:
        return Decision(None, "consent does not list 'name' in 'fields'")
    allowed = set(consent.fields)
    return Decision(
        PublicAmbassador(
            locality=ambassador.locality,
            name=ambassador.name,
            role=ambassador.role if "role" in allowed else None,
            phone=ambassador.phone if "phone" in allowed else None,
            email=ambassador.email if "email" in allowed else None,
            photo=ambassador.photo if "photo" in allowed else None,
        ),
        "",
    )
