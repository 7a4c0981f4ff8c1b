#!/usr/bin/env python3
"""The peer side of the parse benchmark: botocore's `load_config` (what the AWS CLI runs) on
the same generated 10,000-profile config that `cargo bench -p lanyard-ini` parses.

    .tools/venv/bin/python bench/botocore_parse.py

Prints the median time and throughput of five loads.
"""

import os
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import botocore.configloader  # noqa: E402

from set import generate  # noqa: E402


def main():
    with tempfile.TemporaryDirectory(prefix="lanyard-bench-parse-") as work:
        config = generate(work, 10000)[0]
        size = os.path.getsize(config)
        times = []
        for _ in range(5):
            start = time.perf_counter()
            botocore.configloader.load_config(config)
            times.append(time.perf_counter() - start)
        median = statistics.median(times)
        print("botocore load_config: %.2f MB in %.0f ms, %.2f MB/s" % (size / 1e6, median * 1000, size / median / 1e6))


if __name__ == "__main__":
    main()
