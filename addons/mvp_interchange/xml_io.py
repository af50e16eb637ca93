# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""edXML (QCVN 102:2016) packages and status messages, without the Pool.

Strict in what we send: :func:`write_package` and :func:`write_status`
emit every element with the explicit ``edXML:`` prefix, in the §1.3 order,
required elements always present (empty if unknown), and the result is
validated against ``schema/<version>/edxml.xsd``.

Liberal and safe in what we accept: :func:`parse` streams the XML through
a target parser (no tree of the whole package, Base64 decoded chunk by chunk
into spooled temporary files), refuses any DTD and therefore every entity,
never touches the network, limits size and depth, ignores element order and
prefixes, and reads what the government SDK and real traffic write.
:func:`check` then lists what is missing or wrong (§1.9, §1.10, dates,
attachments that do not open).
"""
from __future__ import annotations

import base64
import binascii
import datetime as dt
import io
import mimetypes
import os
import re
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass, field
from typing import IO, BinaryIO, Iterable, Iterator
from xml.sax.saxutils import escape, quoteattr

from lxml import etree

from trytond.modules.mvp_documents import file_limits

NS = 'http://www.mic.gov.vn/TBT/QCVN_102_2016'
XLINK = 'http://www.w3.org/1999/xlink'
VERSION = '1.0'
SCHEMA_DIR = os.path.join(os.path.dirname(__file__), 'schema')
MAX_SIZE = 50 * 1024 * 1024
MAX_DEPTH = 40
# a package has some hundred elements; the core's [file_limits]
# xml_max_elements is passed by the inbox
MAX_ELEMENTS = 100000
SPOOL_SIZE = 1024 * 1024
CHUNK = 64 * 1024

NEW, REVOKE, UPDATE, REPLACE = '0', '1', '2', '3'
BUSINESS_TYPES = {NEW: 'new', REVOKE: 'revoke', UPDATE: 'update',
    REPLACE: 'replace'}
STATUS_CODES = {
    '01': 'received', '02': 'returned', '03': 'accepted', '04': 'assigned',
    '05': 'processing', '06': 'completed', '13': 'recall_requested',
    '15': 'recall_accepted', '16': 'recall_refused'}
ORGAN_ID = re.compile(r'^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}$')
ORGAN_FIELDS = ('OrganId', 'OrganizationInCharge', 'OrganName', 'OrganAdd',
    'Email', 'Telephone', 'Fax', 'Website')
ZIP_TYPES = {'application/zip', 'application/x-zip-compressed',
    'application/x-zip'}
# A ZIP container that is itself the document: never unwrapped.
CONTAINER_ENTRIES = {'[Content_Types].xml', 'mimetype',
    'META-INF/manifest.xml'}
VIETNAM = dt.timezone(dt.timedelta(hours=7))
# Độ mật never travels electronically (Decree 30/2020, Art. 5) and QCVN
# 102 has no element for it.  A sender that marks a package anyway does
# it with one of these elements (vendor extensions) or with the stamp
# written before the subject, e.g. "MẬT: ..." or "[TỐI MẬT] ...".
SECRECY_TAGS = ('Confidentiality', 'SecurityLevel', 'SecretLevel',
    'Secrecy', 'DoMat')
NOT_SECRET = {'', '0', 'normal', 'none', 'false', 'no', 'thường',
    'không'}
SECRECY_STAMP = re.compile(
    r'^\W*(TUYỆT MẬT|TỐI MẬT|MẬT)\s*[\)\]:\-–—]', re.IGNORECASE)


class EdxmlError(Exception):
    """A package or status that cannot be accepted.

    ``code`` is a stable machine code (``not_xml``, ``dtd``, ``size``...),
    ``args[0]`` a human explanation in English.
    """

    def __init__(self, code: str, message: str, value: str = ''):
        super().__init__(message)
        self.code = code
        self.value = value  # what was refused, for a translated message

    @property
    def message(self) -> str:
        return self.args[0]


@dataclass
class Organization:
    organ_id: str = ''
    organization_in_charge: str = ''
    organ_name: str = ''
    organ_add: str = ''
    email: str = ''
    telephone: str = ''
    fax: str = ''
    website: str = ''

    def values(self) -> list[str]:
        return [self.organ_id, self.organization_in_charge, self.organ_name,
            self.organ_add, self.email, self.telephone, self.fax,
            self.website]


@dataclass
class ResponseFor:
    organ_id: str = ''
    code: str = ''
    promulgation_date: str = ''
    document_id: str = ''


@dataclass
class Staff:
    department: str = ''
    staff: str = ''
    mobile: str = ''
    email: str = ''


@dataclass
class Replacement:
    document_id: str
    organ_ids: list[str] = field(default_factory=list)


@dataclass
class Business:
    doc_type: str = NEW
    reason: str = ''
    document_id: str = ''
    document_info: str = '0'
    document_receiver: str = '0'
    # (ReceiverType '0' removed | '1' added, OrganId)
    receivers: list[tuple[str, str]] = field(default_factory=list)
    staff: Staff = field(default_factory=Staff)
    paper: str = '0'
    replacements: list[Replacement] = field(default_factory=list)


@dataclass
class Attachment:
    """A file of the package; ``stream`` is a seekable binary file."""
    name: str
    content_type: str = ''
    description: str = ''
    content_id: str = ''
    stream: BinaryIO | None = None
    unzipped: bool = False

    @classmethod
    def from_bytes(cls, name: str, data: bytes, **kw) -> Attachment:
        return cls(name=name, stream=io.BytesIO(data), **kw)

    @property
    def size(self) -> int:
        assert self.stream is not None
        position = self.stream.tell()
        size = self.stream.seek(0, io.SEEK_END)
        self.stream.seek(position)
        return size

    def read(self) -> bytes:
        assert self.stream is not None
        self.stream.seek(0)
        return self.stream.read()

    def chunks(self, size: int = CHUNK) -> Iterator[bytes]:
        assert self.stream is not None
        self.stream.seek(0)
        while chunk := self.stream.read(size):
            yield chunk


@dataclass
class Package:
    sender: Organization = field(default_factory=Organization)
    recipients: list[Organization] = field(default_factory=list)
    code_number: str = ''
    code_notation: str = ''
    place: str = ''
    promulgation_date: dt.date | None = None
    type_code: str = ''
    type_name: str = ''
    subject: str = ''
    content: str = ''
    signer_competence: str = ''
    signer_position: str = ''
    signer_name: str = ''
    due_date: dt.date | None = None
    to_places: list[str] = field(default_factory=list)
    priority: str = '0'
    sphere: str = ''
    typer_notation: str = ''
    promulgation_amount: str = '1'
    page_amount: str = '1'
    appendixes: list[str] = field(default_factory=list)
    response_for: list[ResponseFor] = field(default_factory=list)
    steering_type: str = '0'
    document_id: str = ''
    traces: list[tuple[str, dt.datetime]] = field(default_factory=list)
    business: Business = field(default_factory=Business)
    attachments: list[Attachment] = field(default_factory=list)
    message_id: str = ''
    signed: bool = False
    secrecy: str = ''
    # XML namespace of the MessageHeader as found (any prefix, or none)
    namespace: str = NS
    # raw text of the header elements as found (for checks on input)
    found: set[str] = field(default_factory=set, repr=False)
    raw_dates: dict[str, str] = field(default_factory=dict, repr=False)

    @property
    def business_type(self) -> str:
        return self.business.doc_type or NEW

    @property
    def notation(self) -> str:
        if self.code_notation:
            return f'{self.code_number}/{self.code_notation}'
        return self.code_number

    def close(self) -> None:
        for attachment in self.attachments:
            if attachment.stream is not None:
                attachment.stream.close()


@dataclass
class Status:
    sender: Organization = field(default_factory=Organization)
    response_for: ResponseFor = field(default_factory=ResponseFor)
    status_code: str = ''
    description: str = ''
    timestamp: dt.datetime | None = None
    staff: Staff = field(default_factory=Staff)
    message_id: str = ''
    namespace: str = NS


def is_status_code(code: str) -> bool:
    "Whether code is a QCVN 102 status code (01 to 16, not all in use)"
    return len(code) == 2 and code.isdigit() and 1 <= int(code) <= 16


def document_id(organ_id: str, date: dt.date, notation: str) -> str:
    "DocumentId as the SDK builds it: OrganId,YYYY/MM/DD,số/ký hiệu"
    return f'{organ_id},{format_date(date)},{notation}'


def format_date(value: dt.date | None) -> str:
    return value.strftime('%Y/%m/%d') if value else ''


def format_datetime(value: dt.datetime | None) -> str:
    if not value:
        return ''
    if value.tzinfo:
        value = value.astimezone(VIETNAM)
    return value.strftime('%Y/%m/%d %H:%M:%S')


_DATE_FORMATS = ('%Y/%m/%d', '%Y-%m-%d', '%d/%m/%Y', '%d-%m-%Y')


def parse_datetime(text: str) -> dt.datetime | None:
    """Wire date or date-time, naive or ISO; assumed Vietnam time (+07)."""
    text = (text or '').strip()
    if not text:
        return None
    try:
        value = dt.datetime.fromisoformat(text.replace('Z', '+00:00'))
    except ValueError as exception:
        date_text, _, time_text = text.partition(' ')
        date_text = date_text.split('T')[0]
        value = None
        for fmt in _DATE_FORMATS:
            try:
                value = dt.datetime.strptime(date_text, fmt)
                break
            except ValueError:
                continue
        if value is None:
            raise ValueError(text) from exception
        if time_text:
            clock = dt.datetime.strptime(time_text.strip()[:8], '%H:%M:%S')
            value = value.replace(
                hour=clock.hour, minute=clock.minute, second=clock.second)
    if value.tzinfo is None:
        value = value.replace(tzinfo=VIETNAM)
    return value


def parse_date(text: str) -> dt.date | None:
    value = parse_datetime(text)
    return value.astimezone(VIETNAM).date() if value else None


def strip_cid(value: str) -> str:
    value = (value or '').strip().strip('<>')
    while value.lower().startswith('cid:'):
        value = value[4:].strip()
    return value


# --------------------------------------------------------------- writing

class _Writer:
    """Explicitly prefixed XML written straight to a binary stream."""

    def __init__(self, out: BinaryIO):
        self.out = out

    def raw(self, text: str) -> None:
        self.out.write(text.encode('utf-8'))

    def open(self, tag: str, attrs: dict[str, str] | None = None,
            prefix: str = 'edXML:') -> None:
        attributes = ''.join(
            f' {k}={quoteattr(v)}' for k, v in (attrs or {}).items())
        self.raw(f'<{prefix}{tag}{attributes}>')

    def close(self, tag: str, prefix: str = 'edXML:') -> None:
        self.raw(f'</{prefix}{tag}>')

    def leaf(self, tag: str, text: str | None, prefix: str = 'edXML:'
            ) -> None:
        self.raw(f'<{prefix}{tag}>{escape(text or "")}</{prefix}{tag}>')

    def organization(self, tag: str, organization: Organization) -> None:
        self.open(tag)
        for name, value in zip(
                ORGAN_FIELDS, organization.values(), strict=True):
            self.leaf(name, value)
        self.close(tag)

    def staff(self, staff: Staff) -> None:
        self.open('StaffInfo')
        self.leaf('Department', staff.department)
        self.leaf('Staff', staff.staff)
        self.leaf('Mobile', staff.mobile)
        self.leaf('Email', staff.email)
        self.close('StaffInfo')

    def response_for(self, response: ResponseFor) -> None:
        self.open('ResponseFor')
        self.leaf('OrganId', response.organ_id)
        self.leaf('Code', response.code)
        self.leaf('PromulgationDate', response.promulgation_date)
        self.leaf('DocumentId', response.document_id)
        self.close('ResponseFor')

    def envelope_start(self) -> None:
        self.raw('<?xml version="1.0" encoding="utf-8"?>\n'
            f'<edXML xmlns="{NS}" xmlns:edXML="{NS}">'
            '<edXML:edXMLEnvelope>')


def write_package(package: Package, out: BinaryIO) -> None:
    """Write package as edXML to the binary stream out (§1.2, §1.3)."""
    w = _Writer(out)
    w.envelope_start()
    w.open('edXMLHeader')
    _write_message_header(w, package)
    _write_trace_header_list(w, package)
    w.close('edXMLHeader')
    w.open('edXMLBody')
    w.open('edXMLManifest', {'version': VERSION})
    for attachment in package.attachments:
        cid = 'cid:' + strip_cid(attachment.content_id)
        w.raw(f'<edXML:Reference xmlns:xlink="{XLINK}" '
            f'xlink:href={quoteattr(cid)} xlink:type="simple">')
        w.leaf('Description', attachment.description)
        w.leaf('AttachmentName', attachment.name)
        w.leaf('ContentType', attachment.content_type)
        w.leaf('ContentId', cid)
        w.close('Reference')
    w.close('edXMLManifest')
    w.close('edXMLBody')
    w.close('edXMLEnvelope')
    # §1.2: AttachmentEncoded is outside the envelope, default namespace.
    w.open('AttachmentEncoded', prefix='')
    for attachment in package.attachments:
        w.open('Attachment', prefix='')
        w.leaf('ContentType', attachment.content_type, prefix='')
        w.leaf('ContentId', strip_cid(attachment.content_id), prefix='')
        w.leaf('Description', attachment.description, prefix='')
        w.open('ContentTransferEncoded', prefix='')
        for chunk in attachment.chunks(57 * 1024):
            out.write(base64.b64encode(chunk))
        w.close('ContentTransferEncoded', prefix='')
        w.leaf('AttachmentName', attachment.name, prefix='')
        w.close('Attachment', prefix='')
    w.close('AttachmentEncoded', prefix='')
    w.raw('</edXML>')


def _write_message_header(w: _Writer, p: Package) -> None:
    w.open('MessageHeader')
    w.organization('From', p.sender)
    for recipient in p.recipients:
        w.organization('To', recipient)
    w.open('Code')
    w.leaf('CodeNumber', p.code_number)
    w.leaf('CodeNotation', p.code_notation)
    w.close('Code')
    w.open('PromulgationInfo')
    w.leaf('Place', p.place)
    w.leaf('PromulgationDate', format_date(p.promulgation_date))
    w.close('PromulgationInfo')
    w.open('DocumentType')
    w.leaf('Type', p.type_code)
    w.leaf('TypeName', p.type_name)
    w.close('DocumentType')
    w.leaf('Subject', p.subject)
    w.leaf('Content', p.content or p.subject)
    w.open('SignerInfo')
    w.leaf('Competence', p.signer_competence)
    w.leaf('Position', p.signer_position)
    w.leaf('FullName', p.signer_name)
    w.close('SignerInfo')
    w.leaf('DueDate', format_date(p.due_date))
    w.open('ToPlaces')
    for place in p.to_places:
        w.leaf('Place', place)
    w.close('ToPlaces')
    w.open('OtherInfo')
    w.leaf('Priority', p.priority)
    w.leaf('SphereOfPromulgation', p.sphere)
    w.leaf('TyperNotation', p.typer_notation)
    w.leaf('PromulgationAmount', p.promulgation_amount)
    w.leaf('PageAmount', p.page_amount)
    w.open('Appendixes')
    for appendix in p.appendixes:
        w.leaf('Appendix', appendix)
    w.close('Appendixes')
    w.close('OtherInfo')
    for response in p.response_for:
        w.response_for(response)
    w.leaf('SteeringType', p.steering_type)
    w.leaf('DocumentId', p.document_id)
    w.close('MessageHeader')


def _write_trace_header_list(w: _Writer, p: Package) -> None:
    w.open('TraceHeaderList')
    traces = p.traces or [(p.sender.organ_id, dt.datetime.now(VIETNAM))]
    for organ_id, timestamp in traces:
        w.open('TraceHeader')
        w.leaf('OrganId', organ_id)
        w.leaf('Timestamp', format_datetime(timestamp))
        w.close('TraceHeader')
    b = p.business
    w.open('Bussiness')
    w.leaf('BussinessDocType', b.doc_type)
    w.leaf('BussinessDocReason', b.reason)
    w.open('BussinessDocumentInfo')
    w.leaf('DocumentInfo', b.document_info)
    w.leaf('DocumentReceiver', b.document_receiver)
    w.open('ReceiverList')
    for receiver_type, organ_id in b.receivers:
        w.open('Receiver')
        w.leaf('ReceiverType', receiver_type)
        w.leaf('OrganId', organ_id)
        w.close('Receiver')
    w.close('ReceiverList')
    w.close('BussinessDocumentInfo')
    w.leaf('DocumentId', b.document_id)
    w.staff(b.staff)
    w.leaf('Paper', b.paper)
    w.open('ReplacementInfoList')
    for replacement in b.replacements:
        w.open('ReplacementInfo')
        w.leaf('DocumentId', replacement.document_id)
        w.open('OrganIdList')
        for organ_id in replacement.organ_ids:
            w.leaf('OrganId', organ_id)
        w.close('OrganIdList')
        w.close('ReplacementInfo')
    w.close('ReplacementInfoList')
    w.close('Bussiness')
    w.close('TraceHeaderList')


def write_status(status: Status, out: BinaryIO) -> None:
    """Write a status in the edXMLHeader/MessageHeader form (§1.20)."""
    w = _Writer(out)
    w.envelope_start()
    w.open('edXMLHeader')
    w.open('MessageHeader')
    w.organization('From', status.sender)
    w.response_for(status.response_for)
    w.staff(status.staff)
    w.leaf('StatusCode', status.status_code)
    w.leaf('Description', status.description)
    w.leaf('Timestamp', format_datetime(
            status.timestamp or dt.datetime.now(VIETNAM)))
    w.close('MessageHeader')
    w.close('edXMLHeader')
    w.close('edXMLEnvelope')
    w.raw('</edXML>')


def package_bytes(package: Package) -> bytes:
    out = io.BytesIO()
    write_package(package, out)
    return out.getvalue()


def status_bytes(status: Status) -> bytes:
    out = io.BytesIO()
    write_status(status, out)
    return out.getvalue()


_schemas: dict[tuple[str, str], etree.XMLSchema] = {}


def schema(kind: str = 'edxml', version: str = VERSION) -> etree.XMLSchema:
    "The XSD of kind 'edxml' (packages) or 'status' shipped in schema/"
    if (kind, version) not in _schemas:
        path = os.path.join(SCHEMA_DIR, version, f'{kind}.xsd')
        parser = etree.XMLParser(resolve_entities=False, no_network=True)
        _schemas[kind, version] = etree.XMLSchema(etree.parse(path, parser))
    return _schemas[kind, version]


def validate(data: bytes | BinaryIO, kind: str = 'edxml',
        version: str = VERSION) -> None:
    """Raise EdxmlError('schema', ...) unless data is valid per our XSD."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True,
        load_dtd=False, huge_tree=True)
    source = io.BytesIO(data) if isinstance(data, bytes) else data
    try:
        tree = etree.parse(source, parser)
    except etree.XMLSyntaxError as exception:
        raise EdxmlError('not_xml', str(exception)) from exception
    if tree.docinfo.doctype:
        raise EdxmlError('dtd', "DTDs are not allowed.")
    xsd = schema(kind, version)
    if not xsd.validate(tree):
        raise EdxmlError('schema', str(xsd.error_log.last_error))


