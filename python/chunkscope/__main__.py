"""`python3 -m chunkscope ARGS` and the `chunkscope` command that pip installs: run the chunkscope CLI.

An installed package carries the CLI as chunkscope/bin/chunkscope and the dashboard files in
chunkscope/web/ (CHUNKSCOPE_WEB_DIR is set to them unless already set); in the build tree the CLI is
<build>/bin/chunkscope."""
from __future__ import annotations

import os
import sys


def cli_path() -> str | None:
    """The chunkscope CLI this package goes with, or None."""
    here = os.path.dirname(os.path.abspath(__file__))
    # pip: chunkscope/bin/; cmake --install: <prefix>/bin, four folders above <prefix>/lib/pythonX.Y/dist-packages/chunkscope.
    candidates = [os.path.join(here, "bin", "chunkscope"), os.path.join(here, "..", "..", "..", "..", "bin", "chunkscope")]
    try:
        from ._build_config import BUILD_WEB_DIR
        candidates.append(os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(BUILD_WEB_DIR))), "bin", "chunkscope"))
    except ImportError:
        pass
    for c in candidates:
        if os.path.isfile(c) and os.access(c, os.X_OK):
            return c
    return None


def main(argv: list | None = None) -> int:
    exe = cli_path()
    if exe is None:
        print("chunkscope: the chunkscope CLI is not part of this installation (build the `chunkscope` target)", file=sys.stderr)
        return 1
    here = os.path.dirname(os.path.abspath(__file__))
    env = dict(os.environ)
    if not env.get("CHUNKSCOPE_WEB_DIR") and os.path.isdir(os.path.join(here, "web")):
        env["CHUNKSCOPE_WEB_DIR"] = os.path.join(here, "web")
    args = sys.argv[1:] if argv is None else list(argv)
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(exe, ["chunkscope", *args], env)  # the CLI's exit code and signals, unchanged
    return 1  # not reached


if __name__ == "__main__":
    sys.exit(main())
