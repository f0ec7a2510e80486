#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Summarise a bench/guest.sh CSV: a Markdown table, a gnuplot plot, and
(with --check) the smoke test's verdict.

  bench/report.py CSV [--md FILE] [--png FILE] [--check [--families "4 6"]]
                  [--note TEXT]

Every figure is the median over runs, with min and max, of relayed_pps: the
input packets per second the contender relayed to all of its outputs
(pktgen's achieved rate when every packet was relayed N times; bare: the
rate of receiving and dropping). The relay's cost per input packet is
1e9/pps - 1e9/bare_pps (ns), bare measured at the same point and run.
Rows of the scale phase (mode scale-1q, scale-2q), of the end-to-end
phase (mode e2e: the highest offered rate with at most 0.1% loss) and of
the instruction counts (mode insns: guest instructions per input packet,
from the QEMU plugin bench/insn-count.so) get tables of their own.

Each address family (CSV column family: 4, or 6 for IPv6; CSVs from before
it are IPv4) gets its own tables, and with both, how IPv6 compares with
IPv4: each contender's IPv6 cost over its IPv4 cost at every point (mcr's
must stay within 1.1x), and each peer's standing against mcr in either.
--check --families L: also fails unless the CSV has rows of each family
in L.
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
    "ipmr": "kernel multicast routing (IPv6: ip6mr), (S,G) via smcroute",
    "socat": "socat, one process per output",
}
# Like-for-like comparisons against mcr.
PEERS_PLAIN = ["nft-dup", "nft-fwd", "tc-mirred", "ipmr", "socat"]
PEERS_RW = ["nft-dup-rw", "tc-mirred-rw"]
FAMILY = {"4": "IPv4", "6": "IPv6"}
TRAFFIC = {"4": "UDP to 239.1.1.1:5000", "6": "UDP to [ff3e::1:1]:5000"}
# mcr's IPv6 cost over its IPv4 cost, at most: the goal IPv6 support was
# built to.
V6_LIMIT = 1.1
# Contenders that take the packet away from the stack. bare's count holds
# what the stack does with the packet, which costs more for IPv6 and which
# these skip: their IPv6 cost above bare does not compare with their IPv4
# one, so their IPv6 / IPv4 ratio is of the whole counts.
CONSUMING = ("mcr-consume", "mcr-consume-rw", "nft-fwd")


def load(path):
    with open(path) as f:
        rows = list(csv.DictReader(f))
    for r in rows:  # CSVs from before the scale and e2e phases, and IPv6
        r["mode"] = r.get("mode") or "inject"
        r["family"] = r.get("family") or "4"
    return rows


def families(rows):
    return sorted({r["family"] for r in rows})


def of_family(rows, fam):
    return [r for r in rows if r["family"] == fam]


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


def traffic(rows):
    return "; ".join(f"{FAMILY[f]}: {TRAFFIC[f]}" for f in families(rows) if f in FAMILY)


def markdown(all_rows, note):
    inject = [r for r in all_rows if r["mode"] == "inject"]
    summs = {f: summarise(of_family(inject, f)) for f in families(inject)}
    if not inject:  # a run of the instruction counts alone
        r0 = all_rows[0]
        out = [f"Run of {r0['date']} on kernel {r0['kernel']}, {r0['vcpus']} vCPUs "
               f"(QEMU TCG); {traffic(all_rows)}."]
        if note:
            out += ["", note]
        out += insns_sections(all_rows)
        return "\n".join(out) + "\n"
    rows = inject
    r0 = rows[0]
    runs = max(int(r["run"]) for r in rows)
    secs = max((num(r["secs"]) or 0) for r in rows)
    out = []
    out.append(f"Run of {r0['date']} on kernel {r0['kernel']}, "
               f"{r0['vcpus']} vCPUs (QEMU TCG), pktgen `netif_receive` into a "
               f"dummy input, outputs on dummy devices ({traffic(all_rows)}); "
               f"{secs:g} s per measurement, median of {runs} run(s) (min–max).")
    if note:
        out.append("")
        out.append(note)
    for fam, summ in summs.items():
        out.extend(rates_section(summ, fam))
    bad = [(FAMILY.get(f, f), k, s["ratio"]) for f, summ in summs.items() for k, s in summ.items()
           if s["ratio"] is not None and s["ratio"] < 0.999 and k[0] != "socat"]
    out.append("")
    out.append("Check of the outputs' tx counters: every in-kernel contender sent "
               "fan-out × input packets" + (" at every point." if not bad else
               ", except: " + ", ".join(f"{f} {k[0]} fan-out {k[1]} payload {k[2]}: "
                                         f"{r:.3f}" for f, k, r in sorted(bad))) +
               " socat's relayed rate is what its outputs sent; the rest of the "
               "input was dropped at its sockets.")
    if "4" in summs and "6" in summs:
        out.extend(rates_v6_v4(summs["4"], summs["6"]))
    out.extend(scale_section(all_rows))
    out.extend(e2e_section(all_rows))
    out.extend(insns_sections(all_rows))
    contenders = [c for c in ORDER if any(k[0] == c for summ in summs.values() for k in summ)]
    out.append("")
    out.append("Contenders:")
    out.append("")
    for c in contenders:
        out.append(f"- `{c}`: {DESC.get(c, c)}")
    return "\n".join(out) + "\n"


