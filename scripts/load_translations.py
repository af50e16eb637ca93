#!/usr/bin/env python3
# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Make the Vietnamese translations effective in a database.

Run it after the modules are activated (scripts/demo.py does):

    scripts/load_translations.py --config config/demo.conf --database mvp

Tryton 8.0 ships no Vietnamese, and its override mechanism
(<module>/locale/override/vi.po with msgctxt "...:ir.menu_administration")
only updates translation rows that already exist: on a fresh database it
fails with ValueError, and the wizards that would create the rows refuse
to run when the default language is not English.  So this script:

1. creates or updates the rows of the core records we translate (menus,
   actions, messages, groups, buttons of ir/res/company/party...) from
   locale/core/vi.po, and of any "module.xml_id" entry in the activated
   modules' locale/override/vi.po;
2. imports every activated module's locale/vi.po and locale/override/vi.po
   as `trytond-admin -u <module> -l vi` would.

Field labels, help texts, selections and view strings of core models need
no row to exist: they live in addons/mvp_documents/locale/override/vi.po
without a module prefix and trytond loads them with mvp_documents.
Running the script again updates the values.
"""
import argparse
import glob
import logging
import os
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
CORE_PO = ROOT / 'locale' / 'core'
OWNER = 'mvp_documents'
ACTION_MODELS = {
    'ir.action.act_window', 'ir.action.report', 'ir.action.wizard',
    'ir.action.url',
    }
logger = logging.getLogger('load_translations')


def load(config_file, database, language='vi'):
    """Load the translations of language into database; return counts.

    config_file is a trytond configuration file (or None to keep the
    configuration already loaded in this process).
    """
    from trytond import config
    if config_file:
        config.update_etc(str(config_file))
    from trytond.pool import Pool
    from trytond.transaction import Transaction

    if database not in Pool.database_list():
        Pool.start()
        Pool(database).init()
    with Transaction().start(database, 0, readonly=False) as transaction:
        counts = _load(language)
        transaction.commit()
    return counts


def _load(language):
    from trytond.pool import Pool
    pool = Pool()
    Lang = pool.get('ir.lang')
    Module = pool.get('ir.module')
    Translation = pool.get('ir.translation')

    langs = Lang.search([('code', '=', language)])
    if not langs:
        raise ValueError("Language %r is not in this database "
            "(mvp_documents/lang.xml creates vi)" % language)
    Lang.write(langs, {'translatable': True})

    modules = Module.search([('state', '=', 'activated')])
    module_files = {}
    for module in modules:
        files = _module_files(module.name, language)
        if files:
            module_files[module.name] = files

    core_files = sorted(glob.glob(str(CORE_PO / ('%s.po' % language))))
    records = 0
    for path in core_files:
        records += _set_records(language, path, OWNER, values=True)
    for name, files in module_files.items():
        for path in files:
            if os.path.basename(os.path.dirname(path)) == 'override':
                _set_records(language, path, name, values=False)

    imported = 0
    for name, files in module_files.items():
        imported += Translation.translation_import(language, name, files)
    return {'records': records, 'module_entries': imported}


def _module_files(module, language):
    from trytond.modules import get_module_info
    try:
        directory = get_module_info(module)['directory']
    except Exception:
        return []
    return [p for p in [
            os.path.join(directory, 'locale', '%s.po' % language),
            os.path.join(directory, 'locale', 'override', '%s.po' % language),
            ] if os.path.isfile(p)]


def _set_records(language, path, owner, values):
    """Make sure a row exists for each "module.xml_id" entry of path.

    With values, also set the translated text (for files that trytond
    does not import itself).  Return the number of entries handled.
    """
    from trytond.pool import Pool
    pool = Pool()
    Translation = pool.get('ir.translation')

    count = 0
    to_save = []
    for entry in polib.pofile(path):
        if entry.obsolete or not entry.msgctxt:
            continue
        ttype, name, res_id = entry.msgctxt.split(':')
        if '.' not in res_id:
            continue
        module, fs_id = res_id.split('.', 1)
        if fs_id:
            db_id = _db_id(name.split(',')[0], module, fs_id)
        else:
            db_id = -1
        if db_id is None:
            logger.info("skip %s: not in this database", entry.msgctxt)
            continue
        domain = [
            ('lang', '=', language),
            ('type', '=', ttype),
            ('name', '=', name),
            ('res_id', '=', db_id),
            ]
        if ttype != 'model':
            domain.append(('src', '=', entry.msgid))
        rows = Translation.search(domain)
        if not rows:
            source = Translation.search(
                [('lang', '=', 'en')] + domain[1:], limit=1)
            rows = [Translation(
                    lang=language, type=ttype, name=name, res_id=db_id,
                    module=source[0].module if source else module,
                    src=source[0].src if source else entry.msgid,
                    src_plural=entry.msgid_plural or None,
                    value='')]
        if values:
            for row in rows:
                _set_value(row, entry, owner)
            to_save.extend(rows)
        else:
            to_save.extend(r for r in rows if r.id is None)
        count += 1
    Translation.save(to_save)
    return count


def _set_value(row, entry, owner):
    if entry.msgid_plural:
        forms = [entry.msgstr_plural.get(i) for i in range(4)]
        row.value, row.value_1, row.value_2, row.value_3 = forms
    else:
        row.value = entry.msgstr
    row.fuzzy = 'fuzzy' in entry.flags
    row.overriding_module = owner


def _db_id(model, module, fs_id):
    from trytond.pool import Pool
    ModelData = Pool().get('ir.model.data')
    for data in ModelData.search([
                ('module', '=', module),
                ('fs_id', '=', fs_id),
                ]):
        if (data.model == model
                or (model == 'ir.action' and data.model in ACTION_MODELS)):
            return data.db_id
    return None


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('-c', '--config', required=True,
        help="trytond configuration file")
    parser.add_argument('-d', '--database', required=True)
    parser.add_argument('-l', '--language', default='vi')
    options = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    counts = load(options.config, options.database, options.language)
    print("%s: %d core records, %d module entries translated (%s)" % (
            options.database, counts['records'], counts['module_entries'],
            options.language))


if __name__ == '__main__':
    sys.exit(main())
