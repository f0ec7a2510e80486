#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Where the instructions of an instruction-count window went, per kernel
function: the profile=PFILE output of bench/insn-count.so (translation
block address, instructions) mapped to the symbols of the guest's
/proc/kallsyms (bench/guest.sh saves it next to the --insn-file).

  bench/insn-profile.py PFILE KALLSYMS [--packets N] [--top K]

With --packets, the figures are per packet: N is the number of packets
pktgen sent in all the profiled windows together.
"""
import argparse
import bisect
import collections


def load_symbols(path):
    syms = []
    with open(path) as f:
        for line in f:
            parts = line.split()
            if len(parts) < 3 or parts[1].lower() not in ("t", "w"):
                continue
            addr = int(parts[0], 16)
            if addr == 0:
                continue
            name = parts[2] + (" " + parts[3] if len(parts) > 3 else "")
            syms.append((addr, name))
    syms.sort()
    return [a for a, _ in syms], [n for _, n in syms]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("profile")
    ap.add_argument("kallsyms")
    ap.add_argument("--packets", type=int, default=0)
    ap.add_argument("--top", type=int, default=40)
    a = ap.parse_args()
    addrs, names = load_symbols(a.kallsyms)
    per_sym = collections.Counter()
    total = 0
    with open(a.profile) as f:
        for line in f:
            vaddr, insns = line.split()
            vaddr, insns = int(vaddr, 16), int(insns)
            i = bisect.bisect_right(addrs, vaddr) - 1
            per_sym[names[i] if i >= 0 else f"?{vaddr:x}"] += insns
            total += insns
    div = a.packets or 1
    unit = "per packet" if a.packets else "in all"
    print(f"{total / div:.0f} instructions {unit}; top {a.top} functions:")
    for name, n in per_sym.most_common(a.top):
        print(f"{n / div:10.1f} {100 * n / total:5.1f}%  {name}")


if __name__ == "__main__":
    main()
