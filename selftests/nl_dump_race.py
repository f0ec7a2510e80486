#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""A rule dump that races a change, read one message batch at a time.

    nl_dump_race.py --cut ID --next ID --outputs N --change del|replace
                    --iif IFINDEX --oif IFINDEX --oif2 IFINDEX --group G
                    [--cmd rule|stats]

Rules CUT and NEXT (the next one by id) exist, each with N outputs on
IFINDEX (ports 1..N), enough that CUT does not fit one dump message. The
dump's first two batches end inside CUT (N of several hundred); before
the rest is read, a second socket deletes CUT (del) or replaces its
outputs with N others on OIF2 (replace). The rest of the
dump must then:
- list NEXT whole: all N outputs, in order, none taken for CUT's;
- with replace, never mix CUT's old and new outputs in one message;
- flag the first message made after the change NLM_F_DUMP_INTR.
Prints "# ok ..." / "# FAIL ..." lines; exit status 0 if all held.
"""

import argparse
import os
import struct
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import nl_raw  # noqa: E402

NLM_F_DUMP_INTR = 0x10
CMD_STATS_GET = nl_raw.CMD_STATS_GET
A_STATS_RULE_ID, A_STATS_OUTPUT = nl_raw.A_STATS_RULE_ID, nl_raw.A_STATS_OUTPUT

failed = 0


def check(what, ok, detail=""):
    global failed
    print("# %s: %s%s" % ("ok" if ok else "FAIL", what, "" if ok else " (%s)" % detail))
    if not ok:
        failed += 1


# Rule messages whose output-stats did not number one per output.
unpaired = []


def ports(payload, cmd):
    """(rule id, [(ifindex, port) of each output]) of one dump message;
    stats dumps carry no port (None)."""
    attrs = nl_raw.parse_attrs(payload[4:])
    if cmd == "rule":
        rid = struct.unpack("=I", attrs[nl_raw.A_RULE_ID][0][:4])[0]
        outs = attrs.get(nl_raw.A_RULE_OUTPUT, [])
        # Each message carries the counters of exactly its own outputs.
        counters = attrs.get(nl_raw.A_RULE_OUTPUT_STATS, [])
        if len(counters) != len(outs):
            unpaired.append((rid, len(outs), len(counters)))
        ifindex, port_attr = nl_raw.A_OUT_IFINDEX, nl_raw.A_OUT_PORT
    else:
        rid = struct.unpack("=I", attrs[A_STATS_RULE_ID][0][:4])[0]
        outs = attrs.get(A_STATS_OUTPUT, [])
        ifindex, port_attr = nl_raw.A_STATS_OUTPUT_IFINDEX, None
    got = []
    for o in outs:
        oa = nl_raw.parse_attrs(o)
        port = None
        if port_attr in oa:
            port = struct.unpack("!H", oa[port_attr][0][:2])[0]
        got.append((struct.unpack("=I", oa[ifindex][0][:4])[0], port))
    return rid, got


def outputs(oif, n):
    return [nl_raw.nest(nl_raw.A_RULE_OUTPUT,
                        [nl_raw.u32(nl_raw.A_OUT_IFINDEX, oif),
                         nl_raw.be16(nl_raw.A_OUT_PORT, i)])
            for i in range(1, n + 1)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cut", type=int, required=True)
    ap.add_argument("--next", type=int, required=True)
    ap.add_argument("--outputs", type=int, required=True)
    ap.add_argument("--change", choices=("del", "replace"), required=True)
    ap.add_argument("--oif", type=int, required=True)
    ap.add_argument("--oif2", type=int, required=True)
    ap.add_argument("--iif", type=int, required=True)
    ap.add_argument("--group", required=True)
    ap.add_argument("--cmd", choices=("rule", "stats"), default="rule")
    a = ap.parse_args()

    reader, writer = nl_raw.Genl(), nl_raw.Genl()
    reader.resolve("mcr")
    writer.resolve("mcr")
    cmd = nl_raw.CMD_RULE_GET if a.cmd == "rule" else CMD_STATS_GET
    seq, _ = reader.send(reader.family, cmd, [],
                         flags=nl_raw.NLM_F_REQUEST | nl_raw.NLM_F_DUMP)

    # Reading a batch makes the kernel fill the next one at once: the
    # change below lands after batch 2 was made, and shows from batch 3 on.
    def ends_inside_cut(n, batch):
        rid, got = ports(batch[-1][3], a.cmd) if batch else (None, [])
        check("batch %d ends inside rule %d" % (n, a.cut),
              rid == a.cut and 0 < len(got) and
              not any(m[0] == nl_raw.NLMSG_DONE for m in batch),
              "last message: rule %s with %d outputs" % (rid, len(got)))

    ends_inside_cut(1, [m for m in reader.recv_msgs() if m[2] == seq])

    if a.change == "del":
        err, ack, _, _ = writer.mcr(nl_raw.CMD_RULE_DEL, [nl_raw.u32(nl_raw.A_RULE_ID, a.cut)])
    else:
        err, ack, _, _ = writer.mcr(
            nl_raw.CMD_RULE_NEW,
            [nl_raw.u16(nl_raw.A_RULE_FAMILY, nl_raw.AF_INET),
             nl_raw.u32(nl_raw.A_RULE_IIF, a.iif),
             nl_raw.addr(nl_raw.A_RULE_GROUP, a.group),
             nl_raw.flag(nl_raw.A_RULE_REPLACE)] + outputs(a.oif2, a.outputs))
    check("%s rule %d between batches" % (a.change, a.cut), err == 0, "%d %s" % (err, ack))

    # Batch 2, made before the change, is read with the rest but not
    # expected to be flagged.
    before = [m for m in reader.recv_msgs() if m[2] == seq]
    ends_inside_cut(2, before)
    rest, done = [], None
    while done is None:
        for m in reader.recv_msgs():
            if m[2] != seq:
                continue
            if m[0] == nl_raw.NLMSG_DONE:
                done = m
            elif m[0] == nl_raw.NLMSG_ERROR:
                done = m
                check("dump ends without error", False,
                      -struct.unpack_from("=i", m[3])[0])
            else:
                rest.append(m)

    # The kernel flags the first message it fills after a change
    # (nl_dump_check_consistent()); readers treat the whole dump as torn.
    check("the first message made after the change flagged NLM_F_DUMP_INTR",
          bool(rest) and bool(rest[0][1] & NLM_F_DUMP_INTR),
          "flags 0x%x" % (rest[0][1] if rest else 0))
    check("batch 2, made before the change, not flagged",
          not any(m[1] & NLM_F_DUMP_INTR for m in before))

    by_rule = {}
    for m in before + rest:
        rid, got = ports(m[3], a.cmd)
        if a.change == "replace" and rid == a.cut:
            devs = {dev for dev, _ in got}
            check("no message of rule %d mixes old and new outputs" % rid,
                  len(devs) == 1, sorted(devs))
        if m in rest:
            by_rule.setdefault(rid, []).extend(got)
    if a.cmd == "rule":
        check("every message carries one output-stats per output",
              not unpaired, "(rule, outputs, output-stats): %s" % unpaired[:3])

    def want(dev):
        return [(dev, p if a.cmd == "rule" else None) for p in range(1, a.outputs + 1)]

    check("rule %d listed whole after the change" % a.next, by_rule.get(a.next) == want(a.oif),
          "got %d outputs, first %s" % (len(by_rule.get(a.next, [])),
                                        by_rule.get(a.next, [])[:3]))
    if a.change == "del":
        check("deleted rule %d not resumed" % a.cut, a.cut not in by_rule,
              by_rule.get(a.cut, [])[:3])
    else:
        new = want(a.oif2)
        check("replaced rule %d listed again whole, new outputs" % a.cut,
              by_rule.get(a.cut) == new,
              "got %d outputs, first %s" % (len(by_rule.get(a.cut, [])),
                                            by_rule.get(a.cut, [])[:3]))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
