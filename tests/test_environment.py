"""The pinned environment: pyproject, requirements.lock and environment.yml agree."""

from __future__ import annotations

import re
import tomllib

import pytest
import yaml

from workbench import config

LOCK = config.ROOT / "requirements.lock"
ENV = config.ROOT / "environment.yml"
PIN = re.compile(r"^([A-Za-z0-9_.\-]+)==(\S+)$")


def _canon(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def lock_pins() -> dict[str, str]:
    pins = {}
    for line in LOCK.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        m = PIN.match(line)
        assert m, f"requirements.lock: not an exact pin: {line!r}"
        pins[_canon(m.group(1))] = m.group(2)
    return pins


def env_pins() -> dict[str, str]:
    env = yaml.safe_load(ENV.read_text(encoding="utf-8"))
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    pins = {}
    for item in pip:
        if item.startswith("-e"):
            continue
        m = PIN.match(item)
        assert m, f"environment.yml: not an exact pin: {item!r}"
        pins[_canon(m.group(1))] = m.group(2)
    return pins


def test_environment_yml_installs_the_locked_set():
    assert env_pins() == lock_pins()


def test_environment_yml_uses_python_311_and_installs_the_package():
    env = yaml.safe_load(ENV.read_text(encoding="utf-8"))
    assert "python=3.11" in env["dependencies"]
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert "-e ." in pip


def _declared() -> list[str]:
    project = tomllib.loads((config.ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    deps = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        deps += extra
    return [_canon(re.split(r"[<>=!~\[; ]", d)[0]) for d in deps]


@pytest.mark.parametrize("dep", _declared())
def test_every_declared_dependency_is_pinned(dep):
    assert dep in lock_pins(), (
        f"{dep} is declared in pyproject.toml but not pinned; run scripts/lock.py"
    )


def test_lock_matches_the_running_environment():
    from importlib.metadata import distributions

    installed = {_canon(d.metadata["Name"]): d.version for d in distributions()}
    drift = {n: (v, installed.get(n)) for n, v in lock_pins().items() if installed.get(n) != v}
    assert not drift, f"installed versions differ from requirements.lock: {drift}"
