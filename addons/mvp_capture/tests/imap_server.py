# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""A small IMAP4rev1 server on 127.0.0.1 for tests.

It speaks the part of RFC 3501 that a mail client fetching new messages
uses (CAPABILITY, LOGIN, SELECT, UID SEARCH UNSEEN, UID FETCH BODY[],
UID STORE +FLAGS, LOGOUT) over a real TCP socket, with one mailbox held
in memory.
"""
import re
import socketserver
import threading

__all__ = ['ImapServer']


class _Handler(socketserver.StreamRequestHandler):

    def send(self, line):
        if isinstance(line, str):
            line = line.encode()
        self.wfile.write(line + b'\r\n')

    def handle(self):
        server = self.server.imap
        self.send('* OK [CAPABILITY IMAP4rev1] test server ready')
        authenticated = False
        while True:
            line = self.rfile.readline()
            if not line:
                return
            parts = line.decode().rstrip('\r\n').split(' ', 2)
            tag, command = parts[0], parts[1].upper() if len(parts) > 1 else ''
            args = parts[2] if len(parts) > 2 else ''
            if command == 'CAPABILITY':
                self.send('* CAPABILITY IMAP4rev1')
                self.send('%s OK CAPABILITY completed' % tag)
            elif command == 'NOOP':
                self.send('%s OK NOOP completed' % tag)
            elif command == 'LOGOUT':
                self.send('* BYE logging out')
                self.send('%s OK LOGOUT completed' % tag)
                return
            elif command == 'LOGIN':
                user, password = [
                    a.strip('"') for a in re.findall(r'"[^"]*"|\S+', args)]
                if (user, password) == (server.user, server.password):
                    authenticated = True
                    self.send('%s OK LOGIN completed' % tag)
                else:
                    self.send('%s NO [AUTHENTICATIONFAILED] invalid' % tag)
            elif not authenticated:
                self.send('%s BAD not authenticated' % tag)
            elif command in {'SELECT', 'EXAMINE'}:
                if args.strip('"').upper() != 'INBOX':
                    self.send('%s NO no such mailbox' % tag)
                    continue
                with server.lock:
                    count = len(server.messages)
                self.send('* %s EXISTS' % count)
                self.send('* 0 RECENT')
                self.send('* FLAGS (\\Seen)')
                self.send('%s OK [READ-WRITE] SELECT completed' % tag)
            elif command == 'UID':
                self.uid(tag, args)
            else:
                self.send('%s BAD unknown command' % tag)

    def uid(self, tag, args):
        server = self.server.imap
        command, _, rest = args.partition(' ')
        command = command.upper()
        with server.lock:
            messages = list(enumerate(server.messages, 1))
        if command == 'SEARCH':
            uids = [str(m['uid']) for _, m in messages
                if not (rest.upper() == 'UNSEEN' and m['seen'])]
            self.send('* SEARCH %s' % ' '.join(uids))
            self.send('%s OK SEARCH completed' % tag)
        elif command == 'FETCH':
            wanted, _, _ = rest.partition(' ')
            for seq, message in messages:
                if str(message['uid']) in wanted.split(','):
                    data = message['data']
                    self.wfile.write(
                        b'* %d FETCH (UID %d BODY[] {%d}\r\n'
                        % (seq, message['uid'], len(data)))
                    self.wfile.write(data + b')\r\n')
            self.send('%s OK FETCH completed' % tag)
        elif command == 'STORE':
            wanted, _, flags = rest.partition(' ')
            with server.lock:
                for message in server.messages:
                    if (str(message['uid']) in wanted.split(',')
                            and '\\Seen' in flags):
                        message['seen'] = True
            self.send('%s OK STORE completed' % tag)
        else:
            self.send('%s BAD unknown UID command' % tag)


class _TCPServer(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


class ImapServer:
    "An IMAP server on 127.0.0.1 with one INBOX; use as a context manager."

    def __init__(self, user='vanthu', password='secret'):
        self.user = user
        self.password = password
        self.messages = []
        self.lock = threading.Lock()
        self._server = _TCPServer(('127.0.0.1', 0), _Handler)
        self._server.imap = self
        self.port = self._server.server_address[1]

    def deliver(self, data):
        with self.lock:
            self.messages.append({
                    'uid': len(self.messages) + 1,
                    'data': data,
                    'seen': False,
                    })

    def unseen(self):
        with self.lock:
            return [m['uid'] for m in self.messages if not m['seen']]

    def __enter__(self):
        self._thread = threading.Thread(
            target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()
