#!/usr/bin/env python3
"""Sums a burn GPU profile by kernel: the time each kernel took in all, its share, its count.

The profile is what burn's runtime (CubeCL) writes with `CUBECL_DEBUG_OPTION=profile
CUBECL_DEBUG_LOG=FILE`: one line `| DURATION | KERNEL` per kernel run, DURATION as Rust prints
a `Duration` ("12.3µs", "1.2ms"). Usage: scripts/kernel-times.py FILE [--top N].
"""

import argparse
import re
from collections import defaultdict

UNITS = {"ns": 1e-9, "µs": 1e-6, "us": 1e-6, "ms": 1e-3, "s": 1.0}
LINE = re.compile(r"^\|\s*([0-9.]+)(ns|µs|us|ms|s)\s*\|\s*(.+?)\s*$")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("file")
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    total = defaultdict(float)
    count = defaultdict(int)
    runs = 0
    with open(args.file, encoding="utf-8", errors="replace") as f:
        for line in f:
            m = LINE.match(line)
            if not m:
                continue
            runs += 1
            name = m.group(3)[:110]
            total[name] += float(m.group(1)) * UNITS[m.group(2)]
            count[name] += 1
    whole = sum(total.values())
    print(f"{runs} kernel runs, {whole * 1e3:.1f} ms of kernel time")
    print(f"{'ms':>9} {'share':>6} {'runs':>6} {'µs/run':>8}  kernel")
    for name, t in sorted(total.items(), key=lambda kv: -kv[1])[: args.top]:
        print(
            f"{t * 1e3:9.2f} {100 * t / max(whole, 1e-12):5.1f}% {count[name]:6d} "
            f"{1e6 * t / count[name]:8.1f}  {name}"
        )


if __name__ == "__main__":
    main()
