"""chunkscope's PEP 517 build backend (pyproject.toml): `pip install --no-build-isolation .`

It needs nothing from a package index. The wheel holds what the CMake build produces:

    chunkscope/                      the package (python/chunkscope/*.py, dask/), LICENSE, THIRD_PARTY_NOTICES
    chunkscope/_chunkscope.*.so      the compiled module (target chunkscope_python)
    chunkscope/web/                  the dashboard files (target web): app.js, style.css, chunkscope_web.js, viz-global.js
    chunkscope/bin/chunkscope        the CLI (target chunkscope), run by the `chunkscope` console script
    chunkscope-<v>.dist-info/        METADATA, WHEEL, entry_points.txt, RECORD, licenses/

Which build folder:
- CHUNKSCOPE_BUILD_DIR set: that folder, used as it is (nothing is built; a missing file is named with
  the target that makes it). The tests use this to reuse build/.
- otherwise: <source>/build (the folder scripts/build uses), configured with Ninja if it is not yet,
  then `cmake --build` of the three targets (incremental: after scripts/demo it only checks).

The binaries go into the wheel without their debug sections (strip --strip-debug) where `strip` exists.
The wheel is written with the standard library (zipfile, hashlib): PEP 427 asks for no more.
"""
from __future__ import annotations

import base64
import hashlib
import importlib.machinery
import os
import re
import shutil
import stat
import subprocess
import sys
import sysconfig
import tempfile
import zipfile

SOURCE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
NAME = "chunkscope"
WEB_FILES = ("app.js", "style.css", "chunkscope_web.js", "viz-global.js")
TARGETS = ("chunkscope", "chunkscope_python", "web")


def _version() -> str:
    with open(os.path.join(SOURCE, "CMakeLists.txt"), encoding="utf-8") as f:
        m = re.search(r"project\(\s*chunkscope\s+VERSION\s+([0-9][0-9.]*)", f.read())
    if not m:
        raise RuntimeError("chunkscope build: no project(chunkscope VERSION x.y.z) in CMakeLists.txt")
    return m.group(1)


def _metadata() -> str:
    with open(os.path.join(SOURCE, "README.md"), encoding="utf-8") as f:
        readme = f.read()
    return (f"Metadata-Version: 2.1\nName: {NAME}\nVersion: {_version()}\n"
            "Summary: See how a chunked array computation really runs: chunk shapes, time, memory, and what to change\n"
            "License: BSD-3-Clause\nLicense-File: LICENSE\nLicense-File: THIRD_PARTY_NOTICES\nRequires-Python: >=3.9\n"
            "Provides-Extra: dask\nRequires-Dist: dask[array]; extra == \"dask\"\n"
            "Provides-Extra: notebook\nRequires-Dist: ipython; extra == \"notebook\"\nRequires-Dist: pandas; extra == \"notebook\"\n"
            "Description-Content-Type: text/markdown\n\n" + readme)


def _tag() -> str:
    impl = f"cp{sys.version_info.major}{sys.version_info.minor}"
    plat = sysconfig.get_platform().replace("-", "_").replace(".", "_")
    return f"{impl}-{impl}-{plat}"


def _run(cmd: list) -> None:
    print("chunkscope build: " + " ".join(cmd), file=sys.stderr, flush=True)
    subprocess.run(cmd, check=True, stdout=sys.stderr)


def _build_dir() -> str:
    """The CMake build folder holding the three targets' outputs (built here unless CHUNKSCOPE_BUILD_DIR)."""
    given = os.environ.get("CHUNKSCOPE_BUILD_DIR", "")
    if given:
        return os.path.abspath(given)
    build = os.path.join(SOURCE, "build")
    if not os.path.isfile(os.path.join(build, "CMakeCache.txt")):
        _run(["cmake", "-S", SOURCE, "-B", build, "-G", "Ninja", "-DCMAKE_BUILD_TYPE=" + os.environ.get("CMAKE_BUILD_TYPE", "RelWithDebInfo"),
              "-DPython3_EXECUTABLE=" + sys.executable])
    _run(["cmake", "--build", build, "--target", *TARGETS])
    return build


