# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Cross-checks with other tools and test servers for the signature tests."""
import asyncio
import http.server
import os
import shutil
import sys
import subprocess
import tempfile
import threading

from cryptography.hazmat.primitives import serialization

CI = os.environ.get('CI') == 'true'


def pdfsig(data, root=None):
    """Return the output of poppler's pdfsig on data.

    With root and NSS's certutil (Debian libnss3-tools), pdfsig checks the
    certificate chain against a temporary NSS database trusting root only.
    """
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, 'signed.pdf')
        with open(path, 'wb') as file:
            file.write(data)
        args = ['pdfsig']
        if root is not None and shutil.which('certutil'):
            nss = os.path.join(directory, 'nss')
            os.mkdir(nss)
            root_path = os.path.join(directory, 'root.pem')
            with open(root_path, 'wb') as file:
                file.write(root.cert.public_bytes(
                        serialization.Encoding.PEM))
            subprocess.run(
                ['certutil', '-N', '-d', 'sql:' + nss, '--empty-password'],
                check=True, capture_output=True)
            subprocess.run(
                ['certutil', '-A', '-d', 'sql:' + nss, '-n', 'root',
                    '-t', 'CT,C,C', '-i', root_path],
                check=True, capture_output=True)
            args += ['-nssdir', 'sql:' + nss]
        result = subprocess.run(
            args + [path], capture_output=True, text=True)
    return result.stdout


def pyhanko_cli(data, root):
    "Return the executive summary of `pyhanko sign validate` with root"
    executable = pyhanko_cli_path()
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, 'signed.pdf')
        root_path = os.path.join(directory, 'root.pem')
        with open(path, 'wb') as file:
            file.write(data)
        with open(root_path, 'wb') as file:
            file.write(root.cert.public_bytes(serialization.Encoding.PEM))
        result = subprocess.run([
                executable, 'sign', 'validate', '--trust', root_path,
                '--trust-replace', '--no-revocation-check',
                '--executive-summary', path],
            capture_output=True, text=True)
    return result.returncode, result.stdout + result.stderr


def pyhanko_cli_path():
    candidate = os.path.join(os.path.dirname(sys.executable), 'pyhanko')
    return candidate if os.path.exists(candidate) else shutil.which('pyhanko')


class TimestampServer:
    "An RFC 3161 timestamp authority over HTTP on 127.0.0.1 (pyHanko's TSA)"

    def __init__(self, tsa, chain):
        from asn1crypto import keys as asn1_keys
        from asn1crypto import tsp
        from asn1crypto import x509 as asn1_x509
        from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
        from pyhanko_certvalidator.registry import SimpleCertificateStore

        def load(entity):
            return asn1_x509.Certificate.load(entity.cert.public_bytes(
                    serialization.Encoding.DER))
        stamper = DummyTimeStamper(
            tsa_cert=load(tsa),
            tsa_key=asn1_keys.PrivateKeyInfo.load(tsa.key.private_bytes(
                    serialization.Encoding.DER,
                    serialization.PrivateFormat.PKCS8,
                    serialization.NoEncryption())),
            certs_to_embed=SimpleCertificateStore.from_certs(
                [load(c) for c in chain]))

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers['Content-Length'])
                request = tsp.TimeStampReq.load(self.rfile.read(length))
                response = asyncio.run(
                    stamper.async_request_tsa_response(request))
                body = response.dump()
                self.send_response(200)
                self.send_header(
                    'Content-Type', 'application/timestamp-reply')
                self.send_header('Content-Length', str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(
            ('127.0.0.1', 0), Handler)
        self.url = 'http://127.0.0.1:%s/' % self.server.server_address[1]
        self.thread = threading.Thread(
            target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


class FileServer:
    "Serve bytes over HTTP on 127.0.0.1 (a CRL distribution point)"

    def __init__(self):
        files = self.files = {}

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                body = files.get(self.path)
                if body is None:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header('Content-Type', 'application/pkix-crl')
                self.send_header('Content-Length', str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(
            ('127.0.0.1', 0), Handler)
        self.url = 'http://127.0.0.1:%s/' % self.server.server_address[1]
        self.thread = threading.Thread(
            target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.stopped = False

    def stop(self):
        if not self.stopped:
            self.stopped = True
            self.server.shutdown()
            self.server.server_close()
