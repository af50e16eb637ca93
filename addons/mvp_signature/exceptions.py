# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.exceptions import UserError
from trytond.model.exceptions import AccessError, ValidationError


class SignatureError(UserError):
    "A file cannot be signed"


class SignatureKeyError(UserError):
    "A key cannot be opened (passphrase, token, certificate)"


class SignatureAccessError(AccessError):
    "The user may not use a key"


class TrustValidationError(ValidationError):
    "A trust root or a CRL is not valid"
