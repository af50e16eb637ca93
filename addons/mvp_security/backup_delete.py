# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Deleting a backup by hand asks for the second factor (QCVN 12:2026/BCA
2.2.12.2.6: re-authentication before data are deleted or destroyed).

    mvp-backup-delete -c trytond.conf -d mvp --target /var/backups/mvp \\
        --copy-to /mnt/offsite --login admin.tinh \\
        mvp-20261201-020000.mvpbackup

mvp-backup's rotation goes on deleting, unattended, what its daily,
weekly and monthly policy does not keep; this command is for the one
archive an operator deletes by hand (damaged, or holding data that must
go).  Only a provincial administrator with an enrolled second factor may,
with a current code (asked for when --code is not given, so that it
stays out of the shell's history); the archive goes from the target and
from every --copy-to.  Each deletion and each refusal is in the audit
trail.  The last archive of a database is never deleted.
"""
import argparse
import getpass
import json
import os
import sys

from trytond.i18n import gettext

from trytond.modules.mvp_documents.backup import archives, log_run


class Refused(Exception):
    "A refusal, in the operator's language"

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def refuse(message_id, **values):
    raise Refused(gettext('mvp_security.%s' % message_id, **values))


def authorise(database, target, archive, login, code):
    """Check that login may delete archive (a file name in target) with
    code and record the deletion; raise Refused otherwise.  Runs in a
    transaction of the database whose backups these are."""
    path = os.path.join(target, os.path.basename(archive))
    known = archives(target, database) if os.path.isdir(target) else {}
    if path not in known:
        refuse('msg_backup_delete_unknown', archive=archive)
    if len(known) == 1:
        refuse('msg_backup_delete_last', archive=archive)
    user = _province_admin(login)
    _check_second_factor(user, code)
    _record('backup_delete', user, archive)
    return path


def _province_admin(login):
    "The active provincial administrator of login, or Refused"
    from trytond.modules.mvp_documents.role import is_province_admin
    from trytond.pool import Pool
    from trytond.transaction import Transaction, without_check_access
    User = Pool().get('res.user')
    with without_check_access():
        users = User.search([('login', '=', login)], limit=1)
    if users:
        with Transaction().set_user(users[0].id):
            allowed = is_province_admin()
    if not users or not allowed:
        _record('backup_delete_refused', users[0] if users else None, '',
            login=login)
        refuse('msg_backup_delete_not_allowed', login=login)
    return users[0]


def _check_second_factor(user, code):
    from trytond.pool import Pool
    SecondFactor = Pool().get('mvp.security.second_factor')
    factor = SecondFactor.of(user.id)
    if not factor or not factor.is_enrolled:
        _record('backup_delete_refused', user, '')
        refuse('msg_second_factor_enrol_first')
    result = factor.check(code or '')
    if result == 'recovery':
        _record('totp_recovery', user, 'backup deletion')
    elif result != 'valid':
        _record('totp_replay' if result == 'replayed' else 'totp_failed',
            user, 'backup deletion')
        refuse('msg_second_factor_%s' % result)


def _record(event, user, details, login=None):
    from .audit import record
    record(event, account=user, login=login or (user.login if user else None),
        details=details)


def main(argv=None):
    parser = argparse.ArgumentParser(prog='mvp-backup-delete',
        description="Delete one backup archive, confirmed with the second "
        "factor of a provincial administrator.")
    parser.add_argument('-c', '--config', default=os.environ.get(
            'TRYTOND_CONFIG'))
    parser.add_argument('-d', '--database', required=True)
    parser.add_argument('--target', required=True,
        help="directory of the archives")
    parser.add_argument('--copy-to', action='append', default=[],
        help="a second target holding copies of the archives")
    parser.add_argument('--login', required=True,
        help="the provincial administrator who deletes")
    parser.add_argument('--code', help="a current code of the "
        "administrator's authenticator app (asked for when not given)")
    parser.add_argument('archive', help="the archive's file name")
    options = parser.parse_args(argv)

    from trytond.transaction import Transaction

    from .command import start_pool
    start_pool(options.config, options.database)
    code = options.code or getpass.getpass("Mã xác thực hai lớp: ")
    with Transaction().start(options.database, 0,
            context={'language': 'vi'}) as transaction:
        try:
            path = authorise(options.database, options.target,
                options.archive, options.login, code)
        except Refused as refusal:
            # the refusal stays in the audit trail
            transaction.commit()
            print("mvp-backup-delete: %s" % refusal.message, file=sys.stderr)
            return 2
        transaction.commit()
    name = os.path.basename(path)
    removed = [p for p in [path] + [
            os.path.join(c, name) for c in options.copy_to]
        if os.path.exists(p)]
    for removing in removed:
        os.remove(removing)
    entry = {'outcome': 'deleted', 'database': options.database,
        'archive': name, 'removed': removed, 'by': options.login}
    log_run(options.target, entry)
    print(json.dumps(entry, ensure_ascii=False))
    return 0


if __name__ == '__main__':
    sys.exit(main())