# --------------------------------------------------------------- reading

class _Node:
    __slots__ = ('name', 'children', 'text', 'attrib', 'namespace')

    def __init__(self, name: str, attrib: dict[str, str],
            namespace: str | None = None):
        self.name = name
        self.attrib = attrib
        self.namespace = namespace or ''
        self.children: list[_Node] = []
        self.text = ''

    def find(self, *path: str) -> _Node | None:
        node: _Node | None = self
        for name in path:
            node = next((c for c in node.children if c.name == name), None)
            if node is None:
                return None
        return node

    def findall(self, name: str) -> list[_Node]:
        return [c for c in self.children if c.name == name]

    def get(self, *path: str) -> str:
        node = self.find(*path)
        return node.text.strip() if node is not None else ''

    def iter(self, name: str) -> Iterator[_Node]:
        for child in self.children:
            if child.name == name:
                yield child
            yield from child.iter(name)


class _Base64Sink:
    """Decode Base64 text chunk by chunk into a spooled temporary file."""
    _space = b' \t\r\n'
    _alphabet = (b'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'
        b'0123456789+/=')

    def __init__(self, spool_size: int):
        self.file = tempfile.SpooledTemporaryFile(max_size=spool_size)
        self.pending = bytearray()

    def feed(self, text: str) -> None:
        try:
            data = text.encode('ascii').translate(None, self._space)
        except UnicodeEncodeError:
            data = b'!'
        if data.translate(None, self._alphabet):
            raise EdxmlError('base64', "An attachment is not valid Base64.")
        self.pending += data
        if len(self.pending) >= CHUNK:
            cut = len(self.pending) - len(self.pending) % 4
            self._decode(bytes(self.pending[:cut]))
            del self.pending[:cut]

    def _decode(self, data: bytes) -> None:
        try:
            self.file.write(base64.b64decode(data))
        except (binascii.Error, ValueError) as exception:
            raise EdxmlError('base64',
                "An attachment is not valid Base64.") from exception

    def finish(self) -> BinaryIO:
        if self.pending:
            data = bytes(self.pending)
            if len(data) % 4:
                data += b'=' * (-len(data) % 4)
            self._decode(data)
        self.pending = bytearray()
        self.file.seek(0)
        return self.file


