# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""An iCalendar object (RFC 5545) of one meeting, for the invitees'
calendars: METHOD:REQUEST for an invitation or a change, METHOD:CANCEL
for a cancellation (RFC 5546).  Times are UTC, as stored."""
import datetime as dt

__all__ = ['calendar', 'escape']


def escape(text):
    "Return text as an iCalendar TEXT value (RFC 5545 3.3.11)"
    return (text.replace('\\', '\\\\').replace(';', '\\;')
        .replace(',', '\\,').replace('\r\n', '\\n').replace('\n', '\\n'))


def _fold(line):
    "Return the content line folded at 75 octets (RFC 5545 3.1)"
    parts, current = [], b''
    for char in line:
        encoded = char.encode('utf-8')
        if len(current) + len(encoded) > (75 if not parts else 74):
            parts.append(current)
            current = b''
        current += encoded
    parts.append(current)
    return b'\r\n '.join(parts)


def _utc(value):
    return value.strftime('%Y%m%dT%H%M%SZ')


def _address(name, email):
    return 'CN="%s":mailto:%s' % (name.replace('"', "'"), email)


def calendar(method, uid, sequence, start, end, summary, location=None,
        description=None, organizer=None, attendees=(), stamp=None):
    """Return the bytes of a VCALENDAR with one VEVENT

    start, end and stamp are naive UTC datetimes; organizer is a (name,
    e-mail) pair and attendees a list of them."""
    stamp = stamp or dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    lines = [
        'BEGIN:VCALENDAR',
        'VERSION:2.0',
        'PRODID:-//MVP Office//Meeting//VI',
        'CALSCALE:GREGORIAN',
        'METHOD:%s' % method,
        'BEGIN:VEVENT',
        'UID:%s' % uid,
        'DTSTAMP:%s' % _utc(stamp),
        'DTSTART:%s' % _utc(start),
        'DTEND:%s' % _utc(end),
        'SEQUENCE:%d' % sequence,
        'STATUS:%s' % ('CANCELLED' if method == 'CANCEL' else 'CONFIRMED'),
        'SUMMARY:%s' % escape(summary),
        ]
    if location:
        lines.append('LOCATION:%s' % escape(location))
    if description:
        lines.append('DESCRIPTION:%s' % escape(description))
    if organizer:
        lines.append('ORGANIZER;%s' % _address(*organizer))
    for attendee in attendees:
        lines.append('ATTENDEE;ROLE=REQ-PARTICIPANT;%s' % _address(
                *attendee))
    lines += ['END:VEVENT', 'END:VCALENDAR']
    return b''.join(_fold(line) + b'\r\n' for line in lines)
