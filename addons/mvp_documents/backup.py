# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""mvp-backup and mvp-restore (issue 18, item 4; Articles 6.2 and 13.2)

A backup is one encrypted archive (backup_archive) of a tar stream:
``database`` (pg_dump -Fc, or a copy by SQLite's online backup), the file
store of the database (``[database] path``/<database>/) under
``filestore/``, and ``manifest.json`` last: the rows of every table as
counted in the dumped snapshot and the SHA-256 of every file.

The database is dumped from one snapshot (PostgreSQL: the rows are
counted in the snapshot pg_dump uses); the file store is copied after
it.  Stored files are never changed in place and deleted ones are purged
only after [attachment] retention_days, so every file the snapshot
refers to is in the archive.

mvp-restore reads the whole archive once to check it (key, every part,
every hash) before it creates anything, then restores into a NEW
database and file store and checks the counts and hashes again.
"""
import argparse
import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.parse

from .backup_archive import (
    ArchiveError, DecryptingReader, EncryptingWriter, generate_key, load_key)

SUFFIX = '.mvpbackup'
FORMAT = 1
BLOCK = 1024 * 1024


class BackupError(Exception):
    "A refusal with its reason, for the operator"


# --------------------------------------------------------- configuration

class Installation:
    "The database server and file store of a trytond configuration"

    def __init__(self, config_file=None):
        from trytond import config
        config.update_etc(config_file)
        self.uri = config.get('database', 'uri')
        self.path = config.get('database', 'path')
        self.backend = urllib.parse.urlsplit(self.uri).scheme.split('+')[0]
        self.key_file = config.get('backup', 'key_file', default=None)

    def filestore(self, name):
        return os.path.join(self.path, name)

    def sqlite_file(self, name):
        return os.path.join(self.path, name + '.sqlite')

    def pg_uri(self, name):
        parts = urllib.parse.urlsplit(self.uri)
        return urllib.parse.urlunsplit(
            parts._replace(scheme='postgresql', path='/' + name))

    def exists(self, name):
        if self.backend == 'sqlite':
            return os.path.exists(self.sqlite_file(name))
        import psycopg
        with psycopg.connect(self.pg_uri('postgres')) as connection:
            return bool(connection.execute(
                    'SELECT 1 FROM pg_database WHERE datname = %s',
                    (name,)).fetchone())


def read_key(installation, key_file=None):
    "Return the key: MVP_BACKUP_KEY, --key-file or [backup] key_file"
    text = os.environ.get('MVP_BACKUP_KEY')
    path = key_file or installation.key_file
    if not text and path:
        try:
            with open(path) as file:
                text = file.read()
        except OSError as error:
            raise BackupError("Cannot read the key file %s: %s" % (
                    path, error.strerror)) from error
    if not text:
        raise BackupError("No backup key: set MVP_BACKUP_KEY, --key-file "
            "or [backup] key_file (make one with mvp-backup --generate-key).")
    try:
        return load_key(text)
    except ArchiveError as error:
        raise BackupError(str(error)) from error


# --------------------------------------------------------------- tables

def sqlite_counts(connection):
    tables = [r[0] for r in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' "
            "AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    return {t: connection.execute(
            'SELECT COUNT(*) FROM "%s"' % t).fetchone()[0] for t in tables}


def pg_counts(connection):
    tables = [r[0] for r in connection.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
            "ORDER BY tablename")]
    return {t: connection.execute(
            'SELECT COUNT(*) FROM "%s"' % t).fetchone()[0] for t in tables}


def dump_database(installation, name, target):
    "Write the database to target, return its table counts"
    if installation.backend == 'sqlite':
        source = installation.sqlite_file(name)
        if not os.path.exists(source):
            raise BackupError("No database %s (%s)." % (name, source))
        with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
            src.backup(dst)
        with sqlite3.connect(target) as dst:
            return sqlite_counts(dst)
    import psycopg
    if not installation.exists(name):
        raise BackupError("No database %s." % name)
    with psycopg.connect(installation.pg_uri(name)) as connection:
        # the rows are counted in the snapshot that pg_dump dumps
        connection.execute('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY')
        snapshot, = connection.execute(
            'SELECT pg_export_snapshot()').fetchone()
        counts = pg_counts(connection)
        run(['pg_dump', '-Fc', '--snapshot', snapshot, '-f', target,
                '--dbname', installation.pg_uri(name)])
        connection.rollback()
    return counts


def restore_database(installation, name, dump):
    if installation.backend == 'sqlite':
        shutil.copyfile(dump, installation.sqlite_file(name))
        with sqlite3.connect(installation.sqlite_file(name)) as connection:
            return sqlite_counts(connection)
    import psycopg
    with psycopg.connect(installation.pg_uri('postgres'),
            autocommit=True) as connection:
        connection.execute('CREATE DATABASE "%s"' % name)
    run(['pg_restore', '--no-owner', '--exit-on-error',
            '--dbname', installation.pg_uri(name), dump])
    with psycopg.connect(installation.pg_uri(name)) as connection:
        return pg_counts(connection)


def drop_database(installation, name):
    "Remove a database restore created (a restore that failed)"
    if installation.backend == 'sqlite':
        if os.path.exists(installation.sqlite_file(name)):
            os.remove(installation.sqlite_file(name))
        return
    import psycopg
    with psycopg.connect(installation.pg_uri('postgres'),
            autocommit=True) as connection:
        connection.execute('DROP DATABASE IF EXISTS "%s"' % name)


def run(command):
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode:
        raise BackupError("%s failed: %s" % (
                command[0], result.stderr.strip()[-2000:]))


# ---------------------------------------------------------------- files

def store_files(directory):
    "Yield (relative path, absolute path) of the files of a file store"
    for root, dirs, files in os.walk(directory):
        dirs.sort()
        for name in sorted(files):
            if name.startswith('.health-'):
                continue
            path = os.path.join(root, name)
            yield os.path.relpath(path, directory), path


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, 'rb') as file:
        while block := file.read(BLOCK):
            digest.update(block)
    return digest.hexdigest()


class _Hashing:
    "A file read by tarfile, hashed on the way"

    def __init__(self, file):
        self.file, self.digest = file, hashlib.sha256()

    def read(self, size=-1):
        data = self.file.read(size)
        self.digest.update(data)
        return data


def _add(tar, name, path):
    "Add a file to tar, return its sha256 and size"
    info = tar.gettarinfo(path, arcname=name)
    info.uid = info.gid = 0
    info.uname = info.gname = ''
    with open(path, 'rb') as file:
        hashing = _Hashing(file)
        tar.addfile(info, hashing)
    return {'sha256': hashing.digest.hexdigest(), 'size': info.size}


# --------------------------------------------------------------- backup

def backup(installation, name, target, key, now=None):
    "Write an archive of database name into target, return (path, manifest)"
    now = now or dt.datetime.now()
    os.makedirs(target, exist_ok=True)
    stamp = now.strftime('%Y%m%d-%H%M%S')
    path = os.path.join(target, '%s-%s%s' % (name, stamp, SUFFIX))
    partial = path + '.partial'
    manifest = {'format': FORMAT, 'database': name,
        'backend': installation.backend, 'created': now.isoformat(),
        'files': {}}
    with tempfile.TemporaryDirectory(dir=target) as work:
        dump = os.path.join(work, 'database')
        manifest['tables'] = dump_database(installation, name, dump)
        try:
            with open(partial, 'wb') as out, \
                    EncryptingWriter(out, key) as encrypted, \
                    tarfile.open(fileobj=encrypted, mode='w|') as tar:
                manifest['database_dump'] = _add(tar, 'database', dump)
                os.remove(dump)
                for relative, full in store_files(
                        installation.filestore(name)):
                    manifest['files'][relative] = _add(
                        tar, 'filestore/' + relative, full)
                _add_manifest(tar, manifest, work)
            os.replace(partial, path)
        finally:
            if os.path.exists(partial):
                os.remove(partial)
    return path, manifest


def _add_manifest(tar, manifest, work):
    path = os.path.join(work, 'manifest.json')
    with open(path, 'w') as file:
        json.dump(manifest, file, indent=1, sort_keys=True)
    _add(tar, 'manifest.json', path)


def archives(directory, name):
    "Return {path: time} of the archives of database name in directory"
    result = {}
    prefix = name + '-'
    for filename in os.listdir(directory):
        if filename.startswith(prefix) and filename.endswith(SUFFIX):
            stamp = filename[len(prefix):-len(SUFFIX)]
            try:
                result[os.path.join(directory, filename)] = (
                    dt.datetime.strptime(stamp, '%Y%m%d-%H%M%S'))
            except ValueError:
                continue
    return result


def to_keep(times, daily=7, weekly=5, monthly=12):
    """Return the keys of times to keep: the newest of each of the last
    daily days, weekly ISO weeks and monthly months"""
    keep = set()
    newest = sorted(times, key=times.get, reverse=True)
    for count, period in [(daily, lambda t: t.date()),
            (weekly, lambda t: t.isocalendar()[:2]),
            (monthly, lambda t: (t.year, t.month))]:
        seen = []
        for key in newest:
            value = period(times[key])
            if value not in seen:
                if len(seen) >= count:
                    break
                seen.append(value)
                keep.add(key)
    return keep


def rotate(directory, name, **counts):
    "Delete the archives of name that the rotation does not keep"
    times = archives(directory, name)
    kept = to_keep(times, **counts)
    removed = sorted(set(times) - kept)
    for path in removed:
        os.remove(path)
    return removed


def backup_main(argv=None):
    parser = argparse.ArgumentParser(prog='mvp-backup',
        description="Back up a database and its file store into one "
        "encrypted archive, rotated daily, weekly and monthly.")
    parser.add_argument('-c', '--config', default=os.environ.get(
            'TRYTOND_CONFIG'))
    parser.add_argument('-d', '--database')
    parser.add_argument('--target', help="directory of the archives")
    parser.add_argument('--copy-to', action='append', default=[],
        help="a second target (another disk or host mount)")
    parser.add_argument('--key-file')
    parser.add_argument('--daily', type=int, default=7)
    parser.add_argument('--weekly', type=int, default=5)
    parser.add_argument('--monthly', type=int, default=12)
    parser.add_argument('--generate-key', action='store_true',
        help="print a new key and stop")
    args = parser.parse_args(argv)
    if args.generate_key:
        print(generate_key())
        return 0
    if not args.database or not args.target:
        parser.error("--database and --target are required")
    start = time.monotonic()
    try:
        installation = Installation(args.config)
        key = read_key(installation, args.key_file)
        path, manifest = backup(
            installation, args.database, args.target, key)
        removed = rotate(args.target, args.database, daily=args.daily,
            weekly=args.weekly, monthly=args.monthly)
        copies = []
        for copy_to in args.copy_to:
            os.makedirs(copy_to, exist_ok=True)
            copy = os.path.join(copy_to, os.path.basename(path))
            shutil.copyfile(path, copy + '.partial')
            os.replace(copy + '.partial', copy)
            copies.append(copy)
            removed += rotate(copy_to, args.database, daily=args.daily,
                weekly=args.weekly, monthly=args.monthly)
    except (BackupError, ArchiveError, OSError) as error:
        log_run(args.target, {'outcome': 'failed', 'error': str(error),
                'database': args.database})
        print("mvp-backup: %s" % error, file=sys.stderr)
        return 2
    entry = {'outcome': 'done', 'database': args.database, 'archive': path,
        'copies': copies, 'bytes': os.path.getsize(path),
        'tables': len(manifest['tables']),
        'rows': sum(manifest['tables'].values()),
        'files': len(manifest['files']), 'removed': removed,
        'seconds': round(time.monotonic() - start, 1)}
    log_run(args.target, entry)
    print(json.dumps(entry, ensure_ascii=False))
    return 0


def log_run(target, entry):
    "Append the run to <target>/backup.log (one JSON line)"
    entry = dict(entry, at=dt.datetime.now().isoformat(timespec='seconds'))
    try:
        os.makedirs(target, exist_ok=True)
        with open(os.path.join(target, 'backup.log'), 'a') as log:
            log.write(json.dumps(entry, ensure_ascii=False) + '\n')
    except (OSError, TypeError):
        pass


# -------------------------------------------------------------- restore

def _members(path, key):
    "Yield (tar member, its file object) of the archive at path"
    with open(path, 'rb') as raw:
        reader = DecryptingReader(raw, key)
        try:
            with tarfile.open(fileobj=reader, mode='r|') as tar:
                for member in tar:
                    yield member, tar.extractfile(member)
        except tarfile.TarError as error:
            raise ArchiveError("The backup is damaged: %s." % error) from error


def _copy(source, destination=None):
    "Copy a member to destination (or nowhere), return its sha256"
    digest = hashlib.sha256()
    out = open(destination, 'wb') if destination else None
    try:
        while block := source.read(BLOCK):
            digest.update(block)
            if out:
                out.write(block)
    finally:
        if out:
            out.close()
    return digest.hexdigest()


def check(path, key):
    """Read the whole archive, return its manifest if every part and
    every hash is right; raise ArchiveError otherwise"""
    hashes, manifest = {}, None
    for member, file in _members(path, key):
        if member.name == 'manifest.json':
            manifest = json.load(file)
        elif file is not None:
            hashes[member.name] = _copy(file)
    if manifest is None:
        raise ArchiveError("The backup has no manifest: it is incomplete.")
    expected = {'filestore/' + k: v['sha256']
        for k, v in manifest['files'].items()}
    expected['database'] = manifest['database_dump']['sha256']
    wrong = sorted(k for k in expected if hashes.get(k) != expected[k])
    if wrong or set(hashes) != set(expected):
        raise ArchiveError("The backup does not match its manifest: %s."
            % ', '.join((wrong or sorted(set(hashes) ^ set(expected)))[:5]))
    return manifest


def restore(installation, path, name, key, report=print):
    """Restore the archive at path into the new database name and its
    file store, return the list of problems found afterwards"""
    manifest = check(path, key)
    if manifest['backend'] != installation.backend:
        raise BackupError("The backup is of a %s database, the "
            "configuration is for %s." % (manifest['backend'],
                installation.backend))
    filestore = installation.filestore(name)
    if installation.exists(name):
        raise BackupError("The database %s already exists: restore into "
            "a new one." % name)
    if os.path.exists(filestore) and os.listdir(filestore):
        raise BackupError("The file store %s is not empty." % filestore)
    report("Archive %s checked: %d tables, %d files, backup of %s made %s."
        % (path, len(manifest['tables']), len(manifest['files']),
            manifest['database'], manifest['created']))
    try:
        counts = _extract(installation, path, name, key, filestore)
    except BaseException:
        drop_database(installation, name)
        shutil.rmtree(filestore, ignore_errors=True)
        raise
    return verify(manifest, counts, filestore, report)


def _extract(installation, path, name, key, filestore):
    os.makedirs(installation.path, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=installation.path) as work:
        dump = os.path.join(work, 'database')
        for member, file in _members(path, key):
            if member.name == 'database':
                _copy(file, dump)
            elif member.name.startswith('filestore/') and file is not None:
                relative = member.name[len('filestore/'):]
                target = os.path.normpath(os.path.join(filestore, relative))
                if not target.startswith(filestore + os.sep):
                    raise ArchiveError("Bad path in the backup: %s"
                        % member.name)
                os.makedirs(os.path.dirname(target), exist_ok=True)
                _copy(file, target)
        return restore_database(installation, name, dump)


def verify(manifest, counts, filestore, report=print):
    "Compare the restored database and files with the manifest"
    problems = []
    for table, count in sorted(manifest['tables'].items()):
        if counts.get(table) != count:
            problems.append("table %s: %s rows, expected %s" % (
                    table, counts.get(table), count))
    size = 0
    for relative, entry in sorted(manifest['files'].items()):
        path = os.path.join(filestore, relative)
        if not os.path.exists(path):
            problems.append("file %s missing" % relative)
        elif sha256_of(path) != entry['sha256']:
            problems.append("file %s: SHA-256 differs" % relative)
        else:
            size += entry['size']
    report("Tables: %d, rows: %d (every count checked)." % (
            len(counts), sum(counts.values())))
    report("Files: %d, %d bytes (every SHA-256 checked)." % (
            len(manifest['files']), size))
    for problem in problems:
        report("PROBLEM: " + problem)
    report("RESTORE %s" % ('FAILED' if problems else 'OK'))
    return problems


def restore_main(argv=None):
    parser = argparse.ArgumentParser(prog='mvp-restore',
        description="Restore a backup into a new database and file store, "
        "checking every file's hash and the record counts.")
    parser.add_argument('archive')
    parser.add_argument('-c', '--config', default=os.environ.get(
            'TRYTOND_CONFIG'))
    parser.add_argument('-d', '--database', required=True,
        help="the NEW database to create")
    parser.add_argument('--key-file')
    args = parser.parse_args(argv)
    try:
        installation = Installation(args.config)
        key = read_key(installation, args.key_file)
        problems = restore(installation, args.archive, args.database, key)
    except (BackupError, ArchiveError) as error:
        print("mvp-restore: refused, nothing was restored: %s" % error,
            file=sys.stderr)
        return 2
    except OSError as error:
        print("mvp-restore: %s" % error, file=sys.stderr)
        return 2
    return 1 if problems else 0