class _Target:
    """lxml parser target: a light tree of the header, streamed Base64."""

    def __init__(self, max_depth: int, spool_size: int,
            max_elements: int = MAX_ELEMENTS):
        self.max_depth = max_depth
        self.max_elements = max_elements
        self.elements = 0
        self.spool_size = spool_size
        self.stack: list[_Node] = []
        self.root: _Node | None = None
        self.sink: _Base64Sink | None = None
        self.streams: list[BinaryIO] = []

    def doctype(self, *args) -> None:
        raise EdxmlError('dtd',
            "DTDs and entities are not allowed in an edXML package.")

    def start(self, tag: str, attrib, nsmap=None) -> None:
        if len(self.stack) >= self.max_depth:
            raise EdxmlError('depth',
                f"The XML is nested deeper than {self.max_depth} levels.")
        self.elements += 1
        if self.elements > self.max_elements:
            # a light node per element: millions of them fill the memory
            raise EdxmlError('xml_elements', f"The XML has more than "
                f"{self.max_elements} elements.", str(self.max_elements))
        qname = etree.QName(tag)
        name = qname.localname
        node = _Node(name, {etree.QName(k).localname: v
                for k, v in dict(attrib).items()}, qname.namespace)
        if self.stack:
            self.stack[-1].children.append(node)
        else:
            self.root = node
        self.stack.append(node)
        if name == 'ContentTransferEncoded':
            self.sink = _Base64Sink(self.spool_size)

    def data(self, text: str) -> None:
        if self.sink is not None:
            self.sink.feed(text)
        elif self.stack:
            node = self.stack[-1]
            if len(node.text) < 1024 * 1024:
                node.text += text

    def end(self, tag: str) -> None:
        node = self.stack.pop()
        if self.sink is not None and node.name == 'ContentTransferEncoded':
            stream = self.sink.finish()
            self.streams.append(stream)
            node.attrib['_stream'] = str(len(self.streams) - 1)
            self.sink = None

    def comment(self, text: str) -> None:
        pass

    def pi(self, target: str, data: str | None = None) -> None:
        pass

    def close(self) -> _Node | None:
        return self.root


