# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Every command docker/compose.yaml runs is installed by the image that
docker/Dockerfile builds: trytond's own, the project's scripts, or a
requirement of the extras the Dockerfile installs (gunicorn was started
by the compose file while nothing installed it)."""
import re
import shlex
import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
TRYTOND_COMMANDS = {'trytond', 'trytond-admin', 'trytond-cron',
    'trytond-worker', 'trytond-stat', 'trytond-console'}
SHELL = {'sh', 'while', 'do', 'done', 'sleep', 'date'}

pytestmark = pytest.mark.once  # independent of the database backend


def project():
    with open(ROOT / 'pyproject.toml', 'rb') as file:
        return tomllib.load(file)['project']


def installed_extras():
    "The extras of the project that the Dockerfile's pip install names"
    dockerfile = (ROOT / 'docker' / 'Dockerfile').read_text()
    installs = re.findall(r"pip3 install [^\n]*?'?/opt/mvp(\[[^\]]*\])?'?",
        dockerfile)
    assert installs, "the Dockerfile does not install the project"
    return {e.strip() for spec in installs if spec
        for e in spec.strip('[]').split(',')}


def requirement_names(requirements):
    return {re.split(r'[<>=!~\[; ]', r, maxsplit=1)[0].lower()
        for r in requirements}


def compose_commands():
    "The executables each service of compose.yaml starts"
    compose = yaml.safe_load((ROOT / 'docker' / 'compose.yaml').read_text())
    for name, service in compose['services'].items():
        command = service.get('command')
        if not command:
            continue
        argv = command if isinstance(command, list) else shlex.split(command)
        if argv[:2] == ['sh', '-c']:
            # the commands of the shell loop, one per statement
            words = [shlex.split(s.strip())[0]
                for s in re.split(r'[;&|]', argv[2]) if s.strip()
                and not s.strip().startswith('$')]
            yield from ((name, w) for w in words if w not in SHELL)
        else:
            yield name, argv[0]


def test_every_compose_command_is_installed_by_the_image():
    meta = project()
    extras = installed_extras()
    available = (TRYTOND_COMMANDS | set(meta['scripts'])
        | requirement_names(r for extra in extras
            for r in meta['optional-dependencies'][extra]))
    commands = list(compose_commands())
    assert ('web', 'gunicorn') in commands
    assert ('backup', 'mvp-backup') in commands
    missing = [(s, c) for s, c in commands if c not in available]
    assert not missing, missing
