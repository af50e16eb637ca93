# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Run one command inside an installation's database and print JSON.

python -m trytond.modules.mvp_interchange.tests.twoservers_tool \
    CONFIG DATABASE COMMAND '{"json": "kwargs"}'
"""
import datetime as dt
import json
import sys
import time


def setup(agencies, peers, routes):
    from trytond.modules.company.tests import create_company
    from trytond.pool import Pool
    pool = Pool()
    Peer = pool.get('mvp.interchange.peer')
    Route = pool.get('mvp.interchange.route')
    for name, code, short_name in agencies:
        company = create_company(name=name)
        company.identifier_code = code
        company.short_name = short_name
        company.save()
        staff(company)
    Peer.create(peers)
    by_name = {p.name: p.id for p in Peer.search([])}
    Route.create([{'identifier_code': code, 'peer': by_name[peer]}
            for code, peer in routes])
    return {'ok': True}


def staff(company):
    "Registers, an office and one official who drafts, signs and handles"
    from trytond.modules.company.tests import create_employee
    from trytond.pool import Pool
    pool = Pool()
    Register = pool.get('mvp.register')
    Department = pool.get('mvp.department')
    Register.create([{'company': company.id, 'kind': kind, 'name': name}
            for kind, name in [('incoming', "Sổ văn bản đến"),
                ('outgoing', "Sổ văn bản đi")]])
    office, = Department.create([{'company': company.id,
                'name': "Văn phòng", 'code': 'VP', 'is_office': True}])
    employee = create_employee(company, "Nguyễn Văn An")
    employee.department = office
    employee.position = "Chánh Văn phòng"
    employee.save()


def release(sender, recipient, subject, **values):
    """Draft, approve, number and release a signed document from agency
    sender to agency recipient of the other installation (as root), with
    values of more fields of the draft"""
    from trytond.modules.mvp_interchange.tests.pdf import padded_pdf
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    pool = Pool()
    Company = pool.get('company.company')
    Employee = pool.get('company.employee')
    Outgoing = pool.get('mvp.outgoing')
    Recipient = pool.get('mvp.outgoing.recipient')
    File = pool.get('mvp.document.file')
    Type = pool.get('mvp.document.type')
    agency, = Company.search([('identifier_code', '=', sender)])
    employee, = Employee.search([('company', '=', agency.id)])
    type_, = Type.search([('code', '=', 'cong_van')])
    with Transaction().set_context(company=agency.id):
        outgoing, = Outgoing.create([{'company': agency.id,
                    'department': employee.department.id,
                    'drafter': employee.id, 'signer': employee.id,
                    'document_type': type_.id, 'subject': subject,
                    **values}])
        with Transaction().set_context(_mvp_outgoing_internal=True):
            Outgoing.write([outgoing], {'state': 'approved'})
        Outgoing.assign_number([outgoing])
        Recipient.create([{'outgoing': outgoing.id, 'kind': 'outside',
                    'name': "UBND tỉnh Nghệ An",
                    'identifier_code': recipient}])
        File.create([{'resource': str(outgoing), 'kind': 'signed',
                    'name': 'cong-van.pdf', 'data': padded_pdf(20000)}])
        Outgoing.release([outgoing])
    outgoing = Outgoing(outgoing.id)
    return {'outgoing': outgoing.id, 'document_id': outgoing.identifier}


def recipients(outgoing):
    "The sender's view: state of each recipient, status codes received"
    from trytond.pool import Pool
    pool = Pool()
    Outgoing = pool.get('mvp.outgoing')
    Message = pool.get('mvp.interchange.message')
    outgoing = Outgoing(outgoing)
    statuses = Message.search([('direction', '=', 'in'),
            ('kind', '=', 'status'), ('state', '=', 'accepted'),
            ('document_id', '=', outgoing.identifier)])
    return {'states': [r.state for r in outgoing.recipients],
        'codes': sorted({m.status_code for m in statuses})}


def recall(outgoing, reason):
    from trytond.pool import Pool
    Outgoing = Pool().get('mvp.outgoing')
    outgoing = Outgoing(outgoing)
    Outgoing.recall_recipients(list(outgoing.recipients), reason)
    return {'ok': True}


def handle(document_id, steps):
    """At the recipient: the clerk accepts (or returns the document to
    its sender), the leader assigns the official to lead, the official
    records progress and finishes, the recall is answered; return the
    document state"""
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    pool = Pool()
    Message = pool.get('mvp.interchange.message')
    Incoming = pool.get('mvp.incoming')
    Assignment = pool.get('mvp.assignment')
    Employee = pool.get('company.employee')
    messages = Message.search([('direction', '=', 'in'),
            ('kind', '=', 'package'), ('document_id', '=', document_id)])
    incomings = Incoming.search([
            ('origin', 'in', [str(m) for m in messages])])
    if not incomings:
        return {'state': None}
    incoming, = incomings
    if 'accept' in steps:
        Incoming.accept([incoming])
    if 'assign' in steps:
        employee, = Employee.search([('company', '=', incoming.company.id)])
        Assignment.create([{'incoming': incoming.id,
                    'employee': employee.id, 'role': 'lead'}])
        Incoming.assign([Incoming(incoming.id)])
    if 'progress' in steps:
        Incoming.process([Incoming(incoming.id)])
    if 'finish' in steps:
        Assignment.finish(Incoming(incoming.id).assignments)
    if 'reject' in steps:
        Incoming.reject([incoming], "Gửi nhầm cơ quan")
    # the agency's answer to a recall, given here by the server itself
    with Transaction().set_user(0):
        if 'agree_recall' in steps:
            Incoming.agree_recall([Incoming(incoming.id)])
        if 'refuse_recall' in steps:
            Incoming.refuse_recall([Incoming(incoming.id)], "Đã xử lý")
    incoming = Incoming(incoming.id)
    return {'state': incoming.state, 'recall': incoming.recall_state}


def has_incoming():
    from trytond.pool import Pool
    try:
        Pool().get('mvp.incoming')
    except KeyError:
        return False
    return True


def send(sender, recipient, count, attachment_kb=20, prefix='1',
        signed=False, tamper=False):
    "Queue count new packages from agency sender to recipient"
    from trytond.modules.mvp_interchange import xml_io
    from trytond.modules.mvp_interchange.tests.test_xml_io import (
        make_package)
    from trytond.pool import Pool
    pool = Pool()
    Message = pool.get('mvp.interchange.message')
    Company = pool.get('company.company')
    agency, = Company.search([('identifier_code', '=', sender)])
    from trytond.modules.mvp_interchange.tests.pdf import padded_pdf
    pdf = padded_pdf(attachment_kb * 1024)
    ids = []
    for index in range(count):
        number = f'{prefix}{index:04d}'
        notation = f'{number}/CV-TEST'
        date = dt.date.today()
        package = make_package(
            sender=xml_io.Organization(sender, organ_name=agency.rec_name),
            recipients=[xml_io.Organization(recipient, organ_name='X')],
            code_number=number, code_notation='CV-TEST',
            promulgation_date=date, due_date=None,
            document_id=xml_io.document_id(sender, date, notation),
            attachments=[xml_io.Attachment.from_bytes('cong-van.pdf', pdf,
                    content_type='application/pdf', content_id='a1')])
        data = xml_io.package_bytes(package)
        if signed:
            data = sign(data, tamper)
        message = Message.queue_out('package', data, recipient,
            agency=agency, sender_code=sender,
            document_id=package.document_id, business_type='0',
            notation=notation, promulgation_date=date,
            subject=package.subject)
        ids.append(message.id)
    return {'ids': ids, 'queued_at': time.time()}


def sign(data, tamper=False):
    "Sign with signxml (a throwaway self-signed key); optionally tamper"
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID
    from lxml import etree
    from signxml import XMLSigner
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, 'Test')])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(1)
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .sign(key, hashes.SHA256()))
    root = etree.fromstring(data)
    signed = XMLSigner().sign(root,
        key=key.private_bytes(serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption()),
        cert=cert.public_bytes(serialization.Encoding.PEM).decode())
    result = etree.tostring(signed, xml_declaration=True, encoding='utf-8')
    if tamper:
        result = result.replace(b'CV-TEST</edXML:CodeNotation>',
            b'CV-FAKE</edXML:CodeNotation>', 1)
    return result


def send_status(sender, recipient, document_id, code):
    "Queue a status from agency sender about recipient's document"
    from trytond.modules.mvp_interchange import xml_io
    from trytond.modules.mvp_interchange.interchange import organization
    from trytond.pool import Pool
    pool = Pool()
    Message = pool.get('mvp.interchange.message')
    Company = pool.get('company.company')
    agency, = Company.search([('identifier_code', '=', sender)])
    status = xml_io.Status(sender=organization(agency),
        response_for=xml_io.ResponseFor(recipient, '', '', document_id),
        status_code=code, description=f'status {code}',
        timestamp=dt.datetime.now(xml_io.VIETNAM))
    message = Message.queue_out('status', xml_io.status_bytes(status),
        recipient, agency=agency, sender_code=sender,
        document_id=document_id, status_code=code)
    return message.id


def state():
    from trytond.pool import Pool
    pool = Pool()
    Message = pool.get('mvp.interchange.message')
    result = {'out': {}, 'in': {}, 'errors': {}, 'delivered': {},
        'duplicates': 0, 'incomings': None, 'retried': 0}
    for message in Message.search([]):
        side = result[message.direction]
        key = f'{message.kind}:{message.state}'
        side[key] = side.get(key, 0) + 1
        if message.error_code:
            result['errors'][message.error_code] = result['errors'].get(
                message.error_code, 0) + 1
        if message.direction == 'in':
            result['duplicates'] += message.duplicates or 0
        elif (message.attempts or 0) > 1:
            result['retried'] += 1
        if message.direction == 'out' and message.kind == 'package':
            result['delivered'][message.document_id] = (
                message.delivered_status)
    if has_incoming():
        Incoming = pool.get('mvp.incoming')
        incomings = Incoming.search([])
        result['incomings'] = len(incomings)
        result['incoming_documents'] = sorted(
            i.notation or '' for i in incomings)
        result['incoming_ids'] = [i.id for i in incomings]
    return result


def incoming_event(ids, action):
    "accept / reject the incomings ids (as root)"
    from trytond.pool import Pool
    Incoming = Pool().get('mvp.incoming')
    incomings = Incoming.browse(ids)
    if action == 'accept':
        Incoming.accept(incomings)
    elif action == 'reject':
        Incoming.reject(incomings, 'Sai địa chỉ')
    else:
        Incoming.add_event(incomings, action)
    return {'ok': True}


COMMANDS = {f.__name__: f for f in [setup, has_incoming, send, send_status,
        state, incoming_event, release, recipients, recall, handle]}


def work(database, interval=0.3):
    """Deliver due outbox messages forever: the stand-in for trytond-worker
    on SQLite, whose connection the worker cannot wait on."""
    from trytond.backend import DatabaseOperationalError
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    Message = Pool(database).get('mvp.interchange.message')
    while True:
        try:
            with Transaction().start(database, 0) as transaction:
                Message.send_due()
                transaction.commit()
        except DatabaseOperationalError:
            pass
        time.sleep(interval)


def main(argv=None):
    argv = argv or sys.argv[1:]
    conf, database, command = argv[:3]
    kwargs = json.loads(argv[3]) if len(argv) > 3 else {}
    from trytond import config
    config.update_etc(conf)
    from trytond.pool import Pool
    from trytond.transaction import Transaction, TransactionError
    pool = Pool(database)
    pool.init()
    if command == 'work':
        return work(database)
    extras = {}
    while True:  # as trytond-worker does: retry with the locks asked for
        with Transaction().start(database, 0, context={'company': None},
                **extras) as transaction:
            try:
                result = COMMANDS[command](**kwargs)
            except TransactionError as error:
                transaction.rollback()
                error.fix(extras)
                continue
            transaction.commit()
            break
    print(json.dumps(result, default=str))


if __name__ == '__main__':
    main()
