# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The encrypted stream of a backup archive

AES-256-GCM over chunks of 4 MB, so that a backup of any size is written
and read in bounded memory.  Each chunk is authenticated with its index
and whether it is the last one: a chunk changed, removed, reordered or
cut off, a missing end, or a key that is not the backup's, is detected
before anything is restored.

    header:  MAGIC | nonce prefix (8 bytes) | key check (16 bytes)
    chunk:   length (4 bytes, big endian) | ciphertext and tag
"""
import base64
import io
import os
import struct

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

__all__ = ['ArchiveError', 'generate_key', 'load_key', 'EncryptingWriter',
    'DecryptingReader']

MAGIC = b'MVP-BACKUP-1\n'
CHUNK = 4 * 1024 * 1024
_LENGTH = struct.Struct('!I')


class ArchiveError(Exception):
    "The archive cannot be read: the message says why"


def generate_key():
    "Return a new key, as text (base64)"
    return base64.urlsafe_b64encode(AESGCM.generate_key(256)).decode()


def load_key(text):
    try:
        key = base64.urlsafe_b64decode(text.strip().encode())
    except (ValueError, TypeError):
        key = b''
    if len(key) != 32:
        raise ArchiveError(
            "The backup key is not valid (expected 32 bytes in base64, "
            "as made by mvp-backup --generate-key).")
    return key


def _nonce(prefix, index):
    return prefix + struct.pack('!I', index)


def _aad(index, final):
    return MAGIC + struct.pack('!QB', index, int(final))


def _key_check(cipher, prefix):
    return cipher.encrypt(prefix + b'\xff' * 4, b'', MAGIC + b'key')


class EncryptingWriter(io.RawIOBase):
    "A binary file object that encrypts what is written to fileobj"

    def __init__(self, fileobj, key):
        self.fileobj = fileobj
        self.cipher = AESGCM(key)
        self.prefix = os.urandom(8)
        self.buffer = bytearray()
        self.index = 0
        fileobj.write(MAGIC + self.prefix
            + _key_check(self.cipher, self.prefix))

    def writable(self):
        return True

    def write(self, data):
        self.buffer += data
        while len(self.buffer) > CHUNK:
            self._chunk(bytes(self.buffer[:CHUNK]), final=False)
            del self.buffer[:CHUNK]
        return len(data)

    def _chunk(self, data, final):
        sealed = self.cipher.encrypt(
            _nonce(self.prefix, self.index), data, _aad(self.index, final))
        self.fileobj.write(_LENGTH.pack(len(sealed)) + sealed)
        self.index += 1

    def close(self):
        if not self.closed:
            # the last chunk, even empty, says the archive is complete
            self._chunk(bytes(self.buffer), final=True)
            self.buffer.clear()
        super().close()


class DecryptingReader(io.RawIOBase):
    "A binary file object of the plain content of an encrypted archive"

    def __init__(self, fileobj, key):
        self.fileobj = fileobj
        header = fileobj.read(len(MAGIC) + 8 + 16)
        if not header.startswith(MAGIC):
            raise ArchiveError("This file is not an MVP Office backup.")
        if len(header) < len(MAGIC) + 24:
            raise ArchiveError("The backup is truncated (no header).")
        self.prefix = header[len(MAGIC):len(MAGIC) + 8]
        self.cipher = AESGCM(key)
        if header[len(MAGIC) + 8:] != _key_check(self.cipher, self.prefix):
            raise ArchiveError(
                "The key does not open this backup: it was encrypted with "
                "another key.")
        self.index = 0
        self.pending = b''
        self.done = False

    def readable(self):
        return True

    def readinto(self, buffer):
        while not self.pending and not self.done:
            self.pending = self._next()
        size = min(len(buffer), len(self.pending))
        buffer[:size] = self.pending[:size]
        self.pending = self.pending[size:]
        return size

    def _next(self):
        length = self.fileobj.read(_LENGTH.size)
        if len(length) < _LENGTH.size:
            raise ArchiveError("The backup is truncated: it ends at part "
                "%d, before its last part." % self.index)
        length, = _LENGTH.unpack(length)
        sealed = self.fileobj.read(length)
        if len(sealed) < length:
            raise ArchiveError("The backup is truncated in part %d."
                % self.index)
        nonce = _nonce(self.prefix, self.index)
        for final in (False, True):
            try:
                data = self.cipher.decrypt(
                    nonce, sealed, _aad(self.index, final))
            except InvalidTag:
                continue
            self.index += 1
            if final:
                self.done = True
                if self.fileobj.read(1):
                    raise ArchiveError(
                        "The backup has data after its last part.")
            return data
        raise ArchiveError("The backup is damaged: part %d does not "
            "match its authentication tag." % self.index)