def _read_root(source: bytes | BinaryIO | str, max_size: int,
        max_depth: int, spool_size: int, max_elements: int = MAX_ELEMENTS
        ) -> tuple[_Node, list[BinaryIO]]:
    if isinstance(source, (bytes, bytearray, memoryview)):
        stream: IO[bytes] = io.BytesIO(source)
    elif isinstance(source, str):
        stream = open(source, 'rb')
    else:
        stream = source
    target = _Target(max_depth, spool_size, max_elements)
    parser = etree.XMLParser(target=target, resolve_entities=False,
        no_network=True, load_dtd=False, dtd_validation=False,
        huge_tree=True, remove_comments=True)
    size = 0
    closing = False
    try:
        while chunk := stream.read(CHUNK):
            if not size:
                _sniff(chunk)
            size += len(chunk)
            if size > max_size:
                raise EdxmlError('size',
                    f"The package is larger than {max_size} bytes.")
            parser.feed(chunk)
        if not size:
            raise EdxmlError('not_xml', "The package is empty.")
        closing = True
        root = parser.close()
    except etree.XMLSyntaxError as exception:
        _discard(target.streams)
        message = str(exception)
        lowered = message.lower()
        code = 'not_xml'
        if 'entity' in lowered or 'doctype' in lowered:
            code = 'dtd'
        elif (closing and target.root is not None) or (
                'premature end' in lowered):
            code = 'truncated'
        raise EdxmlError(code, f"The package is not well-formed XML: "
            f"{message}") from exception
    except EdxmlError:
        _discard(target.streams)
        raise
    finally:
        if isinstance(source, str):
            stream.close()
    if root is None:
        raise EdxmlError('not_xml', "The package holds no XML element.")
    return root, target.streams


