# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Verify the hash chain of the security audit trail.

    python -m trytond.modules.mvp_security.verify -c trytond.conf -d mvp
    mvp-audit-verify -c trytond.conf -d mvp

Exit status 0 when the chain is intact, 1 with the id of the first row
that breaks it (changed, removed before it, or inserted).
"""
import argparse
import sys


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog='mvp-audit-verify',
        description="Verify the hash chain of the security audit trail")
    parser.add_argument('-c', '--config', dest='config',
        help="the trytond configuration file")
    parser.add_argument('-d', '--database', dest='database', required=True)
    options = parser.parse_args(argv)

    from .command import start_pool
    start_pool(options.config, options.database)
    from trytond.transaction import Transaction

    from .audit import verify

    with Transaction().start(options.database, 0, readonly=True):
        count, reason = verify()
    if reason:
        print("BROKEN at audit row %s: %s" % (count, reason))
        return 1
    print("OK: %d audit rows, chain intact" % count)
    return 0


if __name__ == '__main__':
    sys.exit(main())
