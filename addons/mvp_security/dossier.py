# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Destroying dossiers asks for a fresh confirmation with the second
factor (QCVN 12:2026/BCA 2.2.12.2.6: MFA or re-authentication before
data are deleted or destroyed)."""
from trytond.pool import PoolMeta

from .second_factor import require_recent_second_factor


class DossierDisposal(metaclass=PoolMeta):
    __name__ = 'mvp.dossier.disposal'

    @classmethod
    def destroy(cls, disposals):
        require_recent_second_factor()
        super().destroy(disposals)
