#!/usr/bin/env python3
"""Run botocore_view over many file pairs in one process (botocore's import is slow).

Reads a JSON array of [CONFIG, CREDENTIALS] path pairs on stdin and prints a JSON array with,
for each pair, {"ok": VIEW} or {"error": MESSAGE} where VIEW has the shape of
`lanyard dump --json` (see botocore_view.py).
"""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from botocore_view import botocore_view  # noqa: E402


def main():
    pairs = json.load(sys.stdin)
    results = []
    for config, credentials in pairs:
        try:
            results.append({"ok": botocore_view(config, credentials)})
        except Exception as error:  # botocore raises several unrelated types
            cause = getattr(error, "kwargs", {}).get("error")
            message = "%s: %s" % (type(error).__name__, error)
            if cause is not None:
                message += " (caused by %s: %s)" % (type(cause).__name__, cause)
            results.append({"error": message})
    json.dump(results, sys.stdout, sort_keys=True, ensure_ascii=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
