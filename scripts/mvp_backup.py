#!/usr/bin/env python3
# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Back up or restore an installation from a checkout (the installed
commands are mvp-backup and mvp-restore):

    scripts/mvp_backup.py backup -c config/production.conf -d mvp \\
        --target /var/backups/mvp --copy-to /mnt/offsite/mvp
    scripts/mvp_backup.py restore -c config/production.conf -d mvp_restored \\
        /var/backups/mvp/mvp-20261207-020000.mvpbackup

The key comes from MVP_BACKUP_KEY, --key-file or [backup] key_file;
`scripts/mvp_backup.py backup --generate-key` prints a new one.
"""
import sys

from trytond.modules.mvp_documents.backup import backup_main, restore_main

if __name__ == '__main__':
    commands = {'backup': backup_main, 'restore': restore_main}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(commands[sys.argv[1]](sys.argv[2:]))
