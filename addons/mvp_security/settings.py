# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The options of the [mvp_security] section of the server configuration.

Read on every use (not at import) so that a test or a restarted server
sees the file's values; every option can also come from the environment
as TRYTOND_MVP_SECURITY__<OPTION>.
"""
import datetime as dt
import ipaddress

from trytond import config

SECTION = 'mvp_security'


def _seconds(option, default):
    return dt.timedelta(
        seconds=config.getint(SECTION, option, default=default))


def lock_attempts():
    "Failed sign-ins in a row that lock the login (QCVN 12: at most 5)"
    return config.getint(SECTION, 'lock_attempts', default=5)


def lock_duration():
    "How long a lock lasts unless an administrator lifts it (12 h)"
    return _seconds('lock_duration', 12 * 3600)


def idle_timeout():
    "Idle time after which a session ends (15 min, business software)"
    return _seconds('idle_timeout', 15 * 60)


def admin_idle_timeout():
    "Idle time after which an administrator's session ends (5 min)"
    return _seconds('admin_idle_timeout', 5 * 60)


def admin_password_max_age():
    "Age after which an administrator must change their password"
    return dt.timedelta(
        days=config.getint(SECTION, 'admin_password_days', default=60))


def admin_password_history():
    "How many previous passwords an administrator may not reuse"
    return config.getint(SECTION, 'admin_password_history', default=10)


def inactive_days():
    "Days without sign-in after which the cron disables an account"
    return dt.timedelta(
        days=config.getint(SECTION, 'inactive_days', default=45))


def display_timezone():
    "The time zone the users are told times in"
    return config.get(SECTION, 'timezone', default='Asia/Ho_Chi_Minh')


def trusted_networks():
    """The provincial networks (CIDRs, comma-separated) from which an
    account that is not an administrator signs in without a second
    factor; none by default: every sign-in is from outside"""
    value = config.get(SECTION, 'trusted_networks', default='') or ''
    return [ipaddress.ip_network(n.strip(), strict=False)
        for n in value.split(',') if n.strip()]


def enrolment_window():
    """How long a new account, or one whose second factor was reset, may
    enrol its authenticator during sign-in (72 h)"""
    return dt.timedelta(
        hours=config.getint(SECTION, 'enrolment_hours', default=72))


def reauthentication_window():
    "How long a confirmation with the second factor allows one destruction"
    return _seconds('reauthentication_seconds', 5 * 60)


def otp_issuer():
    "The name the authenticator app shows beside the account"
    return config.get(SECTION, 'otp_issuer', default='MVP Office')