def _sniff(chunk: bytes) -> None:
    "Refuse at once what cannot be XML (the first byte after any BOM)"
    if chunk[:2] in {b'\xff\xfe', b'\xfe\xff'} or chunk[:4] in {
            b'\x00<\x00?', b'<\x00?\x00'}:
        return
    text = chunk[3:] if chunk[:3] == b'\xef\xbb\xbf' else chunk
    if not text.lstrip()[:1] == b'<':
        raise EdxmlError('not_xml', "The package is not XML.")


def _discard(streams: Iterable[BinaryIO]) -> None:
    for stream in streams:
        stream.close()


def parse(source: bytes | BinaryIO | str, max_size: int = MAX_SIZE,
        max_depth: int = MAX_DEPTH, spool_size: int = SPOOL_SIZE,
        max_elements: int = MAX_ELEMENTS) -> Package | Status:
    """Read an edXML package or status from bytes, a stream or a path.

    A zipped attachment is unzipped within the core's file limits.
    Raises EdxmlError for anything that is not a readable edXML message.
    """
    root, streams = _read_root(
        source, max_size, max_depth, spool_size, max_elements)
    try:
        if root.name not in {'edXML', 'Envelope', 'edXMLEnvelope'}:
            raise EdxmlError('not_edxml',
                f"The root element {root.name!r} is not edXML.")
        status = next((n for n in root.iter('StatusCode')), None)
        if status is not None:
            return _status(root)
        header = next(root.iter('MessageHeader'), None)
        if header is None:
            raise EdxmlError('missing', "The package has no MessageHeader.")
        return _package(root, header, streams)
    except Exception:
        _discard(streams)
        raise


