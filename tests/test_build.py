"""make build: sam build finds Python 3.12 by itself and packs what Lambda needs.

The build runs for real (no container; the layer's libraries come from PyPI, or pip's cache)
into a temporary folder. Then the built layer is checked as Lambda will see it: the loyalty
package and its migrations, each pinned library at its pinned version under ``python/``, and
every function importable by a bare Python 3.12 from its own folder and the layer alone.
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYER_SOURCE = ROOT / "layers" / "common"


@pytest.fixture(scope="module")
def build_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("sam-build")
    # No python3.12 on PATH, as on a machine whose Python 3.12 is elsewhere: make build must
    # give sam build the one find-python312 finds (here through PYTHON312).
    path = [
        folder
        for folder in os.environ["PATH"].split(os.pathsep)
        if not (Path(folder) / "python3.12").exists()
    ]
    env = {**os.environ, "PATH": os.pathsep.join(path), "PYTHON312": _python312()}
    result = subprocess.run(
        ["make", "--no-print-directory", "build", f"BUILD_DIR={target}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Build Succeeded" in result.stdout
    return target


def _python312() -> str:
    return subprocess.run(
        [str(ROOT / "scripts" / "find-python312")], capture_output=True, text=True, check=True
    ).stdout.strip()


def _pins() -> dict[str, str]:
    pins = {}
    for line in (LAYER_SOURCE / "requirements.txt").read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9_.-]+)(\[[^]]*\])?==(\S+)", line)
        if match:
            pins[match.group(1).lower().replace("-", "_")] = match.group(3)
    return pins


def test_the_layer_holds_the_loyalty_package_and_its_migrations(build_dir: Path) -> None:
    python = build_dir / "CommonLayer" / "python"
    source = LAYER_SOURCE / "loyalty"
    built = sorted(
        p.relative_to(python / "loyalty")
        for p in (python / "loyalty").rglob("*.*")
        if "__pycache__" not in p.parts
    )
    expected = sorted(
        p.relative_to(source) for p in source.rglob("*.*") if "__pycache__" not in p.parts
    )
    assert built == expected
    assert (python / "loyalty" / "migrations" / "0001_initial.sql").read_text() == (
        source / "migrations" / "0001_initial.sql"
    ).read_text()


def test_the_layer_holds_each_pinned_library_at_its_version(build_dir: Path) -> None:
    python = build_dir / "CommonLayer" / "python"
    installed = dict(
        path.name.removesuffix(".dist-info").lower().rsplit("-", 1)
        for path in python.glob("*.dist-info")
    )
    pins = _pins()
    assert pins == {
        "aws_lambda_powertools": pins["aws_lambda_powertools"],
        "pydantic": pins["pydantic"],
        "psycopg": pins["psycopg"],
    }
    for name, version in pins.items():
        assert installed.get(name) == version, name
    # The binary build of psycopg, which the pin's [binary] extra brings.
    assert installed["psycopg_binary"] == pins["psycopg"]


def test_each_built_function_is_its_handler_only_and_imports_with_the_layer_alone(
    build_dir: Path,
) -> None:
    functions = sorted(p for p in build_dir.iterdir() if p.name.endswith("Function"))
    assert len(functions) == len(list((ROOT / "functions").glob("*/app.py")))
    for folder in functions:
        # The openapi function also carries the document it serves, as make openapi built it.
        expected = ["__pycache__", "app.py"]
        if folder.name == "OpenApiFunction":
            expected.append("openapi.json")
        assert sorted(p.name for p in folder.iterdir()) == expected, folder.name
    document = ROOT / "functions" / "openapi" / "openapi.json"
    assert (build_dir / "OpenApiFunction" / "openapi.json").read_text() == document.read_text()
    # A bare interpreter (-I: no environment, -S: no site-packages), like Lambda's runtime
    # with the layer on its path; each function imported under a name of its own.
    probe = (
        "import importlib.util, sys\n"
        "sys.path.append(sys.argv[1])\n"
        "for index, path in enumerate(sys.argv[2:]):\n"
        "    spec = importlib.util.spec_from_file_location(f'app{index}', path)\n"
        "    module = importlib.util.module_from_spec(spec)\n"
        "    spec.loader.exec_module(module)\n"
        "    assert callable(module.handler), path\n"
        "print(len(sys.argv) - 2, 'boto3' in sys.modules)\n"
    )
    python312 = _python312()
    layer = build_dir / "CommonLayer" / "python"
    result = subprocess.run(
        [python312, "-I", "-S", "-c", probe, str(layer), *(str(f / "app.py") for f in functions)],
        capture_output=True,
        text=True,
        check=False,
        env={},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [str(len(functions)), "False"]


def test_everything_built_carries_bytecode_that_python_trusts_without_the_source(
    build_dir: Path,
) -> None:
    # Lambda cannot write bytecode, and SAM zips every file with a 1980 timestamp, so only
    # bytecode that is not checked against its source spares a cold start its compiling.
    sources = sorted(build_dir.rglob("*.py"))
    assert len(sources) > 500
    for source in sources:
        cached = Path(importlib.util.cache_from_source(str(source)))
        assert cached.exists(), source
        header = cached.read_bytes()[:16]
        # The magic number of this Python 3.12, flags 0b01 (by hash, source never checked),
        # then the hash of the very source that was built.
        assert header[:4] == importlib.util.MAGIC_NUMBER, source
        assert int.from_bytes(header[4:8], "little") == 0b01, source
        assert header[8:16] == importlib.util.source_hash(source.read_bytes()), source
