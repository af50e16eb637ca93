# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"The edXML status codes (QCVN 102 §2) and how they move a sent package"

# Statuses the recipient sends back; 13 comes from the original sender.
RECIPIENT_CODES = {'01', '02', '03', '04', '05', '06', '15', '16'}
# Order of the per-recipient view: a status never moves it backwards.
STATUS_RANK = {'01': 1, '02': 2, '03': 3, '04': 4, '05': 5, '06': 6,
    '15': 9}
RECALL_REQUEST = '13'


def is_recipient_code(code):
    "Whether code is a status a recipient sends back to the sender"
    return code in RECIPIENT_CODES


def advances(code, current):
    "Whether status code moves a package whose last status is current"
    rank = STATUS_RANK.get(code)
    return rank is not None and rank > STATUS_RANK.get(current or '', 0)
