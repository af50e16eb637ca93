# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Time-based one-time passwords (RFC 6238) and recovery codes.

Pure functions, no Pool: the models keep the secrets and the last time
step used.  Codes are 6 digits for 30 seconds (what every authenticator
app shows by default); one step either side is accepted for the clocks
of phones.  A code is accepted only for a time step after the last one
used, so a code seen over a shoulder or in a proxy log is worth nothing
once used.
"""
import hashlib
import hmac
import io
import secrets
import time

import pyotp
import segno

__all__ = ['new_secret', 'provisioning_uri', 'qr_png', 'matching_step',
    'current_step', 'new_recovery_codes', 'recovery_hash',
    'normalize_code', 'is_totp_code']

DIGITS = 6
INTERVAL = 30
# steps accepted before and after the server's: a phone's clock drifts
DRIFT = 1
RECOVERY_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789'  # no 0/O, 1/I


def new_secret() -> str:
    "A new random base32 secret of 160 bits (RFC 4226's advice)"
    return pyotp.random_base32(32)


def provisioning_uri(secret: str, login: str, issuer: str) -> str:
    "The otpauth:// URI an authenticator app reads from the QR code"
    return pyotp.TOTP(secret, digits=DIGITS, interval=INTERVAL
        ).provisioning_uri(name=login, issuer_name=issuer)


def qr_png(uri: str) -> bytes:
    "The QR code of uri as a PNG image"
    buffer = io.BytesIO()
    segno.make(uri, error='m').save(buffer, kind='png', scale=6, border=4)
    return buffer.getvalue()


def current_step(now: float | None = None) -> int:
    "The RFC 6238 time step of now (seconds since the epoch)"
    return int((time.time() if now is None else now) // INTERVAL)


def normalize_code(code: str) -> str:
    "The code as typed, without spaces and dashes, upper case"
    return ''.join(str(code or '').split()).replace('-', '').upper()


def is_totp_code(code: str) -> bool:
    return len(code) == DIGITS and code.isdigit()


def matching_step(secret: str, code: str, now: float | None = None):
    """Return the time step whose code is code (within the drift), or
    None.  The caller refuses a step not after the last one used."""
    code = normalize_code(code)
    if not is_totp_code(code):
        return None
    totp = pyotp.TOTP(secret, digits=DIGITS, interval=INTERVAL)
    step = current_step(now)
    for candidate in range(step - DRIFT, step + DRIFT + 1):
        if hmac.compare_digest(totp.generate_otp(candidate), code):
            return candidate
    return None


def new_recovery_codes(count: int = 10) -> list[str]:
    "count one-time recovery codes, XXXXX-XXXXX (50 bits each)"
    codes = []
    for _ in range(count):
        raw = ''.join(secrets.choice(RECOVERY_ALPHABET) for _ in range(10))
        codes.append(raw[:5] + '-' + raw[5:])
    return codes


def recovery_hash(user_id: int, code: str) -> str:
    """The stored form of a recovery code: SHA-256 salted with the
    account (the codes are random, a slow hash adds nothing)"""
    return hashlib.sha256(
        ('%s:%s' % (user_id, normalize_code(code))).encode()).hexdigest()
