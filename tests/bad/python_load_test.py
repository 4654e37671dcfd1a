"""chunkscope.load() of bad traces raises chunkscope.InputError whose message holds the sidecar's parts.

    PYTHONPATH=build/python python3 tests/bad/python_load_test.py TRACE...

A TRACE need not exist (the missing-file case); its sidecar is TRACE.expect.
"""
import sys

import chunkscope


def main():
    failures = 0
    for path in sys.argv[1:]:
        with open(path + ".expect") as f:
            wants = [w for w in f.read().splitlines() if w and not w.startswith("@")]
        try:
            chunkscope.load(path)
        except chunkscope.InputError as e:
            msg = str(e)
            missing = [w for w in wants if w not in msg]
            if missing or "\n" in msg:
                print(f"FAIL: {path}: message {msg!r} lacks {missing} or is not one line")
                failures += 1
            continue
        except Exception as e:  # any other exception type is a bug
            print(f"FAIL: {path}: raised {type(e).__name__}: {e}")
            failures += 1
            continue
        print(f"FAIL: {path}: loaded without an error")
        failures += 1
    if failures:
        sys.exit(1)
    print(f"ok: {len(sys.argv) - 1} bad traces raise InputError")


if __name__ == "__main__":
    main()
