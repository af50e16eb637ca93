# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Every workflow state and who-did-it field of our modules is the
server's: a model that gains one must say how it guards it."""
import unittest

import pytest

from trytond.model import ModelSQL, fields
from trytond.pool import Pool
from trytond.modules.mvp_documents.tests.tools import ALL_MODULES
from trytond.tests.test_tryton import activate_module, with_transaction

pytestmark = pytest.mark.once  # structure, the same on every backend

MODULES = ALL_MODULES
# Models that users may not create or write at all, but for named fields
# checked in their own check_modification; their attack tests:
GUARDED_OTHERWISE = {
    # created by its wizard, answered by the reviewer only:
    # test_security_outgoing.test_only_the_reviewer_answers_a_comment
    'mvp.outgoing.comment',
    # made and finished by the signing wizard (no model access to write):
    # mvp_signature test_security
    'mvp.signature.request',
    }


def guarded_fields(Model):
    return (set(getattr(Model, '_server_fields', ()))
        | set(getattr(Model, '_fixed_fields', ()))
        | set(getattr(Model, '_computed_fields', ())))


def sensitive_fields(Model):
    "Return the stored workflow state and who-did-it fields of Model"
    names = set()
    for name, field in Model._fields.items():
        if isinstance(field, fields.Function):
            continue
        who = (name.endswith('_by') and isinstance(field, fields.Many2One)
            and field.model_name in {'company.employee', 'res.user'})
        if name == 'state' or who:
            names.add(name)
    return names


class ServerFieldsTestCase(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        activate_module(MODULES)

    @with_transaction()
    def test_states_and_who_did_it_are_written_by_the_server_only(self):
        pool = Pool()
        unguarded = {}
        for name, Model in pool.iterobject():
            if (not name.startswith('mvp.')
                    or not issubclass(Model, ModelSQL)
                    or callable(getattr(Model, 'table_query', None))
                    or name in GUARDED_OTHERWISE):
                continue
            missing = sensitive_fields(Model) - guarded_fields(Model)
            if missing:
                unguarded[name] = sorted(missing)
        self.assertFalse(unguarded,
            "fields a user's own write could set: %s" % unguarded)
