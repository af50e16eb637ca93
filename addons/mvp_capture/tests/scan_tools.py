# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Generate scans of Vietnamese documents for tests.

A first page is laid out as Decree 30/2020 asks (issuer top left, motto
top right, number, place and date, type name, subject), drawn with
reportlab in a serif font with Vietnamese glyphs, then rasterised with
poppler's pdftoppm as a scanner would produce it.
"""
import io
import os
import shutil
import subprocess
import tempfile

from trytond.modules.mvp_documents.fonts import register_fonts

__all__ = ['vietnamese_page_pdf', 'rasterise', 'vietnamese_scan',
    'can_rasterise']

PAGE = {
    'parent': 'UBND TỈNH THÁI BÌNH',
    'issuer': 'SỞ THÔNG TIN VÀ TRUYỀN THÔNG',
    'notation': 'Số: 51/TTr-STTTT',
    'date': 'Thái Bình, ngày 05 tháng 3 năm 2025',
    'title': 'TỜ TRÌNH',
    'subject': 'Về việc phê duyệt danh mục mã định danh điện tử các cơ quan',
    'body': [
        'Kính gửi: Ủy ban nhân dân tỉnh Thái Bình.',
        'Căn cứ Nghị định số 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020;',
        'Sở Thông tin và Truyền thông kính trình Ủy ban nhân dân tỉnh '
        'xem xét, phê duyệt.',
        ],
    }


def can_rasterise():
    return bool(shutil.which('pdftoppm'))


def vietnamese_page_pdf(**values):
    "Return a one-page PDF (text, not scanned) with the given heading."
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas
    page = dict(PAGE, **values)
    regular, bold, _, _ = register_fonts()
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    width, height = A4
    pdf.setFont(regular, 12)
    pdf.drawCentredString(150, height - 60, page['parent'])
    pdf.setFont(bold, 12)
    pdf.drawCentredString(150, height - 76, page['issuer'])
    pdf.drawCentredString(
        420, height - 60, 'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM')
    pdf.setFont(bold, 13)
    pdf.drawCentredString(420, height - 76, 'Độc lập - Tự do - Hạnh phúc')
    pdf.setFont(regular, 13)
    pdf.drawCentredString(150, height - 110, page['notation'])
    pdf.drawCentredString(420, height - 110, page['date'])
    pdf.setFont(bold, 14)
    pdf.drawCentredString(width / 2, height - 160, page['title'])
    pdf.setFont(bold, 13)
    pdf.drawCentredString(width / 2, height - 178, page['subject'])
    pdf.setFont(regular, 13)
    y = height - 220
    for line in page['body']:
        pdf.drawString(70, y, line)
        y -= 20
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def rasterise(pdf, fmt='png', dpi=200):
    "Return the first page of pdf as a grey image (png, jpeg or tiff)."
    flag = {'png': '-png', 'jpeg': '-jpeg', 'tiff': '-tiff'}[fmt]
    with tempfile.TemporaryDirectory() as directory:
        source = os.path.join(directory, 'page.pdf')
        with open(source, 'wb') as file:
            file.write(pdf)
        subprocess.run(
            ['pdftoppm', flag, '-gray', '-r', str(dpi), '-singlefile',
                source, os.path.join(directory, 'scan')],
            check=True, capture_output=True)
        name, = [n for n in os.listdir(directory) if n.startswith('scan')]
        with open(os.path.join(directory, name), 'rb') as file:
            return file.read()


def image_to_pdf(image):
    "Wrap an image in a PDF without a text layer, as a scanner does."
    from PIL import Image
    buffer = io.BytesIO()
    with Image.open(io.BytesIO(image)) as picture:
        picture.save(buffer, format='PDF', resolution=200.0)
    return buffer.getvalue()


def vietnamese_scan(fmt='png', **values):
    "Return a scan of a Vietnamese first page as fmt (png/jpeg/tiff/pdf)."
    image = rasterise(vietnamese_page_pdf(**values),
        fmt='png' if fmt == 'pdf' else fmt)
    if fmt == 'pdf':
        return image_to_pdf(image)
    return image
