# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Vietnamese demo data: Thái Bình province, its agencies and officials.

Identifier codes follow the structure of QĐ 20/2020/QĐ-TTg as described
in the reference: 000.00.00.H54 for the provincial People's Committee,
000.00.NN.H54 for the bodies directly under it, 000.MM.NN.H54 one level
down.  They are placeholders until the official list is loaded.
"""
import itertools

DEMO_PASSWORD = 'MvpDemo@2026'
PROVINCE_CODE = 'H54'
PLACE = "Thái Bình"  # địa danh of the provincial agencies

# (short name, official name, level, departments [(code, name)])
PROVINCE = ('UBND', "Ủy ban nhân dân tỉnh Thái Bình", 'province',
    [('VP', "Văn phòng"), ('KSTTHC', "Phòng Kiểm soát thủ tục hành chính"),
        ('TH', "Phòng Tổng hợp")])
DEPARTMENTS = [
    ('VPUBND', "Văn phòng Ủy ban nhân dân tỉnh",
        [('HCTC', "Phòng Hành chính - Tổ chức"), ('TH', "Phòng Tổng hợp")]),
    ('STTTT', "Sở Thông tin và Truyền thông",
        [('VP', "Văn phòng Sở"), ('CNTT', "Phòng Công nghệ thông tin"),
            ('BCVT', "Phòng Bưu chính, Viễn thông")]),
    ('SNV', "Sở Nội vụ",
        [('VP', "Văn phòng Sở"), ('VTLT', "Phòng Văn thư - Lưu trữ")]),
    ('STP', "Sở Tư pháp",
        [('VP', "Văn phòng Sở"),
            ('XDVB', "Phòng Xây dựng và Kiểm tra văn bản")]),
    ('SKHĐT', "Sở Kế hoạch và Đầu tư",
        [('VP', "Văn phòng Sở"), ('TH', "Phòng Tổng hợp, Quy hoạch")]),
    ('STC', "Sở Tài chính",
        [('VP', "Văn phòng Sở"), ('NS', "Phòng Quản lý ngân sách")]),
    ('SCT', "Sở Công Thương",
        [('VP', "Văn phòng Sở"), ('QLTM', "Phòng Quản lý thương mại")]),
    ('SXD', "Sở Xây dựng",
        [('VP', "Văn phòng Sở"), ('QLXD', "Phòng Quản lý xây dựng")]),
    ('SGTVT', "Sở Giao thông vận tải",
        [('VP', "Văn phòng Sở"), ('QLVT', "Phòng Quản lý vận tải")]),
    ('STNMT', "Sở Tài nguyên và Môi trường",
        [('VP', "Văn phòng Sở"), ('MT', "Phòng Quản lý môi trường")]),
    ('SYT', "Sở Y tế",
        [('VP', "Văn phòng Sở"), ('NVY', "Phòng Nghiệp vụ Y")]),
    ('SGDĐT', "Sở Giáo dục và Đào tạo",
        [('VP', "Văn phòng Sở"), ('GDTrH', "Phòng Giáo dục Trung học")]),
    ('SNNPTNT', "Sở Nông nghiệp và Phát triển nông thôn",
        [('VP', "Văn phòng Sở"), ('KH', "Phòng Kế hoạch - Tài chính")]),
    ('SVHTTDL', "Sở Văn hóa, Thể thao và Du lịch",
        [('VP', "Văn phòng Sở"), ('QLVH', "Phòng Quản lý văn hóa")]),
    ('TTr', "Thanh tra tỉnh",
        [('VP', "Văn phòng"), ('TCD', "Phòng Tiếp công dân")]),
    ]
DISTRICT_DEPARTMENTS = [
    ('VP', "Văn phòng HĐND và UBND"), ('NV', "Phòng Nội vụ"),
    ('TCKH', "Phòng Tài chính - Kế hoạch")]
# (short name, name, communes)
DISTRICTS = [
    ('UBNDTP', "Ủy ban nhân dân thành phố Thái Bình",
        ["Phường Đề Thám", "Phường Bồ Xuyên", "Xã Vũ Chính"]),
    ('UBNDQP', "Ủy ban nhân dân huyện Quỳnh Phụ",
        ["Thị trấn Quỳnh Côi", "Xã An Hiệp"]),
    ('UBNDHH', "Ủy ban nhân dân huyện Hưng Hà",
        ["Thị trấn Hưng Hà", "Xã Canh Tân"]),
    ('UBNDĐH', "Ủy ban nhân dân huyện Đông Hưng",
        ["Thị trấn Đông Hưng", "Xã Đông La"]),
    ('UBNDTT', "Ủy ban nhân dân huyện Thái Thụy",
        ["Thị trấn Diêm Điền", "Xã Thụy An"]),
    ('UBNDTH', "Ủy ban nhân dân huyện Tiền Hải",
        ["Thị trấn Tiền Hải", "Xã Nam Chính"]),
    ('UBNDKX', "Ủy ban nhân dân huyện Kiến Xương",
        ["Thị trấn Kiến Xương", "Xã Vũ An"]),
    ('UBNDVT', "Ủy ban nhân dân huyện Vũ Thư",
        ["Thị trấn Vũ Thư", "Xã Vũ Đoài", "Xã Hiệp Hòa"]),
    ]
COMMUNE_DEPARTMENTS = [('VP', "Văn phòng - Thống kê")]

SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi",
    "Đỗ", "Ngô", "Dương", "Lý"]
MIDDLE = ["Văn", "Thị", "Hữu", "Minh", "Thu", "Đức", "Thanh", "Quang",
    "Ngọc", "Xuân"]
GIVEN = ["An", "Bình", "Cường", "Dung", "Giang", "Hà", "Hải", "Hạnh",
    "Hùng", "Hương", "Khánh", "Lan", "Linh", "Long", "Mai", "Nam", "Nga",
    "Phương", "Quân", "Sơn", "Tâm", "Thảo", "Thắng", "Trang", "Tuấn",
    "Việt", "Yến"]

# role key -> (login prefix, position, groups)
ROLES = {
    'leader': ('ld', "Giám đốc", ['group_mvp_leader']),
    'office_chief': ('cvp', "Chánh Văn phòng",
        ['group_mvp_department_head', 'group_mvp_agency_admin']),
    'clerk': ('vt', "Văn thư", ['group_mvp_clerk']),
    'head': ('tp', "Trưởng phòng", ['group_mvp_department_head']),
    'officer': ('cv', "Chuyên viên", ['group_mvp_officer']),
    'officer2': ('cv2', "Chuyên viên", ['group_mvp_officer']),
    }


def names():
    for i in itertools.count():
        yield "%s %s %s" % (SURNAMES[i % len(SURNAMES)],
            MIDDLE[(i // 3) % len(MIDDLE)], GIVEN[(i * 7) % len(GIVEN)])


def login_key(short_name):
    "ASCII login suffix for a short name (STTTT, SKHĐT -> skhdt)"
    import unicodedata
    text = short_name.replace('Đ', 'D').replace('đ', 'd')
    text = unicodedata.normalize('NFKD', text)
    return ''.join(c for c in text if c.isascii() and c.isalnum()).lower()


def locality(name):
    """The place name (địa danh) of a district or commune: its name
    without the kind of unit, e.g. Quỳnh Phụ for "...huyện Quỳnh Phụ"."""
    for kind in ("thành phố ", "huyện ", "Phường ", "Xã ", "Thị trấn "):
        if kind in name:
            return name.split(kind, 1)[1]
    return name


def agency_plan():
    """Yield dicts describing every agency, parents before children."""
    short, name, level, departments = PROVINCE
    yield dict(short_name=short, name=name, level=level,
        code='000.00.00.' + PROVINCE_CODE, parent=None, place=PLACE,
        departments=departments, leader_title="Chủ tịch",
        roles=['leader', 'office_chief', 'clerk', 'head', 'officer'])
    number = 1
    for short, name, departments in DEPARTMENTS:
        yield dict(short_name=short, name=name, level='department',
            code='000.00.%02d.%s' % (number, PROVINCE_CODE), parent='UBND',
            place=PLACE,
            departments=departments,
            leader_title="Chánh Văn phòng" if short == 'VPUBND'
            else "Chánh Thanh tra" if short == 'TTr' else "Giám đốc",
            roles=list(ROLES) if short == 'STTTT' else
            ['leader', 'office_chief', 'clerk', 'head', 'officer'])
        number += 1
    for short, name, communes in DISTRICTS:
        district_number = number
        yield dict(short_name=short, name=name, level='district',
            code='000.00.%02d.%s' % (district_number, PROVINCE_CODE),
            place=locality(name),
            parent='UBND', departments=DISTRICT_DEPARTMENTS,
            leader_title="Chủ tịch",
            roles=['leader', 'office_chief', 'clerk', 'head', 'officer'])
        for index, commune in enumerate(communes, 1):
            initials = ''.join(w[0] for w in commune.split())
            yield dict(short_name='UBND' + login_key(initials).upper(),
                name="Ủy ban nhân dân " + commune[0].lower() + commune[1:],
                place=locality(commune),
                level='commune',
                code='000.%02d.%02d.%s' % (
                    index, district_number, PROVINCE_CODE),
                parent=short, departments=COMMUNE_DEPARTMENTS,
                leader_title="Chủ tịch",
                roles=['leader', 'clerk', 'office_chief', 'officer'])
        number += 1


def load(pool, password=DEMO_PASSWORD, only=None):
    """Create the demo agencies, departments, officials and accounts.

    only: a set of short names to create (tests use a small province).
    Return the agencies by short name and the printed logins: a list of
    (role, login, agency name).
    """
    Currency = pool.get('currency.currency')
    Party = pool.get('party.party')
    Company = pool.get('company.company')
    Level = pool.get('mvp.agency.level')
    Department = pool.get('mvp.department')
    Employee = pool.get('company.employee')
    User = pool.get('res.user')
    Role = pool.get('mvp.user.role')
    ModelData = pool.get('ir.model.data')

    vnd, = Currency.search([('code', '=', 'VND')]) or Currency.create([{
                'name': "Đồng Việt Nam", 'code': 'VND', 'symbol': '₫',
                'digits': 0, 'rounding': 1}])
    levels = {l.code: l for l in Level.search([])}
    group = {name: ModelData.get_id('mvp_documents', name)
        for role in ROLES.values() for name in role[2]}
    person = names()
    agencies, logins = {}, []
    for plan in agency_plan():
        if only and plan['short_name'] not in only:
            continue
        party, = Party.create([{'name': plan['name']}])
        agency, = Company.create([{
                    'party': party.id, 'currency': vnd.id,
                    'timezone': 'Asia/Ho_Chi_Minh',
                    'short_name': plan['short_name'],
                    'identifier_code': plan['code'],
                    'place': plan['place'],
                    'level': levels[plan['level']].id,
                    'parent': (agencies[plan['parent']].id
                        if plan['parent'] in agencies else None),
                    }])
        agencies[plan['short_name']] = agency
        departments = Department.create([{
                    'company': agency.id, 'code': code, 'name': name,
                    'is_office': index == 0, 'sequence': index * 10}
                for index, (code, name) in enumerate(plan['departments'])])
        office, work = departments[0], departments[-1]
        key = login_key(plan['short_name'])
        for role in plan['roles']:
            prefix, position, groups = ROLES[role]
            if role == 'leader':
                position = plan['leader_title']
            department = office if role in {'office_chief', 'clerk'} \
                else work
            employee_party, = Party.create([{'name': next(person)}])
            employee, = Employee.create([{
                        'party': employee_party.id, 'company': agency.id,
                        'department': department.id, 'position': position}])
            login = '%s.%s' % (prefix, key)
            user, = User.create([{
                        'name': employee_party.name, 'login': login,
                        'password': password, 'language': None,
                        'email': '%s@demo.thaibinh.gov.vn' % login,
                        'companies': [('add', [agency.id])],
                        'company': agency.id,
                        'employees': [('add', [employee.id])],
                        'employee': employee.id,
                        }])
            Role.create([{'user': user.id, 'company': agency.id,
                        'group': group[g]} for g in groups])
            if role in {'office_chief', 'head'}:
                Department.write([department], {'head': employee.id})
            if key == 'stttt':
                logins.append((role, login, agency.rec_name))
    return agencies, logins
