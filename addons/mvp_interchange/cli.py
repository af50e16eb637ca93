# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""mvp-edxml: import edXML package files as if they had arrived, or check
them without a database.  One JSON line per file."""
import argparse
import json
import os
import sys

MODULE = 'trytond.modules.mvp_interchange.cli'


def parse_args(argv=None):
    parser = argparse.ArgumentParser(prog='mvp-edxml',
        description="Import or check edXML packages and statuses.")
    commands = parser.add_subparsers(dest='command', required=True)
    imp = commands.add_parser('import',
        help="import files as if they had arrived from a peer")
    imp.add_argument('-c', '--config', required=True,
        help="trytond configuration file")
    imp.add_argument('-d', '--database', required=True)
    imp.add_argument('--peer', help="name of the peer they came from")
    imp.add_argument('files', nargs='+', metavar='FILE')
    check = commands.add_parser('check',
        help="parse and check files, no database")
    check.add_argument('files', nargs='+', metavar='FILE')
    return parser.parse_args(argv)


def line(path, outcome, reason=None, document=None, **extra):
    return json.dumps(dict(file=path, outcome=outcome, reason=reason,
            document=document, **extra), ensure_ascii=False)


def check_files(files):
    from . import xml_io
    for path in files:
        try:
            parsed = xml_io.parse(path)
        except (xml_io.EdxmlError, OSError) as error:
            yield line(path, 'rejected', _reason(error))
            continue
        if isinstance(parsed, xml_io.Status):
            yield line(path, 'accepted', document=parsed.response_for
                .document_id, status=parsed.status_code)
            continue
        problems = xml_io.fatal(xml_io.check(parsed))
        parsed.close()
        yield line(path, 'rejected' if problems else 'accepted',
            ' '.join(f'{p.code}: {p.message}' for p in problems) or None,
            parsed.document_id)


def _reason(error):
    code = getattr(error, 'code', type(error).__name__)
    return f'{code}: {error}'


def import_files(database, files, peer_name=None):
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    pool = Pool(database)
    pool.init()
    for path in files:
        try:
            stream = open(path, 'rb')
        except OSError as error:
            yield line(path, 'rejected', _reason(error))
            continue
        with stream, Transaction().start(database, 0) as transaction:
            Message = pool.get('mvp.interchange.message')
            Peer = pool.get('mvp.interchange.peer')
            peer = None
            if peer_name:
                peer, = Peer.search([('name', '=', peer_name)], limit=1)
            answer = Message.receive(peer, stream)
            transaction.commit()
        documents = answer.get('documents') or []
        reason = None
        if answer.get('outcome') == 'rejected':
            reason = f"{answer.get('code')}: {answer.get('message')}"
        yield line(path, answer.get('outcome'), reason,
            documents[0] if documents else None, message=answer.get('id'),
            documents=documents)


def main(argv=None):
    args = parse_args(argv)
    if args.command == 'check':
        lines = check_files(args.files)
    else:
        config_file = os.path.abspath(args.config)
        if os.environ.get('TRYTOND_CONFIG') != config_file:
            # trytond chooses its database backend when first imported
            # (here, before the arguments were read): start again with
            # the configuration in the environment.
            os.environ['TRYTOND_CONFIG'] = config_file
            os.execv(sys.executable, [sys.executable, '-m', MODULE]
                + list(argv if argv is not None else sys.argv[1:]))
        lines = import_files(args.database, args.files, args.peer)
    for text in lines:
        print(text, flush=True)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
