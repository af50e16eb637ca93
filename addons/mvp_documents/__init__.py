# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from . import (  # noqa: F401
    cursor_rows, integrity, monitoring, protection, sqlite_transactions)

cursor_rows.install()
sqlite_transactions.install()
protection.install()
integrity.install()
