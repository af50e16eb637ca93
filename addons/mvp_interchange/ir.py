# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.pool import PoolMeta


class Cron(metaclass=PoolMeta):
    __name__ = 'ir.cron'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.method.selection.extend([
                ('mvp.interchange.message|send_due',
                    "Send Due Interchange Messages"),
                ('mvp.interchange.message|check_stuck',
                    "Alert on Stuck Interchange Messages"),
                ('mvp.interchange.peer|poll_hubs',
                    "Fetch Documents from the Axes"),
                ('mvp.interchange.peer|track_sent',
                    "Follow Delivery on the Axes"),
                ('mvp.interchange.peer|refresh_directories',
                    "Refresh the Agency Directory of the Axes"),
                ])