def _organization(node: _Node | None) -> Organization:
    if node is None:
        return Organization()
    return Organization(*(node.get(name) for name in ORGAN_FIELDS))


def _staff(node: _Node | None) -> Staff:
    if node is None:
        return Staff()
    return Staff(node.get('Department'), node.get('Staff'),
        node.get('Mobile'), node.get('Email'))


def _response_for(node: _Node) -> ResponseFor:
    return ResponseFor(node.get('OrganId'), node.get('Code'),
        node.get('PromulgationDate'), node.get('DocumentId'))


def _status(root: _Node) -> Status:
    block = next(n for n in root.iter('StatusCode'))
    holder = next(n for n in _parents(root) if block in n.children)
    response = holder.find('ResponseFor')
    timestamp_text = holder.get('Timestamp') or holder.get('TimeStamp')
    try:
        timestamp = parse_datetime(timestamp_text)
    except ValueError as exception:
        raise EdxmlError('date',
            f"Invalid status time {timestamp_text!r}.") from exception
    code = holder.get('StatusCode').zfill(2)
    if not is_status_code(code):
        raise EdxmlError('status_code', f"Unknown status code {code!r}: "
            "QCVN 102 status codes are 01 to 16.", code)
    status = Status(
        sender=_organization(holder.find('From')),
        response_for=_response_for(response) if response else ResponseFor(),
        status_code=code,
        description=holder.get('Description'),
        timestamp=timestamp,
        staff=_staff(holder.find('StaffInfo')),
        namespace=block.namespace)
    if not status.response_for.document_id:
        raise EdxmlError('missing',
            "The status does not name the document (ResponseFor/DocumentId).")
    if not status.sender.organ_id:
        raise EdxmlError('missing', "The status has no From/OrganId.")
    return status


def _parents(root: _Node) -> Iterator[_Node]:
    yield root
    for child in root.children:
        yield from _parents(child)


def _package(root: _Node, h: _Node, streams: list[BinaryIO]) -> Package:
    p = Package()
    p.namespace = h.namespace
    p.found = {n.name for n in _parents(
            next(root.iter('edXMLHeader'), None) or h)}
    p.sender = _organization(h.find('From'))
    p.recipients = [_organization(n) for n in h.findall('To')]
    p.code_number = h.get('Code', 'CodeNumber')
    p.code_notation = h.get('Code', 'CodeNotation')
    p.place = h.get('PromulgationInfo', 'Place')
    p.raw_dates = {
        'PromulgationDate': h.get('PromulgationInfo', 'PromulgationDate'),
        'DueDate': h.get('DueDate')}
    for name, text in p.raw_dates.items():
        try:
            value = parse_date(text)
        except ValueError:
            value = None
        setattr(p, 'promulgation_date' if name == 'PromulgationDate'
            else 'due_date', value)
    p.type_code = h.get('DocumentType', 'Type')
    p.type_name = h.get('DocumentType', 'TypeName')
    p.subject = h.get('Subject')
    p.content = h.get('Content')
    p.signer_competence = h.get('SignerInfo', 'Competence')
    p.signer_position = h.get('SignerInfo', 'Position')
    p.signer_name = h.get('SignerInfo', 'FullName')
    places = h.find('ToPlaces')
    p.to_places = [n.text.strip() for n in places.findall('Place')
        ] if places else []
    other = h.find('OtherInfo') or _Node('OtherInfo', {})
    p.priority = other.get('Priority') or '0'
    p.sphere = other.get('SphereOfPromulgation')
    p.typer_notation = other.get('TyperNotation')
    p.promulgation_amount = other.get('PromulgationAmount')
    p.page_amount = other.get('PageAmount')
    appendixes = other.find('Appendixes')
    p.appendixes = [n.text.strip() for n in appendixes.findall('Appendix')
        ] if appendixes else []
    p.response_for = [_response_for(n) for n in h.findall('ResponseFor')]
    p.steering_type = h.get('SteeringType')
    p.document_id = h.get('DocumentId')
    trace_list = next(root.iter('TraceHeaderList'), None)
    if trace_list is not None:
        p.message_id = trace_list.attrib.get('id', '')
        for trace in trace_list.findall('TraceHeader'):
            try:
                stamp = parse_datetime(trace.get('Timestamp'))
            except ValueError:
                stamp = None
            p.traces.append((trace.get('OrganId'), stamp))
        business = trace_list.find('Bussiness')
        if business is not None:
            p.business = _business(business)
    p.signed = next(root.iter('Signature'), None) is not None
    p.secrecy = next((n.text.strip() for tag in SECRECY_TAGS
            for n in h.iter(tag) if n.text.strip()), '')
    p.attachments = _attachments(root, streams)
    return p


