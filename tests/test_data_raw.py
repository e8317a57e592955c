"""The bundled seed corpus is present, unchanged and alone in data/raw/seeds."""

from __future__ import annotations

import pytest

from workbench import config
from workbench.provenance import sha256_file


def manifest() -> dict[str, str]:
    out = {}
    for line in config.SEEDS_CHECKSUMS.read_text(encoding="utf-8").splitlines():
        digest, name = line.split(maxsplit=1)
        out[name.lstrip("*")] = digest
    return out


def test_seed_folder_holds_exactly_the_manifest_files():
    on_disk = sorted(p.name for p in config.SEEDS_DIR.iterdir())
    assert on_disk == sorted(manifest())
    assert len(on_disk) == 5


@pytest.mark.parametrize("name", sorted(manifest()))
def test_seed_checksum(name):
    assert sha256_file(config.SEEDS_DIR / name) == manifest()[name], (
        f"{name} differs from data/raw/SHA256SUMS: raw data is read-only, clean it in code"
    )


def test_provenance_note_describes_every_seed():
    note = (config.RAW_DIR / "PROVENANCE.md").read_text(encoding="utf-8")
    for name in manifest():
        assert name in note
