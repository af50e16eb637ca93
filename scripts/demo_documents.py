# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Registers and a working day's documents for the demo agencies.

Every step runs as the person who would do it (clerk, leader, drafter,
department head), through the same methods the buttons call, so the demo
shows documents in the states people meet: waiting for the leader,
assigned, late, and a draft waiting for approval.
"""
import datetime as dt
import io

from trytond.transaction import Transaction

INCOMING = [
    # issuer, notation, type, subject, urgency, arrived days ago, pages,
    # deadline in days
    ("Ủy ban nhân dân tỉnh Thái Bình", '1520/UBND-KGVX', 'cong_van',
        "Về việc đẩy mạnh chuyển đổi số trong cơ quan nhà nước năm 2027",
        'urgent', 1, 2, 10),
    ("Bộ Thông tin và Truyền thông", '45/QĐ-BTTTT', 'quyet_dinh',
        "Về việc ban hành Bộ chỉ số đánh giá chuyển đổi số cấp tỉnh",
        'normal', 3, 5, 20),
    ("Ủy ban nhân dân huyện Đông Hưng", '51/TTr-UBND', 'to_trinh',
        "Về việc đề nghị hỗ trợ kinh phí xây dựng hạ tầng số cấp xã",
        'normal', 12, 3, -2),
    ("Sở Tài chính tỉnh Thái Bình", '830/STC-NS', 'cong_van',
        "Về việc góp ý dự toán ngân sách năm 2027",
        'very_urgent', 0, 1, 3),
    ]


def pdf(title, lines):
    "A one-page A4 document in Times-metric serif with Vietnamese text"
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    from trytond.modules.mvp_documents.fonts import register_fonts
    regular, bold = register_fonts()[:2]
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4)
    width, height = A4
    page.setFont(bold, 12)
    page.drawCentredString(width / 2, height - 60,
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    page.drawCentredString(width / 2, height - 76,
        "Độc lập - Tự do - Hạnh phúc")
    page.setFont(bold, 14)
    page.drawCentredString(width / 2, height - 130, title)
    page.setFont(regular, 13)
    y = height - 170
    for line in lines:
        page.drawString(70, y, line)
        y -= 20
    page.showPage()
    page.save()
    return buffer.getvalue()


def load(pool, agencies):
    "Create the registers of every agency and STTTT's documents"
    Register = pool.get('mvp.register')
    Register.create([{'company': agency.id, 'kind': kind, 'name': name}
            for agency in agencies.values()
            for kind, name in [('incoming', "Sổ văn bản đến"),
                ('outgoing', "Sổ văn bản đi")]])
    agency = agencies.get('STTTT')
    if agency:
        Type = pool.get('mvp.document.type')
        types = {t.code: t for t in Type.search([])}
        people = staff(pool, agency)
        load_incoming(pool, agency, people, types)
        load_outgoing(pool, agency, people, types['cong_van'])


def staff(pool, agency):
    "The demo official of each role in agency, by login prefix"
    User = pool.get('res.user')
    people = {}
    for user in User.search([('company', '=', agency.id)]):
        prefix = user.login.split('.')[0]
        people[prefix] = (user, user.employee)
    return people


def run_as(person, agency, function, *args):
    "Call function as the user of person, working in agency"
    user, employee = person
    with Transaction().set_user(user.id), Transaction().set_context(
            company=agency.id, employee=employee.id):
        return function(*args)


def load_incoming(pool, agency, people, types):
    Incoming = pool.get('mvp.incoming')
    File = pool.get('mvp.document.file')
    Department = pool.get('mvp.department')
    today = dt.date.today()
    now = dt.datetime.now().replace(microsecond=0)
    work = people['cv'][1].department
    created = []
    for (issuer, notation, type_code, subject, urgency, age, pages,
            due) in INCOMING:
        type_ = types[type_code]
        incoming, = run_as(people['vt'], agency, Incoming.create, [{
                    'company': agency.id, 'issuer_name': issuer,
                    'arrival_date': now - dt.timedelta(days=age),
                    'notation': notation,
                    'issue_date': today - dt.timedelta(days=age + 2),
                    'document_type': type_.id, 'subject': subject,
                    'urgency': urgency, 'pages': pages, 'channel': 'paper',
                    'deadline': today + dt.timedelta(days=due),
                    }])
        File.create([{'resource': str(incoming), 'company': agency.id,
                    'kind': 'scan', 'name': notation.replace('/', '-')
                    + '.pdf', 'data': pdf(type_.name.upper(),
                        [f"Số: {notation}", subject])}])
        run_as(people['vt'], agency, Incoming.register_arrival, [incoming])
        created.append(incoming)
    # the clerk submits all but the newest to the leader
    leader = people['ld'][1]
    Incoming.write(created[:-1], {'submitted_to': leader.id})
    run_as(people['vt'], agency, Incoming.submit,
        Incoming.browse([i.id for i in created[:-1]]))
    # the leader assigns the first and the late one to the work department
    office, = Department.search([('company', '=', agency.id),
            ('is_office', '=', True)])
    for incoming in [created[0], created[2]]:
        incoming = Incoming(incoming.id)
        run_as(people['ld'], agency, assign, pool, incoming, work, office)


def assign(pool, incoming, lead, coordinate):
    Assignment = pool.get('mvp.assignment')
    Incoming = pool.get('mvp.incoming')
    Assignment.create([{'incoming': incoming.id, 'department': lead.id,
                'role': 'lead', 'deadline': incoming.deadline,
                'instruction': "Giao phòng chủ trì, tham mưu văn bản "
                "trả lời trước hạn."},
            {'incoming': incoming.id, 'department': coordinate.id,
                'role': 'coordinate', 'deadline': incoming.deadline}])
    Incoming.assign([Incoming(incoming.id)])


OUTGOING = [
    # subject, file, submitted to the leader
    ("Về việc báo cáo kết quả chuyển đổi số năm 2026 và kế hoạch năm 2027",
        'bao-cao-chuyen-doi-so.pdf', True),
    ("Về việc tổ chức Hội nghị tập huấn chữ ký số cho cán bộ cấp xã",
        'hoi-nghi-tap-huan.pdf', True),
    ("Về việc đề nghị cung cấp số liệu thuê bao Internet năm 2026",
        'de-nghi-so-lieu.pdf', False),
    ]


def load_outgoing(pool, agency, people, type_):
    """Replies drafted and initialled, waiting for the leader's approval,
    and one the officer is still working on"""
    for subject, name, submitted in OUTGOING:
        draft(pool, agency, people, type_, subject, name, submitted)


def draft(pool, agency, people, type_, subject, name, submitted):
    Outgoing = pool.get('mvp.outgoing')
    drafter, leader = people['cv'][1], people['ld'][1]
    outgoing, = run_as(people['cv'], agency, Outgoing.create, [{
                'company': agency.id, 'department': drafter.department.id,
                'drafter': drafter.id, 'signer': leader.id,
                'document_type': type_.id, 'subject': subject,
                'release_mode': 'electronic',
                }])
    run_as(people['cv'], agency, Outgoing.add_draft_version, outgoing,
        [{'name': name, 'data': pdf("CÔNG VĂN",
                    ["Kính gửi: Ủy ban nhân dân tỉnh Thái Bình", subject])}],
        "Dự thảo lần 1")
    if not submitted:
        return Outgoing(outgoing.id)
    for initialler in ['cv', 'tp']:
        if initialler in people:
            run_as(people[initialler], agency, Outgoing.initial,
                [Outgoing(outgoing.id)])
    run_as(people['cv'], agency, Outgoing.submit, [Outgoing(outgoing.id)])
    return Outgoing(outgoing.id)