def _business(node: _Node) -> Business:
    info = node.find('BussinessDocumentInfo') or _Node('', {})
    receivers = info.find('ReceiverList') or _Node('', {})
    replacements = node.find('ReplacementInfoList') or _Node('', {})
    return Business(
        doc_type=node.get('BussinessDocType') or NEW,
        reason=node.get('BussinessDocReason'),
        document_id=node.get('DocumentId'),
        document_info=info.get('DocumentInfo'),
        document_receiver=info.get('DocumentReceiver'),
        receivers=[(r.get('ReceiverType'), r.get('OrganId'))
            for r in receivers.findall('Receiver')],
        staff=_staff(node.find('StaffInfo')),
        paper=node.get('Paper'),
        replacements=[Replacement(r.get('DocumentId'),
                [o.text.strip() for o in (r.find('OrganIdList')
                        or _Node('', {})).findall('OrganId')])
            for r in replacements.findall('ReplacementInfo')])


def _attachments(root: _Node, streams: list[BinaryIO]) -> list[Attachment]:
    manifest = {}
    for reference in root.iter('Reference'):
        cid = strip_cid(reference.get('ContentId')
            or reference.attrib.get('href', ''))
        manifest[cid] = reference
    result = []
    for node in root.iter('Attachment'):
        encoded = node.find('ContentTransferEncoded')
        if encoded is None or '_stream' not in encoded.attrib:
            continue
        cid = strip_cid(node.get('ContentId'))
        reference = manifest.get(cid)
        name = node.get('AttachmentName') or (
            reference.get('AttachmentName') if reference else '') or cid
        attachment = Attachment(
            name=os.path.basename(name.replace('\\', '/')) or cid,
            content_type=node.get('ContentType').lower(),
            description=node.get('Description') or (
                reference.get('Description') if reference else ''),
            content_id=cid,
            stream=streams[int(encoded.attrib['_stream'])])
        _unwrap(attachment)
        attachment.content_type = content_type(
            attachment.name, attachment.content_type)
        result.append(attachment)
    return result


def content_type(name: str, declared: str) -> str:
    """The attachment's type, else one guessed from the name (§1.20)."""
    declared = (declared or '').split(';')[0].strip().lower()
    guessed = mimetypes.guess_type(name)[0]
    if declared in ZIP_TYPES and not name.lower().endswith('.zip'):
        return guessed or 'application/octet-stream'
    if not declared or (declared.startswith('application/')
            and '.' not in declared and '-' not in declared
            and declared.split('/')[1] in {'docx', 'doc', 'xlsx', 'xls',
                'pptx', 'odt', 'ods', 'txt', 'zip'}):
        return guessed or declared or 'application/octet-stream'
    return declared


def _unwrap(attachment: Attachment) -> None:
    """Apply the §1.20 unzip rule in place.

    Unzip a single-entry ZIP when the attachment says application/zip but
    is not named .zip, or when the entry has the attachment name's
    extension; never unzip an office/ODF container that is itself the file.
    """
    stream = attachment.stream
    assert stream is not None
    stream.seek(0)
    if stream.read(4) != b'PK\x03\x04':
        stream.seek(0)
        return
    stream.seek(0)
    try:
        archive = file_limits.open_zip(stream)
        entries = [i for i in archive.infolist() if not i.is_dir()]
    except (zipfile.BadZipFile, OSError):
        stream.seek(0)
        return
    except file_limits.LimitExceeded as exceeded:
        raise _over_limit(attachment, exceeded) from exceeded
    if len(entries) != 1 or entries[0].filename in CONTAINER_ENTRIES:
        stream.seek(0)
        return
    entry = entries[0]
    name = attachment.name.lower()
    extension = os.path.splitext(name)[1]
    labelled_zip = (attachment.content_type in ZIP_TYPES
        and extension != '.zip')
    same_extension = bool(extension) and (
        os.path.splitext(entry.filename.lower())[1] == extension)
    if not (labelled_zip or same_extension):
        stream.seek(0)
        return
    inner = tempfile.SpooledTemporaryFile(max_size=SPOOL_SIZE)
    try:
        file_limits.read_member(archive, entry, inner, chunk=CHUNK)
    except file_limits.LimitExceeded as exceeded:
        inner.close()
        raise _over_limit(attachment, exceeded) from exceeded
    except (zipfile.BadZipFile, OSError, EOFError) as exception:
        inner.close()
        raise EdxmlError('attachment', f"The attachment {attachment.name!r} "
            f"is a damaged ZIP: {exception}") from exception
    stream.close()
    inner.seek(0)
    attachment.stream = inner
    attachment.unzipped = True


