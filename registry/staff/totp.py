"""The second factor: time-based one-time passwords (RFC 6238, 30-second steps, 6 digits),
as authenticator apps make them. A code is accepted once."""

from __future__ import annotations

import datetime as dt

import pyotp

ISSUER = "Ketenregister"
STEP_SECONDS = 30


def new_secret() -> str:
    """A fresh base32 secret (160 bits) for an authenticator app."""
    return pyotp.random_base32(32)


def provisioning_uri(secret: str, username: str) -> str:
    """The ``otpauth://`` URI an authenticator app reads (as a QR code or typed in)."""
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=ISSUER)


def code_at(secret: str, when: dt.datetime) -> str:
    """The code valid at ``when`` (the demo and the tests use it)."""
    return pyotp.TOTP(secret).at(when)


def accepted_step(secret: str, code: str, when: dt.datetime, last_step: int | None) -> int | None:
    """The time step ``code`` belongs to, if it is valid at ``when`` (one step of clock drift
    either way) and later than ``last_step``, the last one accepted; otherwise None."""
    code = code.strip().replace(" ", "")
    if not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    now_step = int(when.timestamp()) // STEP_SECONDS
    for step in (now_step, now_step - 1, now_step + 1):
        if last_step is not None and step <= last_step:
            continue
        if pyotp.utils.strings_equal(totp.generate_otp(step), code):
            return step
    return None
