#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Summarise a function_graph trace (bench/guest.sh --profile): per function,
calls and inclusive and self time per traced packet (one pktgen_xmit call),
top entries by inclusive time. Times include the tracer's own overhead, so
compare them between contenders, not with the pps figures.

  bench/graph-summary.py FILE.graph [TOP]
"""
import re
import statistics
import sys
from collections import defaultdict

LINE = re.compile(r"^\s*\d+\)\s+(?:[+!#*@$]\s*)?(?:([\d.]+) us\s+)?\|\s(\s*)(.*)$")


def main():
    path = sys.argv[1]
    top = int(sys.argv[2]) if len(sys.argv) > 2 else 30
    per_pkt = []  # [(incl, self_t)] per packet
    incl = defaultdict(float)
    self_t = defaultdict(float)
    calls = defaultdict(int)
    stack = []  # [name, child_time]
    packets = 0
    for line in open(path):
        m = LINE.match(line)
        if not m:
            continue
        dur, _, body = m.groups()
        body = body.strip()
        d = float(dur) if dur else 0.0
        if body.endswith("{"):
            name = re.sub(r"\s*\[\w+\]", "", body[:-1].strip()).rstrip("()").strip()
            stack.append([name, 0.0])
            if name.startswith("pktgen_xmit"):
                packets += 1
                incl, self_t = defaultdict(float), defaultdict(float)
                per_pkt.append((incl, self_t))
        elif body.startswith("}"):
            if not stack:
                continue
            name, child = stack.pop()
            active = {n for n, _ in stack}
            if name not in active:
                incl[name] += d
            self_t[name] += d - child
            calls[name] += 1
            if stack:
                stack[-1][1] += d
        elif body.endswith(";"):
            name = re.sub(r"\s*\[\w+\]", "", body[:-1].strip()).rstrip("()").strip()
            active = {n for n, _ in stack}
            if name not in active:
                incl[name] += d
            self_t[name] += d
            calls[name] += 1
            if stack:
                stack[-1][1] += d
    packets = max(packets, 1)
    names = set(calls)
    med_i = {n: statistics.median(p[0].get(n, 0.0) for p in per_pkt) for n in names}
    med_s = {n: statistics.median(p[1].get(n, 0.0) for p in per_pkt) for n in names}
    print(f"# {path}: {packets} packets; per packet: calls, median inclusive us, median self us")
    for name in sorted(names, key=lambda n: -med_i[n])[:top]:
        print(f"{name:45s} {calls[name] / packets:6.1f} {med_i[name]:9.1f} {med_s[name]:8.1f}")


if __name__ == "__main__":
    main()
