# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"The start of the module's command-line tools"


def start_pool(config_file, database):
    """Read config_file (if given) and load the pool of database, as
    trytond's own commands do"""
    from trytond import config
    if config_file:
        config.update_etc(config_file)
    from trytond.pool import Pool
    from trytond.transaction import Transaction

    Pool.start()
    if database not in Pool.database_list():
        pool = Pool(database)
        with Transaction().start(database, 0, readonly=True):
            pool.init()
