#!/usr/bin/env python3
# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Benchmark of the edXML interchange.

Prints, last, one JSON line with:
- parse_5mb_ms: parse and check a package of --parse-mb MB (median),
- parse_50mb_peak_mb: peak resident memory of a fresh process importing a
  package of --big-mb MB (parse, check, read each attachment once),
- packages_per_s: end to end between two trytond servers on this machine
  (--packages packages with a --attachment-mb MB PDF, until the incoming
  document exists at the receiver), when --servers is given,
- cores.

Targets: packages_per_s >= 20, parse_5mb_ms <= 200,
parse_50mb_peak_mb <= 250.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

from trytond.modules.mvp_documents.secret import generate_key
from trytond.modules.mvp_interchange import xml_io
from trytond.modules.mvp_interchange.tests.pdf import padded_pdf
from trytond.modules.mvp_interchange.tests.test_xml_io import make_package


def write_package(path, size):
    package = make_package(attachments=[xml_io.Attachment.from_bytes(
                'van-ban.pdf', padded_pdf(size),
                content_type='application/pdf', content_id='a1')])
    with open(path, 'wb') as out:
        xml_io.write_package(package, out)


def parse_once(path):
    parsed = xml_io.parse(path, max_size=200 * 1024 * 1024)
    problems = xml_io.fatal(xml_io.check(parsed))
    assert not problems, problems
    for attachment in parsed.attachments:
        for _ in attachment.chunks():
            pass
    parsed.close()


def bench_parse(size_mb, runs):
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, 'p.edxml')
        write_package(path, int(size_mb * 1024 * 1024))
        times, cpu = [], []
        for _ in range(runs):
            start, start_cpu = time.perf_counter(), time.process_time()
            parse_once(path)
            times.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
    return round(statistics.median(times), 1), round(statistics.median(cpu), 1)


def bench_peak(size_mb):
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, 'big.edxml')
        write_package(path, int(size_mb * 1024 * 1024))
        # VmHWM is the peak of this process image (ru_maxrss would include
        # the parent's size inherited through fork).
        hwm = ('print([l.split()[1] for l in open("/proc/self/status")'
            ' if l.startswith("VmHWM")][0])\n')
        code = ('import sys\n'
            'from bench_interchange_child import run\n'
            'run(sys.argv[1])\n' + hwm)
        child = os.path.join(directory, 'bench_interchange_child.py')
        with open(child, 'w') as f:
            f.write(
                'from trytond.modules.mvp_interchange import xml_io\n'
                'def run(path):\n'
                '    parsed = xml_io.parse(path, max_size=200 * 2**20)\n'
                '    assert not xml_io.fatal(xml_io.check(parsed))\n'
                '    for a in parsed.attachments:\n'
                '        data = a.read()\n'
                '        del data\n'
                '    parsed.close()\n')
        baseline = subprocess.run([sys.executable, '-c',
                'from trytond.modules.mvp_interchange import xml_io\n'
                'import pyhanko.pdf_utils.reader\n' + hwm],
            capture_output=True, text=True, check=True)
        result = subprocess.run([sys.executable, '-c', code, path],
            cwd=directory, capture_output=True, text=True, check=True)
    peak = int(result.stdout.split()[-1]) / 1024
    base = int(baseline.stdout.split()[-1]) / 1024
    return round(peak, 1), round(base, 1)


def bench_servers(args):
    from trytond.modules.mvp_interchange.tests import twoservers
    return twoservers.bench(packages=args.packages,
        attachment_mb=args.attachment_mb, backend=args.backend)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--parse-mb', type=float, default=5)
    parser.add_argument('--runs', type=int, default=5)
    parser.add_argument('--big-mb', type=float, default=50)
    parser.add_argument('--servers', action='store_true',
        help="also measure packages_per_s between two trytond servers")
    parser.add_argument('--packages', type=int, default=50)
    parser.add_argument('--attachment-mb', type=float, default=1)
    parser.add_argument('--backend', default='sqlite',
        choices=['sqlite', 'postgresql'])
    args = parser.parse_args(argv)
    # the peers' keys are stored encrypted: a key of the bench's own for
    # its throwaway databases and the servers it starts
    os.environ.setdefault('MVP_SECRET_KEY', generate_key())
    result = {}
    result['parse_5mb_ms'], result['parse_5mb_cpu_ms'] = bench_parse(
        args.parse_mb, args.runs)
    result['parse_mb'] = args.parse_mb
    peak, base = bench_peak(args.big_mb)
    result['parse_50mb_peak_mb'] = peak
    result['parse_50mb_baseline_mb'] = base
    result['big_mb'] = args.big_mb
    if args.servers:
        result.update(bench_servers(args))
    else:
        result['packages_per_s'] = None
    result['cores'] = os.cpu_count()
    print(json.dumps(result))


if __name__ == '__main__':
    main()
