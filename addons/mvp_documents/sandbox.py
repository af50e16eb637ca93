# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Run a parser of outside files in a child process of bounded memory
and time, so that one hostile PDF or image cannot stall a server

The child comes from multiprocessing's fork server: a clean process
started once (never a fork of a threaded server, which may hold a lock),
which already imported the parsers, so a file costs a fork and a pipe,
not an interpreter start.  The child's address space is capped with
RLIMIT_AS; a parser that runs too long is killed.  The function and its
arguments are pickled: pass a module-level function, plain data, and the
limits (the child does not read trytond's configuration).
"""
import multiprocessing
import resource
import threading

from .file_limits import LimitExceeded, MB

__all__ = ['SandboxError', 'preload', 'run']

# imported once by the fork server, not by every child ('__main__': the
# server's script, which multiprocessing would import in each child)
PRELOAD = [
    '__main__',
    'trytond.modules.mvp_documents.file_limits',
    'trytond.modules.mvp_documents.pdf_check',
    'trytond.modules.mvp_documents.image_check',
    'PIL.Image', 'PIL.PngImagePlugin', 'PIL.JpegImagePlugin',
    'PIL.TiffImagePlugin', 'pypdf',
    ]
_context = None
_lock = threading.Lock()


class SandboxError(Exception):
    "The child process died without an answer (a crash of the parser)"


def preload(*modules):
    """Have the fork server import modules (a module's parser that runs in
    the sandbox), so that each child does not import them again: call it
    when the module is imported, before the first run"""
    with _lock:
        for module in modules:
            if module not in PRELOAD:
                PRELOAD.append(module)
        if _context is not None:
            _context.set_forkserver_preload(PRELOAD)


def _get_context():
    global _context
    with _lock:
        if _context is None:
            context = multiprocessing.get_context('forkserver')
            context.set_forkserver_preload(PRELOAD)
            _context = context
    return _context


def _child(connection, memory, function, args):
    if memory:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    try:
        answer = ('ok', function(*args))
    except MemoryError:
        answer = ('memory', None)
    except Exception as exception:
        answer = ('error', exception)
    try:
        connection.send(answer)
    except MemoryError:
        # pickling the answer needs memory too
        connection.send(('memory', None))
    except Exception as exception:
        # an exception that does not pickle is told by its text
        connection.send(('error', RuntimeError(repr(exception))))
    connection.close()


def run(function, *args, memory_mb=1024, timeout=60):
    """Return function(*args) computed in a child process

    :raises LimitExceeded: the child needed more than memory_mb (code
        ``memory``) or more than timeout seconds (code ``timeout``).
    :raises SandboxError: the child died without an answer.
    Any exception the function raises is raised again here.
    """
    if multiprocessing.current_process().daemon:
        # a daemonic process may not have children: the parsers' own
        # limits (file_limits) still apply, not the memory and time ones
        return function(*args)
    context = _get_context()
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_child,
        args=(sender, memory_mb * MB, function, args), daemon=True)
    process.start()
    sender.close()
    try:
        if not receiver.poll(timeout):
            raise LimitExceeded('timeout', '%s s' % timeout)
        try:
            status, value = receiver.recv()
        except (EOFError, OSError) as exception:
            process.join(5)
            raise SandboxError("the parser stopped (exit code %s)"
                % process.exitcode) from exception
    finally:
        receiver.close()
        if process.is_alive():
            process.kill()
        process.join()
        process.close()
    if status == 'memory':
        raise LimitExceeded('memory', '%s MB' % memory_mb)
    if status == 'error':
        raise value
    return value