def rates_section(summ, fam):
    """The inject tables of one family."""
    contenders = [c for c in ORDER if any(k[0] == c for k in summ)]
    fanouts = sorted({k[1] for k in summ})
    payloads = sorted({k[2] for k in summ})
    fl = FAMILY.get(fam, fam)
    out = []
    for sz in payloads:
        out.append("")
        out.append(f"### {fl}: input kpps relayed to every output, UDP payload {sz} B")
        out.append("")
        out.append("| contender | " + " | ".join(f"fan-out {n}" for n in fanouts) + " |")
        out.append("|---|" + "---:|" * len(fanouts))
        for c in contenders:
            out.append(f"| {c} | " + " | ".join(cell(summ.get((c, n, sz))) for n in fanouts) + " |")
        # Ratios: mcr against its peers, and everything against bare.
        out.append("")
        out.append(f"{fl}: ratio to mcr (median / median; > 1: faster than mcr), and to bare, payload {sz} B:")
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
        out.append(f"{fl}: relay cost per input packet above bare (ns, from the medians; "
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
        out.extend(rewrite_cost(summ, fanouts, sz, fl))
    return out


def rates_v6_v4(s4, s6):
    """Each contender's IPv6 rate over its IPv4 rate, point by point."""
    keys = set(s4) & set(s6)
    contenders = [c for c in ORDER if any(k[0] == c for k in keys)]
    fanouts = sorted({k[1] for k in keys})
    out = ["", "### IPv6 against IPv4: rates", "",
           "Each contender's IPv6 median over its IPv4 median at the same point "
           "(< 1: IPv6 slower). Both families of a point run back to back, but "
           "rates under TCG move with the host's load: the instruction counts "
           "below are the comparison to read."]
    for sz in sorted({k[2] for k in keys}):
        out += ["", f"UDP payload {sz} B:", "",
                "| contender | " + " | ".join(f"fan-out {n}" for n in fanouts) + " |",
                "|---|" + "---:|" * len(fanouts)]
        for c in contenders:
            cells = []
            for n in fanouts:
                a, b = s4.get((c, n, sz)), s6.get((c, n, sz))
                if a and b and a["med"] and b["med"]:
                    cells.append(f"{b['med'] / a['med']:.2f}×")
                else:
                    cells.append("n/a")
            out.append(f"| {c} | " + " | ".join(cells) + " |")
    return out


def rewrite_cost(summ, fanouts, sz, fl):
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
    return ["", f"{fl}: cost of the group+port rewrite, per output (ns per input packet "
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
    out = ["", f"### Scaling with receive queues ({' and '.join(FAMILY.get(f, f) for f in families(sc))})", "",
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
    out = ["", f"### End to end over veth ({' and '.join(FAMILY.get(f, f) for f in families(e2e))})", "",
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


def insns_values(rows):
    """{(contender, fanout, payload): instructions per input packet, the
    least of the point's windows (what else the guest does only adds), or
    the row's note} of one family's insns rows."""
    val = {}
    for r in rows:
        key = (r["contender"], int(r["fanout"]), int(r["payload"]))
        v = num(r.get("insns_per_in"))
        old = val.get(key)
        if v is None:
            if old is None:
                val[key] = r["note"] or "error"
        elif not isinstance(old, float) or v < old:
            val[key] = v
    return val


def insns_cost(val, c, n, sz):
    """c's instructions above bare at a point (bare: its own), or None."""
    v, b = val.get((c, n, sz)), val.get(("bare", n, sz))
    if not isinstance(v, float):
        return None
    if c == "bare":
        return v
    return v - b if isinstance(b, float) else None


def insns_sections(rows):
    ins = [r for r in rows if r["mode"] == "insns"]
    if not ins:
        return []
    vals = {f: insns_values(of_family(ins, f)) for f in families(ins)}
    out = ["", "### Instructions per input packet", "",
           "Guest instructions (all vCPUs) per input packet while pktgen sends a "
           "fixed number of packets, counted by the QEMU plugin "
           "`bench/insn-count.so`: unlike a rate under emulation, this does not "
           "move with the host's load; the least of the point's windows "
           f"({insns_windows(ins)}), as whatever else the guest runs meanwhile "
           "only adds. bare: what pktgen, the receive path and "
           "the drop cost. Every other row: the relay's cost above bare, in "
           "thousands of instructions; in brackets, that cost over mcr's "
           "(> 1: costs more than mcr). Negative: the relay takes the packet "
           "from the stack and spares it more than the relaying costs (IPv6: "
           "the stack's input route lookup). A rep-prefixed string instruction "
           "counts once per iteration, as TCG runs it."]
    for f, val in vals.items():
        out += insns_table(val, FAMILY.get(f, f))
    if "4" in vals and "6" in vals:
        out += insns_v6_v4(vals["4"], vals["6"])
    return out


def insns_windows(rows):
    n = max((int(r["run"]) for r in rows if r["run"].isdigit()), default=1)
    return f"{n} windows" if n > 1 else "one window"


def insns_table(val, fl):
    contenders = [c for c in ORDER if any(k[0] == c for k in val)]
    fanouts = sorted({k[1] for k in val})
    out = []
    for sz in sorted({k[2] for k in val}):
        out += ["", f"{fl}, UDP payload {sz} B:", "",
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
                    if c != ref and isinstance(m, float) and m > b and v > b:
                        txt += f" [{(v - b) / (m - b):.2f}×]"
                    cells.append(txt)
            out.append(f"| {c} | " + " | ".join(cells) + " |")
    return out


def insns_v6_v4(v4, v6):
    """Each contender's IPv6 cost over its IPv4 cost, mcr's against the
    1.1x limit, and whether each peer keeps its side of mcr."""
    keys = set(v4) & set(v6)
    contenders = [c for c in ORDER if any(k[0] == c for k in keys)]
    fanouts = sorted({k[1] for k in keys})
    payloads = sorted({k[2] for k in keys})
    out = ["", "### IPv6 against IPv4: instructions", "",
           "Each contender's cost above bare with IPv6 traffic over the same "
           "with IPv4, at the same point; in brackets, the two costs in "
           "thousands of instructions. bare, and the contenders that take the "
           "packet from the stack (" + ", ".join(CONSUMING) + "; bare's IPv6 "
           "count holds the stack's own IPv6 cost, which they skip): their "
           "whole counts (\"all\"). mcr's IPv6 may cost at most "
           f"{V6_LIMIT}× its IPv4; a mcr point above that is in bold."]
    over = {}
    ratios = {}
    for sz in payloads:
        out += ["", f"UDP payload {sz} B:", "",
                "| contender | " + " | ".join(f"fan-out {n}" for n in fanouts) + " |",
                "|---|" + "---:|" * len(fanouts)]
        for c in contenders:
            cells = []
            for n in fanouts:
                whole = c in CONSUMING or c == "bare"
                if whole:
                    a, b = v4.get((c, n, sz)), v6.get((c, n, sz))
                    a, b = (a, b) if isinstance(a, float) and isinstance(b, float) else (None, None)
                else:
                    a, b = insns_cost(v4, c, n, sz), insns_cost(v6, c, n, sz)
                if a is None or b is None or a <= 0:
                    cells.append(v6.get((c, n, sz)) if isinstance(v6.get((c, n, sz)), str)
                                 else "n/a")
                    continue
                r = b / a
                txt = f"{r:.3f}× ({'all ' if whole else ''}{a / 1000:.1f}k → {b / 1000:.1f}k)"
                if c.startswith("mcr"):
                    ratios.setdefault(c, []).append((r, sz, n))
                    if round(r, 3) > V6_LIMIT:
                        over.setdefault(c, []).append((sz, n, r))
                        txt = f"**{txt}**"
                cells.append(txt)
            out.append(f"| {c} | " + " | ".join(cells) + " |")
    out.append("")
    for c in [c for c in ORDER if c in ratios]:
        lo, hi = min(ratios[c]), max(ratios[c])
        verdict = (f"within {V6_LIMIT}× at every point" if c not in over else
                   f"above {V6_LIMIT}× at " + ", ".join(
                       f"{sz} B fan-out {n} ({r:.3f}×)" for sz, n, r in over[c]))
        what = "whole count" if c in CONSUMING else "cost above bare"
        out.append(f"- {c} ({what}): IPv6 / IPv4 from {lo[0]:.3f}× ({lo[1]} B, fan-out {lo[2]}) "
                   f"to {hi[0]:.3f}× ({hi[1]} B, fan-out {hi[2]}); {verdict}.")
    # The peers' standing against mcr in either family.
    out += ["", "Each peer's cost over mcr's (mcr-rw's for a rewrite; for nft-fwd, "
            "whole counts over mcr-consume's), IPv4 → IPv6; > 1: costs more than "
            "mcr. ‡: the peer is on the other side of mcr in IPv6 (by more than 2% "
            "either way)."]
    flips = []
    for sz in payloads:
        out += ["", f"UDP payload {sz} B:", "",
                "| peer | " + " | ".join(f"fan-out {n}" for n in fanouts) + " |",
                "|---|" + "---:|" * len(fanouts)]
        for c in contenders:
            if c == "bare" or c.startswith("mcr"):
                continue
            ref = "mcr-rw" if c.endswith("-rw") else "mcr"
            cost = insns_cost
            if c in CONSUMING:
                ref = "mcr-consume"
                def cost(val, c, n, sz):
                    v = val.get((c, n, sz))
                    return v if isinstance(v, float) else None
            cells = []
            for n in fanouts:
                pa, pb = cost(v4, c, n, sz), cost(v6, c, n, sz)
                ma, mb = cost(v4, ref, n, sz), cost(v6, ref, n, sz)
                if None in (pa, pb, ma, mb) or ma <= 0 or mb <= 0:
                    cells.append("n/a")
                    continue
                ra, rb = pa / ma, pb / mb
                flip = (ra > 1.02 and rb < 0.98) or (ra < 0.98 and rb > 1.02)
                if flip:
                    flips.append(f"{c} {sz} B fan-out {n}")
                cells.append(f"{ra:.2f}× → {rb:.2f}×" + (" ‡" if flip else ""))
            out.append(f"| {c} | " + " | ".join(cells) + " |")
    out += ["", "Standing: " + ("every peer is on the same side of mcr in IPv6 as in "
                                "IPv4 at every point." if not flips else
                                "on the other side of mcr in IPv6: " + ", ".join(flips) + ".")]
    return out


def plot(summs, png, title):
    """summs: {family: summarise() of its inject rows}; a row of plots per
    family, a column per payload."""
    fams = [f for f in summs if summs[f]]
    payloads = sorted({k[2] for f in fams for k in summs[f]})
    fanouts = sorted({k[1] for f in fams for k in summs[f]})
    tmp = tempfile.mkdtemp()
    height = 600 * len(fams)
    cmds = [
        f"set terminal pngcairo size 1400,{height} font ',10'" if has_cairo() else
        f"set terminal png size 1400,{height}",
        f"set output '{png}'",
        f"set multiplot layout {len(fams)},{len(payloads)} title '{title}'",
        "set logscale xy 2", "set logscale y 10",
        "set xtics (1, 4, 16, 64)", "set xrange [0.8:80]",
        "set xlabel 'fan-out (outputs per input packet)'",
        "set ylabel 'input kpps relayed to every output'",
        "set key outside right", "set grid",
    ]
    for fam in fams:
        summ = summs[fam]
        contenders = [c for c in ORDER if any(k[0] == c for k in summ)]
        for sz in payloads:
            plots = []
            for i, c in enumerate(contenders):
                f = os.path.join(tmp, f"{c}-{sz}-{fam}.dat")
                with open(f, "w") as fh:
                    for n in fanouts:
                        s = summ.get((c, n, sz))
                        if s and s["med"]:
                            fh.write(f"{n} {s['med'] / 1000} {s['lo'] / 1000} {s['hi'] / 1000}\n")
                if os.path.getsize(f):
                    dt = 2 if c == "bare" else 1
                    lw = 3 if c.startswith("mcr") else 1.5
                    plots.append(f"'{f}' using 1:2:3:4 with yerrorlines dt {dt} lw {lw} "
                                 f"pt {i % 13 + 1} title '{c}'")
            cmds.append(f"set title '{FAMILY.get(fam, fam)}, UDP payload {sz} B'")
            cmds.append("plot " + ", ".join(plots) if plots else "plot NaN notitle")
    cmds.append("unset multiplot")
    script = os.path.join(tmp, "plot.gp")
    with open(script, "w") as fh:
        fh.write("\n".join(cmds) + "\n")
    subprocess.run(["gnuplot", script], check=True)


def has_cairo():
    r = subprocess.run(["gnuplot", "-e", "set terminal"], capture_output=True, text=True)
    return "pngcairo" in (r.stdout + r.stderr)


def check(all_rows, want=()):
    """Smoke verdict: every contender ran and relayed something, in every
    phase the run had and in every family (and in each of want)."""
    ok = True
    for fam in sorted(set(families(all_rows)) | set(want)):
        frows = of_family(all_rows, fam)
        fl = FAMILY.get(fam, fam)
        if not frows:
            print(f"bench smoke: {fl}: no results")
            ok = False
            continue
        for mode in sorted({r["mode"] for r in frows}):
            rows = [r for r in frows if r["mode"] == mode]
            expect = ORDER if mode in ("inject", "insns") else sorted({r["contender"] for r in rows})
            ok = check_mode(mode, rows, expect, f"{mode} {fl}") and ok
    return ok


def check_mode(mode, rows, expect, label):
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
                print(f"bench smoke: {label}: {c} fan-out {r['fanout']}: {r['note']}")
    for r in rows:
        ratio = num(r["out_per_in"])
        if r["contender"] != "socat" and ratio is not None and ratio < 0.99:
            print(f"bench smoke: {label}: {r['contender']} fan-out {r['fanout']}: sent "
                  f"{ratio:.3f} × fan-out copies per input packet, not 1")
            ok = False
    for c in expect:
        if c not in seen:
            print(f"bench smoke: {label}: {c}: did not run")
            ok = False
        elif not seen[c]:
            print(f"bench smoke: {label}: {c}: relayed nothing")
            ok = False
    if ok:
        print(f"bench smoke: {label}: {', '.join(sorted(seen))} relayed")
    return ok


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("csv")
    ap.add_argument("--md")
    ap.add_argument("--png")
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--note", default="")
    ap.add_argument("--families", default="",
                    help="with --check: families (4, 6) the CSV must have rows of")
    a = ap.parse_args()
    rows = load(a.csv)
    if not rows:
        print("bench: no results", file=sys.stderr)
        return 1
    md = markdown(rows, a.note)
    if a.md:
        with open(a.md, "w") as f:
            f.write(md)
    else:
        sys.stdout.write(md)
    inject = [r for r in rows if r["mode"] == "inject"]
    if a.png and inject:
        r0 = rows[0]
        plot({f: summarise(of_family(inject, f)) for f in families(inject)},
             os.path.abspath(a.png),
             f"mcr and peers: {r0['kernel']}, {r0['vcpus']} vCPUs (TCG), {r0['date'][:10]}")
    if a.check:
        return 0 if check(rows, a.families.split()) else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
