#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Summarise a bench/guest.sh CSV: a Markdown table, a gnuplot plot, and
(with --check) the smoke test's verdict.

  bench/report.py CSV [--md FILE] [--png FILE] [--check] [--note TEXT]

Every figure is the median over runs, with min and max, of relayed_pps: the
input packets per second the contender relayed to all of its outputs
(pktgen's achieved rate when every packet was relayed N times; bare: the
rate of receiving and dropping). The relay's cost per input packet is
1e9/pps - 1e9/bare_pps (ns), bare measured at the same point and run.
Rows of the scale phase (mode scale-1q, scale-2q), of the end-to-end
phase (mode e2e: the highest offered rate with at most 0.1% loss) and of
the instruction counts (mode insns: guest instructions per input packet,
from the QEMU plugin bench/insn-count.so) get tables of their own.
"""
import argparse
import csv
import os
import statistics
import subprocess
import sys
import tempfile

ORDER = ["bare", "mcr", "mcr-consume", "mcr-rw", "mcr-consume-rw",
         "nft-dup", "nft-fwd", "nft-dup-rw", "tc-mirred", "tc-mirred-rw",
         "ipmr", "socat"]
DESC = {
    "bare": "no relay: received and dropped (ceiling)",
    "mcr": "mcr rule, pass",
    "mcr-consume": "mcr rule, consume",
    "mcr-rw": "mcr, pass, group+port rewrite per output",
    "mcr-consume-rw": "mcr, consume, group+port rewrite per output",
    "nft-dup": "nft netdev ingress `dup to` per output",
    "nft-fwd": "nft netdev ingress `fwd to` (1:1 only)",
    "nft-dup-rw": "nft `ip daddr set`+`udp dport set`+`dup to` per output",
    "tc-mirred": "tc flower + `mirred egress mirror` per output",
    "tc-mirred-rw": "tc flower + pedit + csum + mirror per output",
    "ipmr": "kernel multicast routing, (S,G) via smcroute",
    "socat": "socat, one process per output",
}
# Like-for-like comparisons against mcr.
PEERS_PLAIN = ["nft-dup", "nft-fwd", "tc-mirred", "ipmr", "socat"]
PEERS_RW = ["nft-dup-rw", "tc-mirred-rw"]


def load(path):
    with open(path) as f:
        rows = list(csv.DictReader(f))
    for r in rows:  # CSVs from before the scale and e2e phases
        r["mode"] = r.get("mode") or "inject"
    return rows


def num(v):
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def summarise(rows):
    """{(contender, fanout, payload): dict(med, lo, hi, n, note, ratio)}"""
    acc = {}
    for r in rows:
        key = (r["contender"], int(r["fanout"]), int(r["payload"]))
        a = acc.setdefault(key, {"v": [], "notes": set(), "ratio": []})
        v = num(r["relayed_pps"])
        if v is not None:
            a["v"].append(v)
        if num(r["out_per_in"]) is not None:
            a["ratio"].append(num(r["out_per_in"]))
        if r["note"]:
            a["notes"].add(r["note"])
    out = {}
    for key, a in acc.items():
        v = a["v"]
        out[key] = {
            "med": statistics.median(v) if v else None,
            "lo": min(v) if v else None,
            "hi": max(v) if v else None,
            "n": len(v),
            "note": "; ".join(sorted(a["notes"])),
            "ratio": min(a["ratio"]) if a["ratio"] else None,
        }
    return out


def kpps(x):
    return f"{x / 1000:.1f}" if x >= 1000 else f"{x / 1000:.2f}"


def cell(s):
    if s is None:
        return ""
    if s["med"] is None:
        return s["note"] or "error"
    if s["n"] == 1:
        return kpps(s["med"])
    return f"{kpps(s['med'])} ({kpps(s['lo'])}–{kpps(s['hi'])})"


def markdown(all_rows, summ, note):
    if not summ:  # a run of the instruction counts alone
        r0 = all_rows[0]
        out = [f"Run of {r0['date']} on kernel {r0['kernel']}, {r0['vcpus']} vCPUs (QEMU TCG)."]
        if note:
            out += ["", note]
        out += insns_section(all_rows)
        return "\n".join(out) + "\n"
    rows = [r for r in all_rows if r["mode"] == "inject"] or all_rows
    contenders = [c for c in ORDER if any(k[0] == c for k in summ)]
    fanouts = sorted({k[1] for k in summ})
    payloads = sorted({k[2] for k in summ})
    r0 = rows[0]
    runs = max(int(r["run"]) for r in rows)
    secs = max((num(r["secs"]) or 0) for r in rows)
    out = []
    out.append(f"Run of {r0['date']} on kernel {r0['kernel']}, "
               f"{r0['vcpus']} vCPUs (QEMU TCG), pktgen `netif_receive` into a "
               f"dummy input, outputs on dummy devices; {secs:g} s per "
               f"measurement, median of {runs} run(s) (min–max).")
    if note:
        out.append("")
        out.append(note)
    for sz in payloads:
        out.append("")
        out.append(f"### Input kpps relayed to every output, UDP payload {sz} B")
        out.append("")
        out.append("| contender | " + " | ".join(f"fan-out {n}" for n in fanouts) + " |")
        out.append("|---|" + "---:|" * len(fanouts))
        for c in contenders:
            out.append(f"| {c} | " + " | ".join(cell(summ.get((c, n, sz))) for n in fanouts) + " |")
        # Ratios: mcr against its peers, and everything against bare.
        out.append("")
        out.append(f"Ratio to mcr (median / median; > 1: faster than mcr), and to bare, payload {sz} B:")
        out.append("")
        out.append("| contender | " + " | ".join(f"fan-out {n}" for n in fanouts) + " |")
        out.append("|---|" + "---:|" * len(fanouts))
        for c in contenders:
            if c == "bare":
                continue
            ref = "mcr-rw" if c.endswith("-rw") else "mcr"
            cells = []
            for n in fanouts:
                s = summ.get((c, n, sz))
                m = summ.get((ref, n, sz))
                b = summ.get(("bare", n, sz))
                if not s or s["med"] is None:
                    cells.append("n/a")
                    continue
                parts = []
                if c != ref and m and m["med"]:
                    parts.append(f"{s['med'] / m['med']:.2f}× {ref}")
                if b and b["med"]:
                    parts.append(f"{s['med'] / b['med']:.2f}× bare")
                cells.append(", ".join(parts))
            out.append(f"| {c} | " + " | ".join(cells) + " |")
        # Cost per input packet above bare, in ns.
        out.append("")
        out.append(f"Relay cost per input packet above bare (ns, from the medians; "
                   f"per extra output: slope from fan-out {fanouts[0]} to {fanouts[-1]}), payload {sz} B:")
        out.append("")
        out.append("| contender | " + " | ".join(f"fan-out {n}" for n in fanouts) + " | per extra output |")
        out.append("|---|" + "---:|" * (len(fanouts) + 1))
        for c in contenders:
            if c in ("bare", "socat"):  # socat's work is on the other vCPU
                continue
            cells, pts = [], []
            for n in fanouts:
                s = summ.get((c, n, sz))
                b = summ.get(("bare", n, sz))
                if s and s["med"] and b and b["med"]:
                    ns = 1e9 / s["med"] - 1e9 / b["med"]
                    cells.append(f"{ns:.0f}")
                    pts.append((n, ns))
                else:
                    cells.append("n/a")
            slope = ""
            if len(pts) >= 2 and pts[-1][0] != pts[0][0]:
                slope = f"{(pts[-1][1] - pts[0][1]) / (pts[-1][0] - pts[0][0]):.0f}"
            out.append(f"| {c} | " + " | ".join(cells) + f" | {slope} |")
        out.extend(rewrite_cost(summ, fanouts, sz))
    bad = [(k, s["ratio"]) for k, s in summ.items()
           if s["ratio"] is not None and s["ratio"] < 0.999 and k[0] != "socat"]
    out.append("")
    out.append("Check of the outputs' tx counters: every in-kernel contender sent "
               "fan-out × input packets" + (" at every point." if not bad else
               ", except: " + ", ".join(f"{k[0]} fan-out {k[1]} payload {k[2]}: "
                                         f"{r:.3f}" for k, r in sorted(bad))) +
               " socat's relayed rate is what its outputs sent; the rest of the "
               "input was dropped at its sockets.")
    out.extend(scale_section(all_rows))
    out.extend(e2e_section(all_rows))
    out.extend(insns_section(all_rows))
    out.append("")
    out.append("Contenders:")
    out.append("")
    for c in contenders:
        out.append(f"- `{c}`: {DESC.get(c, c)}")
    return "\n".join(out) + "\n"


def rewrite_cost(summ, fanouts, sz):
    """Extra ns per output that the group+port rewrite costs each relay."""
    pairs = [("mcr", "mcr-rw"), ("mcr-consume", "mcr-consume-rw"),
             ("nft-dup", "nft-dup-rw"), ("tc-mirred", "tc-mirred-rw")]
    rows = []
    for plain, rw in pairs:
        cells, any_val = [], False
        for n in fanouts:
            p, r = summ.get((plain, n, sz)), summ.get((rw, n, sz))
            if p and p["med"] and r and r["med"]:
                cells.append(f"{(1e9 / r['med'] - 1e9 / p['med']) / n:.0f}")
                any_val = True
            else:
                cells.append("n/a")
        if any_val:
            rows.append(f"| {plain} → {rw} | " + " | ".join(cells) + " |")
    if not rows:
        return []
    return ["", f"Cost of the group+port rewrite, per output (ns per input packet "
            f"and output, from the medians; negative: within the noise), payload {sz} B:", "",
            "| relay | " + " | ".join(f"fan-out {n}" for n in fanouts) + " |",
            "|---|" + "---:|" * len(fanouts)] + rows


def scale_section(rows):
    sc = [r for r in rows if r["mode"].startswith("scale-")]
    if not sc:
        return []
    summ = {q: summarise([r for r in sc if r["mode"] == f"scale-{q}q"]) for q in (1, 2)}
    keys = sorted({k for q in summ for k in summ[q]},
                  key=lambda k: (ORDER.index(k[0]) if k[0] in ORDER else 99, k[1], k[2]))
    out = ["", "### Scaling with receive queues", "",
           "The same traffic from one pktgen thread (one receive queue, one vCPU "
           "busy) and from two (two queues on two vCPUs), measured side by side; "
           "input kpps relayed to every output, median (min–max):", "",
           "| contender | fan-out | payload | 1 queue | 2 queues | 2 / 1 |",
           "|---|---:|---:|---:|---:|---:|"]
    for k in keys:
        one, two = summ[1].get(k), summ[2].get(k)
        ratio = ""
        if one and two and one["med"] and two["med"]:
            ratio = f"{two['med'] / one['med']:.2f}×"
        out.append(f"| {k[0]} | {k[1]} | {k[2]} | {cell(one)} | {cell(two)} | {ratio} |")
    return out


def e2e_section(rows):
    e2e = [r for r in rows if r["mode"] == "e2e"]
    if not e2e:
        return []
    summ = summarise(e2e)
    contenders = [c for c in ORDER if any(k[0] == c for k in summ)]
    fanouts = sorted({k[1] for k in summ})
    sz = sorted({k[2] for k in summ})[0]
    out = ["", "### End to end over veth", "",
           "pktgen in another namespace sends over veth at a fixed rate; RPS puts "
           "the relay on the other vCPU. Highest offered kpps at which at most "
           f"0.1% of the packets missed an output, UDP payload {sz} B, median "
           "(min–max); in brackets, the ratio to mcr:", "",
           "| contender | " + " | ".join(f"fan-out {n}" for n in fanouts) + " |",
           "|---|" + "---:|" * len(fanouts)]
    for c in contenders:
        cells = []
        for n in fanouts:
            s, m = summ.get((c, n, sz)), summ.get(("mcr", n, sz))
            txt = cell(s) if s else ""
            if c not in ("mcr", "bare") and s and s["med"] is not None and m and m["med"]:
                txt += f" [{s['med'] / m['med']:.2f}×]"
            cells.append(txt)
        out.append(f"| {c} | " + " | ".join(cells) + " |")
    return out


def insns_section(rows):
    ins = [r for r in rows if r["mode"] == "insns"]
    if not ins:
        return []
    val = {}
    for r in ins:
        key = (r["contender"], int(r["fanout"]), int(r["payload"]))
        v = num(r.get("insns_per_in"))
        val[key] = v if v is not None else (r["note"] or "error")
    contenders = [c for c in ORDER if any(k[0] == c for k in val)]
    fanouts = sorted({k[1] for k in val})
    out = ["", "### Instructions per input packet", "",
           "Guest instructions (all vCPUs) per input packet while pktgen sends a "
           "fixed number of packets, counted by the QEMU plugin "
           "`bench/insn-count.so`: unlike a rate under emulation, this does not "
           "move with the host's load. bare: what pktgen, the receive path and "
           "the drop cost. Every other row: the relay's cost above bare, in "
           "thousands of instructions; in brackets, that cost over mcr's "
           "(> 1: costs more than mcr). A rep-prefixed string instruction "
           "counts once per iteration, as TCG runs it."]
    for sz in sorted({k[2] for k in val}):
        out += ["", f"UDP payload {sz} B:", "",
                "| contender | " + " | ".join(f"fan-out {n}" for n in fanouts) + " |",
                "|---|" + "---:|" * len(fanouts)]
        for c in contenders:
            ref = "mcr-rw" if c.endswith("-rw") else "mcr"
            cells = []
            for n in fanouts:
                v, b, m = (val.get((x, n, sz)) for x in (c, "bare", ref))
                if not isinstance(v, float):
                    cells.append(v or "")
                elif c == "bare":
                    cells.append(f"{v / 1000:.1f}k")
                elif not isinstance(b, float):
                    cells.append("n/a")
                else:
                    txt = f"{(v - b) / 1000:.1f}k"
                    if c != ref and isinstance(m, float) and m > b:
                        txt += f" [{(v - b) / (m - b):.2f}×]"
                    cells.append(txt)
            out.append(f"| {c} | " + " | ".join(cells) + " |")
    return out


def plot(summ, png, title):
    contenders = [c for c in ORDER if any(k[0] == c for k in summ)]
    payloads = sorted({k[2] for k in summ})
    tmp = tempfile.mkdtemp()
    cmds = [
        "set terminal pngcairo size 1400,600 font ',10'" if has_cairo() else
        "set terminal png size 1400,600",
        f"set output '{png}'",
        f"set multiplot layout 1,{len(payloads)} title '{title}'",
        "set logscale xy 2", "set logscale y 10",
        "set xtics (1, 4, 16, 64)", "set xrange [0.8:80]",
        "set xlabel 'fan-out (outputs per input packet)'",
        "set ylabel 'input kpps relayed to every output'",
        "set key outside right", "set grid",
    ]
    for sz in payloads:
        plots = []
        for i, c in enumerate(contenders):
            f = os.path.join(tmp, f"{c}-{sz}.dat")
            with open(f, "w") as fh:
                for n in sorted({k[1] for k in summ}):
                    s = summ.get((c, n, sz))
                    if s and s["med"]:
                        fh.write(f"{n} {s['med'] / 1000} {s['lo'] / 1000} {s['hi'] / 1000}\n")
            if os.path.getsize(f):
                dt = 2 if c == "bare" else 1
                lw = 3 if c.startswith("mcr") else 1.5
                plots.append(f"'{f}' using 1:2:3:4 with yerrorlines dt {dt} lw {lw} "
                             f"pt {i % 13 + 1} title '{c}'")
        cmds.append(f"set title 'UDP payload {sz} B'")
        cmds.append("plot " + ", ".join(plots))
    cmds.append("unset multiplot")
    script = os.path.join(tmp, "plot.gp")
    with open(script, "w") as fh:
        fh.write("\n".join(cmds) + "\n")
    subprocess.run(["gnuplot", script], check=True)


def has_cairo():
    r = subprocess.run(["gnuplot", "-e", "set terminal"], capture_output=True, text=True)
    return "pngcairo" in (r.stdout + r.stderr)


def check(all_rows):
    """Smoke verdict: every contender ran and relayed something, in every
    phase the run had."""
    ok = True
    for mode in sorted({r["mode"] for r in all_rows}):
        rows = [r for r in all_rows if r["mode"] == mode]
        expect = ORDER if mode in ("inject", "insns") else sorted({r["contender"] for r in rows})
        ok = check_mode(mode, rows, expect) and ok
    return ok


def check_mode(mode, rows, expect):
    ok = True
    seen = {}
    for r in rows:
        c = r["contender"]
        v = num(r.get("insns_per_in") if mode == "insns" else r["relayed_pps"])
        if v and v > 0:
            seen[c] = True
        else:
            seen.setdefault(c, False)
            if r["note"].startswith("error"):
                print(f"bench smoke: {mode}: {c} fan-out {r['fanout']}: {r['note']}")
    for r in rows:
        ratio = num(r["out_per_in"])
        if r["contender"] != "socat" and ratio is not None and ratio < 0.99:
            print(f"bench smoke: {mode}: {r['contender']} fan-out {r['fanout']}: sent "
                  f"{ratio:.3f} × fan-out copies per input packet, not 1")
            ok = False
    for c in expect:
        if c not in seen:
            print(f"bench smoke: {mode}: {c}: did not run")
            ok = False
        elif not seen[c]:
            print(f"bench smoke: {mode}: {c}: relayed nothing")
            ok = False
    if ok:
        print(f"bench smoke: {mode}: {', '.join(sorted(seen))} relayed")
    return ok


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("csv")
    ap.add_argument("--md")
    ap.add_argument("--png")
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--note", default="")
    a = ap.parse_args()
    rows = load(a.csv)
    if not rows:
        print("bench: no results", file=sys.stderr)
        return 1
    summ = summarise([r for r in rows if r["mode"] == "inject"])
    md = markdown(rows, summ, a.note)
    if a.md:
        with open(a.md, "w") as f:
            f.write(md)
    else:
        sys.stdout.write(md)
    if a.png and summ:
        r0 = rows[0]
        plot(summ, os.path.abspath(a.png),
             f"mcr and peers: {r0['kernel']}, {r0['vcpus']} vCPUs (TCG), {r0['date'][:10]}")
    if a.check:
        return 0 if check(rows) else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