def _over_limit(attachment: Attachment, exceeded) -> EdxmlError:
    error = EdxmlError(exceeded.code, f"The attachment {attachment.name!r} "
        f"is refused: {exceeded}", exceeded.limit)
    error.found = exceeded.found
    error.file = attachment.name
    return error


# --------------------------------------------------------------- checking

@dataclass
class Problem:
    code: str
    message: str
    fatal: bool = True


# §1.9: tags an axis requires (present, possibly empty)
REQUIRED_TAGS = ('From', 'To', 'Code', 'PromulgationInfo', 'DocumentType',
    'Subject', 'Content', 'SignerInfo', 'DueDate', 'ToPlaces', 'OtherInfo',
    'TraceHeaderList', 'TraceHeader')
EARLIEST = dt.date(1945, 9, 2)


def check(package: Package, known_codes: Iterable[str] = (),
        today: dt.date | None = None) -> list[Problem]:
    """List what is wrong with a parsed package; fatal problems reject it."""
    today = today or dt.datetime.now(VIETNAM).date()
    known = set(known_codes)
    problems = []

    def fail(code: str, message: str, fatal: bool = True) -> None:
        problems.append(Problem(code, message, fatal))

    essentials = {
        'From/OrganId': package.sender.organ_id,
        'To/OrganId': all(r.organ_id for r in package.recipients)
        and package.recipients,
        'Code/CodeNumber': package.code_number,
        'PromulgationInfo/PromulgationDate':
        package.raw_dates.get('PromulgationDate'),
        'DocumentType/TypeName': package.type_name or package.type_code,
        'Subject': package.subject,
        'DocumentId': package.document_id,
        }
    for name, value in essentials.items():
        if not value:
            fail('missing', f"Required element {name} is missing or empty.")
    missing = [t for t in REQUIRED_TAGS if t not in package.found]
    if missing:
        fail('incomplete', "Elements required by QCVN 102 are absent: "
            + ', '.join(missing) + '.', fatal=False)
    codes = [('From', package.sender.organ_id)] + [
        ('To', r.organ_id) for r in package.recipients]
    for where, code in codes:
        if code and not ORGAN_ID.match(code) and code not in known:
            fail('organ_id', f"{where}/OrganId {code!r} is not an "
                "identifier code (DDD.DD.DD.Xnn).")
    _check_dates(package, today, fail)
    if package.namespace != NS:
        fail('namespace', f"The package is in the XML namespace "
            f"{package.namespace or '(none)'!r}, not QCVN 102's {NS!r}.")
    if package.business_type not in BUSINESS_TYPES:
        fail('business_type', "Unknown BussinessDocType "
            f"{package.business_type!r}: QCVN 102 knows 0 to 3.")
    elif package.business_type == REPLACE and not (
            package.business.replacements or package.business.document_id):
        fail('business', "A replacement does not name what it replaces.")
    if package.business_type == NEW and not package.attachments:
        fail('attachment', "The package has no attachment.")
    for attachment in package.attachments:
        if not attachment.size:
            fail('attachment', f"The attachment {attachment.name!r} "
                "is empty.")
        elif attachment.content_type == 'application/pdf':
            reason = pdf_problem(attachment.stream)
            if reason:
                fail('pdf', f"The PDF {attachment.name!r} does not open: "
                    f"{reason}")
    return problems


def _check_dates(package: Package, today: dt.date, fail) -> None:
    for name, text in package.raw_dates.items():
        if not text:
            continue
        try:
            value = parse_date(text)
        except ValueError:
            fail('date', f"{name} {text!r} is not a date.")
            continue
        if name == 'PromulgationDate' and not (
                EARLIEST <= value <= today + dt.timedelta(days=1)):
            fail('date', f"{name} {text!r} is out of range.")
    if (package.promulgation_date and package.due_date
            and package.due_date < package.promulgation_date):
        fail('date', "DueDate is before PromulgationDate.", fatal=False)


def pdf_problem(stream: BinaryIO | None) -> str:
    """'' if the PDF opens and every page's content decodes, else why."""
    from trytond.modules.mvp_documents import pdf_check
    if stream is None:
        return "no data"
    stream.seek(0)
    try:
        return pdf_check.pdf_problem(stream.read())
    finally:
        stream.seek(0)


def classification(package: Package) -> str:
    """The classified marking of package ('' when it has none).

    >>> classification(Package(subject='MẬT: Về việc ...'))
    'MẬT'
    >>> classification(Package(subject='Về mật độ dân số'))
    ''
    """
    if package.secrecy.strip().lower() not in NOT_SECRET:
        return package.secrecy.strip()
    for text in (package.subject, package.type_name):
        match = SECRECY_STAMP.match(
            unicodedata.normalize('NFC', text or ''))
        if match:
            return match.group(1).upper()
    return ''


def fatal(problems: Iterable[Problem]) -> list[Problem]:
    return [p for p in problems if p.fatal]
