# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import csv
import io

from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, Unique, fields
from trytond.pool import Pool
from trytond.transaction import check_access
from trytond.wizard import Button, StateTransition, StateView, Wizard

from .exceptions import RouteError
from .peer import check_province_admin

DEFAULT = '*'
CSV_FIELDS = ['identifier_code', 'name', 'peer']


class Route(ModelSQL, ModelView):
    __name__ = 'mvp.interchange.route'
    __string__ = "Interchange Route"
    # The agency directory: identifier code -> the peer installation or
    # axis that delivers to it; '*' is the default route.
    identifier_code = fields.Char("Identifier Code", required=True,
        help="The agency's mã định danh, or * for every other agency.")
    name = fields.Char("Agency Name")
    peer = fields.Many2One('mvp.interchange.peer', "Peer", required=True,
        ondelete='CASCADE')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('identifier_code_unique', Unique(t, t.identifier_code),
                'mvp_interchange.msg_route_identifier_code_unique'),
            ]
        cls._order.insert(0, ('identifier_code', 'ASC'))

    @classmethod
    def check_modification(cls, mode, routes, values=None, external=False):
        super().check_modification(
            mode, routes, values=values, external=external)
        if external:
            # a route gives its peer the right to speak for the code
            check_province_admin(routes, fields=values or (),
                model=cls.__name__)

    def get_rec_name(self, name):
        return f'{self.identifier_code} {self.name or ""}'.strip()

    @classmethod
    def peer_for(cls, code):
        "The peer delivering to the agency code, or None"
        routes = cls.search([('identifier_code', 'in', [code, DEFAULT])])
        routes.sort(key=lambda r: r.identifier_code == DEFAULT)
        for route in routes:
            if route.peer.active:
                return route.peer
        return None

    @classmethod
    def sender_peer(cls, code):
        """The active peer that may send in the name of the agency code:
        the peer of the code's route, else of the default route"""
        routes = cls.search([('identifier_code', '=', code)], limit=1)
        if not routes:
            routes = cls.search([('identifier_code', '=', DEFAULT)], limit=1)
        if routes and routes[0].peer.active:
            return routes[0].peer
        return None

    @classmethod
    def import_csv(cls, data):
        """Create or update routes from CSV text with the columns
        identifier_code, name, peer (the peer's name)."""
        pool = Pool()
        Peer = pool.get('mvp.interchange.peer')
        peers = {p.name: p for p in Peer.search([])}
        existing = {r.identifier_code: r for r in cls.search([])}
        to_save = []
        reader = csv.DictReader(io.StringIO(data))
        for line, row in enumerate(reader, 2):
            code = (row.get('identifier_code') or '').strip()
            peer = peers.get((row.get('peer') or '').strip())
            if not code or peer is None:
                raise RouteError(gettext(
                        'mvp_interchange.msg_route_import_line',
                        line=line, row=', '.join(map(str, row.values()))))
            route = existing.get(code) or cls(identifier_code=code)
            route.name = (row.get('name') or '').strip()
            route.peer = peer
            to_save.append(route)
        cls.save(to_save)
        return to_save

    @classmethod
    def export_csv(cls, routes=None):
        if routes is None:
            routes = cls.search([])
        out = io.StringIO()
        writer = csv.writer(out, lineterminator='\n')
        writer.writerow(CSV_FIELDS)
        for route in routes:
            writer.writerow(
                [route.identifier_code, route.name or '', route.peer.name])
        return out.getvalue()


class RouteImportStart(ModelView):
    __name__ = 'mvp.interchange.route.import.start'
    __string__ = "Import Routes"
    data = fields.Binary("CSV File", required=True,
        help="Columns: identifier_code, name, peer.")


class RouteImport(Wizard):
    "Import Routes"
    __name__ = 'mvp.interchange.route.import'
    start = StateView('mvp.interchange.route.import.start',
        'mvp_interchange.route_import_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Import", 'import_', 'tryton-ok', default=True),
            ])
    import_ = StateTransition()

    def transition_import_(self):
        # Wizard.execute runs without access checks and the action's
        # groups can be dodged with another action_id in the context
        Route = Pool().get('mvp.interchange.route')
        check_province_admin(model=Route.__name__, fields=['data'])
        data = self.start.data
        text = data.decode('utf-8-sig') if isinstance(data, bytes) else data
        with check_access():
            Route.import_csv(text)
        return 'end'


class RouteExportResult(ModelView):
    __name__ = 'mvp.interchange.route.export.result'
    __string__ = "Export Routes"
    file = fields.Binary("CSV File", filename='filename', readonly=True)
    filename = fields.Char("File Name", readonly=True)


class RouteExport(Wizard):
    "Export Routes"
    __name__ = 'mvp.interchange.route.export'
    start_state = 'result'
    result = StateView('mvp.interchange.route.export.result',
        'mvp_interchange.route_export_result_view_form', [
            Button("Close", 'end', 'tryton-close', default=True),
            ])

    def default_result(self, fields):
        Route = Pool().get('mvp.interchange.route')
        check_province_admin(model=Route.__name__)
        with check_access():
            # the ids come from the client's context: read them again
            routes = Route.search([('id', 'in', [r.id for r in self.records])]
                ) if self.records else Route.search([])
        return {
            'file': Route.export_csv(routes).encode('utf-8'),
            'filename': 'routes.csv',
            }
