# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.exceptions import UserError, UserWarning
from trytond.model.exceptions import ValidationError


class AgencyValidationError(ValidationError):
    pass


class DepartmentValidationError(ValidationError):
    pass


class RoleValidationError(ValidationError):
    pass


class DocumentError(UserError):
    pass


class DocumentWarning(UserWarning):
    pass


class DocumentFileError(UserError):
    pass


class DossierError(UserError):
    pass


class DossierWarning(UserWarning):
    pass


class IncomingError(UserError):
    pass


class AssignmentError(UserError):
    pass


class AssignmentWarning(UserWarning):
    pass


class AbsenceError(ValidationError):
    pass


class OutgoingError(UserError):
    pass


class VirusScanError(DocumentFileError):
    pass


class ScannerUnavailableError(VirusScanError):
    "clamd did not answer: nothing is stored, the sender tries again"


class BackEntryError(UserError):
    pass


class FileLimitError(DocumentFileError):
    "A file from outside is over a limit of file_limits (issue 18)"


class SecretError(UserError):
    "A stored secret cannot be encrypted or decrypted (the server's key)"