def _collect(build: str) -> list:
    """(path in the wheel, file on disk, executable) for every file of the package."""
    pkg = os.path.join(build, "python", NAME)
    suffix = importlib.machinery.EXTENSION_SUFFIXES[0]
    module = os.path.join(pkg, "_chunkscope" + suffix)
    needed = [(module, "chunkscope_python", f"the compiled module for this Python ({suffix})"),
              (os.path.join(build, "bin", "chunkscope"), "chunkscope", "the CLI")]
    needed += [(os.path.join(build, "share", "chunkscope", "web", f), "web", "a dashboard file") for f in WEB_FILES]
    for path, target, what in needed:
        if not os.path.isfile(path):
            raise RuntimeError(f"chunkscope build: {path} ({what}) is missing: build the `{target}` target of {build} "
                               "(scripts/build), or leave CHUNKSCOPE_BUILD_DIR unset to let pip build it")
    files = []
    for root, dirs, names in os.walk(pkg):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for n in sorted(names):
            full = os.path.join(root, n)
            rel = os.path.relpath(full, pkg)
            # _build_config.py points into the build tree; other interpreters' modules do not belong.
            if rel == "_build_config.py" or n.endswith(".pyc") or (n.startswith("_chunkscope.") and full != module):
                continue
            files.append((f"{NAME}/{rel}", full, False))
    files += [(f"{NAME}/web/{f}", os.path.join(build, "share", "chunkscope", "web", f), False) for f in WEB_FILES]
    files.append((f"{NAME}/bin/chunkscope", os.path.join(build, "bin", "chunkscope"), True))
    return files


def _stripped(path: str, tmp: str) -> str:
    """A copy of a binary without debug sections (a tenth of the size), or the binary itself."""
    strip = shutil.which("strip")
    if not strip:
        return path
    out = os.path.join(tmp, os.path.basename(path))
    r = subprocess.run([strip, "--strip-debug", "-o", out, path], capture_output=True)
    return out if r.returncode == 0 else path


def _record_line(arcname: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{arcname},sha256={digest},{len(data)}"


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    build = _build_dir()
    version = _version()
    files = _collect(build)
    dist_info = f"{NAME}-{version}.dist-info"
    wheel_name = f"{NAME}-{version}-{_tag()}.whl"
    os.makedirs(wheel_directory, exist_ok=True)
    records = []
    with tempfile.TemporaryDirectory() as tmp, zipfile.ZipFile(os.path.join(wheel_directory, wheel_name), "w",
                                                                zipfile.ZIP_DEFLATED, compresslevel=6) as z:
        def add(arcname: str, data: bytes, executable: bool = False) -> None:
            info = zipfile.ZipInfo(arcname, date_time=(2026, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = ((0o755 if executable else 0o644) | stat.S_IFREG) << 16
            z.writestr(info, data)
            records.append(_record_line(arcname, data))

        for arcname, path, executable in files:
            src = _stripped(path, tmp) if executable or path.endswith(".so") else path
            with open(src, "rb") as f:
                add(arcname, f.read(), executable)
        add(f"{dist_info}/METADATA", _metadata().encode())
        add(f"{dist_info}/WHEEL", f"Wheel-Version: 1.0\nGenerator: chunkscope_build\nRoot-Is-Purelib: false\nTag: {_tag()}\n".encode())
        add(f"{dist_info}/entry_points.txt", b"[console_scripts]\nchunkscope = chunkscope.__main__:main\n")
        add(f"{dist_info}/top_level.txt", b"chunkscope\n")
        for n in ("LICENSE", "THIRD_PARTY_NOTICES"):
            with open(os.path.join(SOURCE, n), "rb") as f:
                add(f"{dist_info}/licenses/{n}", f.read())
        z.writestr(f"{dist_info}/RECORD", "\n".join(records + [f"{dist_info}/RECORD,,"]) + "\n")
    return wheel_name


def get_requires_for_build_wheel(config_settings=None):
    return []


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    """The metadata without building (pip asks for it first)."""
    dist_info = f"{NAME}-{_version()}.dist-info"
    d = os.path.join(metadata_directory, dist_info)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "METADATA"), "w", encoding="utf-8") as f:
        f.write(_metadata())
    with open(os.path.join(d, "entry_points.txt"), "w", encoding="utf-8") as f:
        f.write("[console_scripts]\nchunkscope = chunkscope.__main__:main\n")
    return dist_info
