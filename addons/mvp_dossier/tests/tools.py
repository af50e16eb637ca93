# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""What the dossier tests share."""
import os
import tempfile

__all__ = ['ExportDirMixin']


class ExportDirMixin:
    "Each test writes its dossier exports to a folder of its own"

    def setUp(self):
        super().setUp()
        self._export_dir = tempfile.TemporaryDirectory()
        os.environ['TRYTOND_MVP_DOCUMENTS__EXPORT_PATH'] = (
            self._export_dir.name)

    def tearDown(self):
        os.environ.pop('TRYTOND_MVP_DOCUMENTS__EXPORT_PATH', None)
        self._export_dir.cleanup()
        super().tearDown()
