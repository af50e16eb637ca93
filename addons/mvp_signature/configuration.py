# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.model import ModelSingleton, ModelSQL, ModelView, fields


class Configuration(ModelSingleton, ModelSQL, ModelView):
    "Signature Configuration"
    __string__ = "Signature Configuration"
    __name__ = 'mvp.signature.configuration'
    timestamp_url = fields.Char(
        "Timestamp Authority URL",
        help="RFC 3161 timestamp service; signatures are PAdES B-T "
        "when set, B-B otherwise.")
    allow_fetching = fields.Boolean(
        "Fetch Revocation Data",
        help="Fetch CRLs and OCSP responses over the network when "
        "verifying and signing (PAdES B-LT); otherwise only the imported "
        "CRLs and the data embedded in the files are used.")
    embed_revocation = fields.Boolean(
        "Embed Revocation Data",
        help="Embed the revocation data known at signing time (B-LT).")
    require_agency_signature = fields.Boolean(
        "Require Agency Signature",
        help="Refuse the electronic release of outgoing documents by an "
        "agency that has no active agency key.")

    @classmethod
    def default_allow_fetching(cls):
        return False

    @classmethod
    def default_embed_revocation(cls):
        return True

    @classmethod
    def default_require_agency_signature(cls):
        return False
