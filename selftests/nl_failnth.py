#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Fail the n-th slab allocation of a request, for n = 1, 2, ... (fail-nth).

    nl_failnth.py rule-new    --iif IFINDEX --oif IFINDEX --oif2 IFINDEX
    nl_failnth.py stats-reset --iif IFINDEX --oif IFINDEX --oif2 IFINDEX
                              --tx-addr ADDR
    nl_failnth.py {rule-new | stats-reset} ... --dry-run

Run inside the namespace of fault_inject.sh, as root, on a kernel with
CONFIG_FAULT_INJECTION and CONFIG_FAILSLAB, failslab's ignore-gfp-wait
off (see Documentation/fault-injection/fault-injection.rst, "fail-nth").

For each n: write n to /proc/thread-self/fail-nth, send the request, read
fail-nth back and write 0. The request is processed in this thread, in
sendmsg(), so its n-th fault site is hit there, or not at all: a nonzero
read back means that there was no n-th site, and the sweep is complete.
Then, without faults, the outcome is classified and the state checked:

rule-new (a rule with two outputs, flag nojoin, in an empty table; a
monitor socket listens to the "monitor" group):
  sendmsg failed      nothing added, no notification
  error E (extack)    E is ENOMEM, the extack is the module's, or none
                      (the genetlink core's allocation); nothing added,
                      no notification
  added               the id in the reply, the ack 0, exactly the rule
                      with both outputs in the table; the monitor gets
                      the rule-new notification of it or ENOBUFS (the
                      notification could not be allocated)
  added, no ack       the ack could not be allocated: ENOBUFS on the
                      request socket; the rule is there, notified
The rule is deleted (fault-free) before the next n.

stats-reset of every rule (a rule with two outputs, with nonzero counters
from a few packets sent to its input from --tx-addr, set up anew without
faults for each n, so that each n starts from the same state):
  reset               the ack 0 (or ENOBUFS: no ack): every counter 0
  error E (extack)    ENOMEM, the module's extack ("no counter was
                      reset") or none: every counter as before
  sendmsg failed      every counter as before
Either way the rule table and the namespace's rules/outputs are intact.

Prints one "# n=N: OUTCOME" line per n, "# FAIL ..." for each violated
expectation, and a summary line; exit status 0 if every n held.
"""

import argparse
import errno
import os
import select
import socket
import struct
import sys
import time

import nl_raw
from nl_raw import (A_RULE_FAMILY, A_RULE_FLAGS, A_RULE_GROUP, A_RULE_ID,
                    A_RULE_IIF, A_RULE_OUTPUT, A_RULE_PORT, A_OUT_IFINDEX,
                    AF_INET, CMD_RULE_DEL, CMD_RULE_GET,
                    CMD_RULE_NEW, CMD_STATS_GET, CMD_STATS_RESET,
                    NLM_F_ACK, NLM_F_ACK_TLVS, NLM_F_DUMP, NLM_F_REQUEST,
                    NLMSG_ERROR)

CMD_RULE_NEW_NTF, CMD_RULE_DEL_NTF = 6, 7
CTRL_ATTR_MCAST_GROUPS = 7
CTRL_ATTR_MCAST_GRP_NAME, CTRL_ATTR_MCAST_GRP_ID = 1, 2
NETLINK_ADD_MEMBERSHIP = 1
SOL_NETLINK = 270
SO_RCVBUFFORCE = getattr(socket, "SO_RCVBUFFORCE", 33)
MCR_RULE_FLAGS_NOJOIN = 1
A_STATS_NETNS, A_STATS_RULE_ID, A_STATS_RULE, A_STATS_OUTPUT = 1, 2, 3, 4
A_STATS_OUTPUT_IFINDEX, A_STATS_OUTPUT_STATS = 1, 2
A_RULE_STATS_PACKETS = 1
A_NETNS_NO_MATCH = 1
A_NETNS_RULES, A_NETNS_OUTPUTS, A_NETNS_MAX_RULES, A_NETNS_MAX_OUTPUTS = 5, 6, 7, 8
# Gauges and limits in the netns stats: a reset leaves them.
NETNS_GAUGES = (A_NETNS_RULES, A_NETNS_OUTPUTS, A_NETNS_MAX_RULES, A_NETNS_MAX_OUTPUTS)

NOMEM_MSG = "out of memory, or the memory cgroup's limit reached"
# ENOMEM acks a rule-new may give: the module's (its own allocations; a
# failed nf_register_net_hook() of the input device), or none (an
# allocation of the genetlink core before the handler).
RULE_NEW_MSGS = (NOMEM_MSG, "cannot hook the input device's ingress", None)
RESET_MSGS = (NOMEM_MSG + ": no counter was reset", None)

GROUP = "239.14.0.1"
PORT = 5000
MAX_N = 400		# a rule-new has a few dozen fault sites; far fewer
DEADLINE = 10.0		# s to wait for a notification or a counter


class FailNth:
    """/proc/thread-self/fail-nth, opened once: arming it allocates nothing.
    dry: no file, no fault; every n is "not reached" (checks the helper
    itself on a kernel without fail-nth)."""

    def __init__(self, dry=False):
        self.fd = None if dry else os.open("/proc/thread-self/fail-nth", os.O_RDWR)

    def arm(self, n):
        if self.fd is not None:
            os.pwrite(self.fd, b"%d" % n, 0)

    def disarm(self):
        """Returns what was left (0: the fault was injected)."""
        if self.fd is None:
            return 1
        left = int(os.pread(self.fd, 32, 0).decode().strip() or 0)
        os.pwrite(self.fd, b"0", 0)
        return left


def errname(e):
    return errno.errorcode.get(e, str(e)) if e else "0"


class Sweep:
    def __init__(self, args):
        self.args = args
        self.fail = []
        self.req = nl_raw.Genl()
        self.req.resolve("mcr")
        self.family = self.req.family
        self.ctl = nl_raw.Genl()	# fault-free requests and checks
        self.ctl.family = self.family
        self.mon = self.monitor_socket()
        self.seq = 5000

    def monitor_socket(self):
        err, ack, replies, _ = self.ctl.request(
            nl_raw.GENL_ID_CTRL, nl_raw.CTRL_CMD_GETFAMILY,
            [nl_raw.string(nl_raw.CTRL_ATTR_FAMILY_NAME, "mcr")])
        if err or not replies:
            raise OSError(err, "family mcr: %s" % ack)
        grp = None
        attrs = nl_raw.parse_attrs(replies[0][4:])
        for g in nl_raw.parse_attrs(attrs[CTRL_ATTR_MCAST_GROUPS][0]).values():
            ga = nl_raw.parse_attrs(g[0])
            if ga[CTRL_ATTR_MCAST_GRP_NAME][0].rstrip(b"\0") == b"monitor":
                grp = struct.unpack("=I", ga[CTRL_ATTR_MCAST_GRP_ID][0][:4])[0]
        if grp is None:
            raise OSError(errno.ENOENT, "no monitor group")
        s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, nl_raw.NETLINK_GENERIC)
        # Big enough that no overrun could be taken for a lost notification.
        s.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, 4 << 20)
        s.bind((0, 0))
        s.setsockopt(SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, grp)
        return s

    def check(self, n, cond, what):
        if not cond:
            self.fail.append("n=%d: %s" % (n, what))
            print("# FAIL n=%d: %s" % (n, what))
        return cond

    # -- messages ----------------------------------------------------------

    def encode(self, cmd, attrs, flags=NLM_F_REQUEST | NLM_F_ACK):
        self.seq += 1
        body = b"".join(a.encode(20, []) for a in attrs)
        return self.seq, (struct.pack("=IHHII", 20 + len(body), self.family,
                                      flags, self.seq, 0) +
                          struct.pack("=BBH", cmd, 1, 0) + body)

    def rule_attrs(self):
        a = self.args
        return [nl_raw.u16(A_RULE_FAMILY, AF_INET),
                nl_raw.u32(A_RULE_IIF, a.iif),
                nl_raw.addr(A_RULE_GROUP, GROUP),
                nl_raw.be16(A_RULE_PORT, PORT),
                nl_raw.u32(A_RULE_FLAGS, MCR_RULE_FLAGS_NOJOIN),
                nl_raw.nest(A_RULE_OUTPUT, [nl_raw.u32(A_OUT_IFINDEX, a.oif)]),
                nl_raw.nest(A_RULE_OUTPUT, [nl_raw.u32(A_OUT_IFINDEX, a.oif2)])]

    def faulted(self, n, msg):
        """Sends msg with the n-th fault armed; returns (sendmsg errno, left)."""
        fn = self.failnth
        serr = 0
        fn.arm(n)
        try:
            self.req.sock.send(msg)
        except OSError as e:
            serr = e.errno
        left = fn.disarm()
        return serr, left

    def answer(self, seq):
        """The request socket's answer to seq, without faults:
        (state, errno, extack msg, reply payloads). state is "ack" (an
        NLMSG_ERROR arrived), "noack" (ENOBUFS: it could not be
        allocated) or "none" (nothing within the deadline)."""
        replies = []
        lost = False
        end = time.monotonic() + DEADLINE
        sock = self.req.sock
        while time.monotonic() < end:
            wait = 0.2 if lost else max(0, end - time.monotonic())
            r, _, _ = select.select([sock], [], [], wait)
            if not r:
                if lost:
                    break
                continue
            try:
                data = sock.recv(1 << 16)
            except OSError as e:
                if e.errno != errno.ENOBUFS:
                    raise
                lost = True
                continue
            off = 0
            while off + 16 <= len(data):
                length, mtype, mflags, mseq, _ = struct.unpack_from("=IHHII", data, off)
                payload = data[off + 16:off + length]
                off += (length + 3) & ~3
                if mseq != seq:
                    continue
                if mtype == NLMSG_ERROR:
                    err = -struct.unpack_from("=i", payload)[0]
                    ack = {}
                    if mflags & NLM_F_ACK_TLVS:
                        ack = nl_raw.decode_ack(nl_raw.parse_attrs(payload[20:]))
                    return "ack", err, ack.get("msg"), replies
                replies.append(payload)
        return ("noack" if lost else "none"), None, None, replies

    def monitor_pending(self):
        """What the monitor has now, without waiting: a list of (cmd, id)
        and "ENOBUFS" entries."""
        got = []
        while select.select([self.mon], [], [], 0)[0]:
            try:
                data = self.mon.recv(1 << 20)
            except OSError as e:
                if e.errno != errno.ENOBUFS:
                    raise
                got.append("ENOBUFS")
                continue
            got.extend(self.parse_ntf(data))
        return got

    @staticmethod
    def parse_ntf(data):
        got = []
        off = 0
        while off + 16 <= len(data):
            length = struct.unpack_from("=I", data, off)[0]
            cmd = data[off + 16]
            attrs = nl_raw.parse_attrs(data[off + 20:off + length])
            rid = struct.unpack("=I", attrs[A_RULE_ID][0][:4])[0] if A_RULE_ID in attrs else None
            got.append((cmd, rid))
            off += (length + 3) & ~3
        return got

    def monitor_wait(self, want):
        """Reads the monitor until it gets want ((cmd, id)) or ENOBUFS;
        returns what ended the wait (None: the deadline), and the rest."""
        seen = []
        end = time.monotonic() + DEADLINE
        while time.monotonic() < end:
            if not select.select([self.mon], [], [], max(0, end - time.monotonic()))[0]:
                break
            try:
                data = self.mon.recv(1 << 20)
            except OSError as e:
                if e.errno != errno.ENOBUFS:
                    raise
                return "ENOBUFS", seen
            for ntf in self.parse_ntf(data):
                if ntf == want:
                    return ntf, seen
                seen.append(ntf)
        return None, seen

    # -- state -------------------------------------------------------------

    def ctl_req(self, cmd, attrs, dump=False):
        flags = NLM_F_REQUEST | NLM_F_ACK | (NLM_F_DUMP if dump else 0)
        err, ack, replies, _ = self.ctl.request(self.family, cmd, attrs, flags=flags)
        if err:
            raise OSError(err, "command %d: %s %s" % (cmd, errname(err), ack))
        return replies

    def netns_stats(self):
        replies = self.ctl_req(CMD_STATS_GET, [])
        nest = nl_raw.parse_attrs(replies[0][4:])[A_STATS_NETNS][0]
        return {k: struct.unpack("=Q" if len(v[0]) == 8 else "=I", v[0])[0]
                for k, v in nl_raw.parse_attrs(nest).items() if len(v[0]) in (4, 8)}

    def rules(self):
        """[(id, iif, group, port, flags, sorted output ifindexes)]."""
        out = []
        for r in self.ctl_req(CMD_RULE_GET, [], dump=True):
            a = nl_raw.parse_attrs(r[4:])
            oifs = sorted(struct.unpack("=I", nl_raw.parse_attrs(o)[A_OUT_IFINDEX][0][:4])[0]
                          for o in a.get(A_RULE_OUTPUT, []))
            out.append((struct.unpack("=I", a[A_RULE_ID][0][:4])[0],
                        struct.unpack("=I", a[A_RULE_IIF][0][:4])[0],
                        socket.inet_ntoa(a[A_RULE_GROUP][0][:4]),
                        struct.unpack("!H", a[A_RULE_PORT][0][:2])[0],
                        struct.unpack("=I", a[A_RULE_FLAGS][0][:4])[0]
                        if A_RULE_FLAGS in a else 0, oifs))
        return out

    def counters(self):
        """Every counter: {(rule id, "rule" | output ifindex, attr): value}
        from the stats-get dump, and {("netns", attr): value}."""
        c = {}
        for r in self.ctl_req(CMD_STATS_GET, [], dump=True):
            a = nl_raw.parse_attrs(r[4:])
            rid = struct.unpack("=I", a[A_STATS_RULE_ID][0][:4])[0]
            for k, v in u64s(a[A_STATS_RULE][0]).items():
                c[(rid, "rule", k)] = v
            for o in a.get(A_STATS_OUTPUT, []):
                oa = nl_raw.parse_attrs(o)
                oif = struct.unpack("=I", oa[A_STATS_OUTPUT_IFINDEX][0][:4])[0]
                for k, v in u64s(oa[A_STATS_OUTPUT_STATS][0]).items():
                    c[(rid, oif, k)] = v
        for k, v in self.netns_stats().items():
            if k not in NETNS_GAUGES:
                c[("netns", k)] = v
        return c

    def check_empty(self, n, why):
        ns = self.netns_stats()
        ok = self.check(n, self.rules() == [], "%s: the table is not empty: %s" %
                        (why, self.rules()))
        return self.check(n, (ns.get(A_NETNS_RULES), ns.get(A_NETNS_OUTPUTS)) == (0, 0),
                          "%s: netns rules=%s outputs=%s, want 0 0" %
                          (why, ns.get(A_NETNS_RULES), ns.get(A_NETNS_OUTPUTS))) and ok

    def check_rule(self, n, rid, why):
        a = self.args
        want = [(rid, a.iif, GROUP, PORT, MCR_RULE_FLAGS_NOJOIN, sorted([a.oif, a.oif2]))]
        got = self.rules()
        ok = self.check(n, got == want, "%s: table %s, want %s" % (why, got, want))
        ns = self.netns_stats()
        return self.check(n, (ns.get(A_NETNS_RULES), ns.get(A_NETNS_OUTPUTS)) == (1, 2),
                          "%s: netns rules=%s outputs=%s, want 1 2" %
                          (why, ns.get(A_NETNS_RULES), ns.get(A_NETNS_OUTPUTS))) and ok

    def delete(self, rid):
        self.ctl_req(CMD_RULE_DEL, [nl_raw.u32(A_RULE_ID, rid)])
        got, seen = self.monitor_wait((CMD_RULE_DEL_NTF, rid))
        return got == (CMD_RULE_DEL_NTF, rid), seen

    # -- rule-new ----------------------------------------------------------

    def rule_new_one(self, n):
        """Returns (outcome, done)."""
        seq, msg = self.encode(CMD_RULE_NEW, self.rule_attrs())
        serr, left = self.faulted(n, msg)
        n_done = bool(left)
        if serr:
            outcome = "sendmsg failed (%s)" % errname(serr)
            self.check(n, serr in (errno.ENOBUFS, errno.ENOMEM),
                       "sendmsg: %s, want ENOBUFS or ENOMEM" % errname(serr))
            self.check_empty(n, outcome)
            pend = self.monitor_pending()
            self.check(n, not pend, "%s: the monitor got %s" % (outcome, pend))
            return outcome, n_done

        state, err, extack, replies = self.answer(seq)
        rid = None
        for r in replies:
            a = nl_raw.parse_attrs(r[4:])
            if A_RULE_ID in a:
                rid = struct.unpack("=I", a[A_RULE_ID][0][:4])[0]
        if state == "none":
            self.check(n, False, "no answer at all (no ack, no ENOBUFS)")
            for r in self.rules():
                self.delete(r[0])
            self.monitor_pending()
            return "no answer", n_done
        if state == "ack" and err:
            outcome = "error %s (%s)" % (errname(err), extack or "no extack")
            self.check(n, err == errno.ENOMEM, "%s: want ENOMEM" % outcome)
            self.check(n, extack in RULE_NEW_MSGS,
                       "%s: extack not one of %s" % (outcome, RULE_NEW_MSGS))
            self.check(n, rid is None, "%s: and a reply with id %s" % (outcome, rid))
            if not self.check_empty(n, outcome):
                for r in self.rules():
                    self.delete(r[0])
            pend = self.monitor_pending()
            self.check(n, not pend, "%s: the monitor got %s" % (outcome, pend))
            return outcome, n_done
        outcome = "added" if state == "ack" else "added, no ack (ENOBUFS)"
        if not self.check(n, rid is not None, "%s: no reply with the id" % outcome):
            rules = self.rules()
            rid = rules[0][0] if rules else None
        if rid is None:
            return outcome, n_done
        self.check_rule(n, rid, outcome)
        got, seen = self.monitor_wait((CMD_RULE_NEW_NTF, rid))
        self.check(n, not seen, "%s: the monitor got %s first" % (outcome, seen))
        if got == "ENOBUFS":
            outcome += ", the monitor got ENOBUFS"
            self.monitor_enobufs += 1
        elif got:
            outcome += ", notified"
        else:
            self.check(n, False, "%s: no notification and no ENOBUFS on the monitor" % outcome)
        deleted, seen = self.delete(rid)
        self.check(n, deleted, "no rule-del notification after the delete (got %s)" % seen)
        self.check_empty(n, "after the delete")
        return outcome, n_done

    # -- stats-reset -------------------------------------------------------

    def traffic(self, n):
        """A few packets to the rule (and one to no rule): every counter
        moves, so that a reset can be seen."""
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF,
                     socket.inet_aton(self.args.tx_addr))
        s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 8)
        for _ in range(3):
            s.sendto(b"x" * 100, (GROUP, PORT))
        s.sendto(b"y" * 100, ("239.14.0.2", PORT))
        s.close()
        # Counted, and settled: the outputs count after the rule does.
        end = time.monotonic() + DEADLINE
        last = None
        while time.monotonic() < end:
            c = self.counters()
            if (c == last and
                    sum(v for k, v in c.items() if k[1:] == ("rule", A_RULE_STATS_PACKETS)) >= 3 and
                    c.get(("netns", A_NETNS_NO_MATCH), 0) >= 1):
                return c
            last = c
            time.sleep(0.05)
        self.check(n, False, "set-up: the counters did not move, or not settle: %s" % c)
        return c

    def stats_reset_one(self, n):
        for r in self.rules():
            self.delete(r[0])
        replies = self.ctl_req(CMD_RULE_NEW, self.rule_attrs())
        rid = struct.unpack("=I", nl_raw.parse_attrs(replies[0][4:])[A_RULE_ID][0][:4])[0]
        before = self.traffic(n)
        self.monitor_pending()
        table = self.rules()
        if n == 1:
            print("# counters before a reset: %s" % sorted(before.items(), key=str))

        seq, msg = self.encode(CMD_STATS_RESET, [])
        serr, left = self.faulted(n, msg)
        n_done = bool(left)
        if serr:
            outcome = "sendmsg failed (%s)" % errname(serr)
            self.check(n, serr in (errno.ENOBUFS, errno.ENOMEM),
                       "sendmsg: %s, want ENOBUFS or ENOMEM" % errname(serr))
            reset = False
        else:
            state, err, extack, _ = self.answer(seq)
            if state == "none":
                self.check(n, False, "no answer at all (no ack, no ENOBUFS)")
                return "no answer", n_done
            if state == "ack" and err:
                outcome = "error %s (%s)" % (errname(err), extack or "no extack")
                self.check(n, err == errno.ENOMEM, "%s: want ENOMEM" % outcome)
                self.check(n, extack in RESET_MSGS,
                           "%s: extack not one of %s" % (outcome, RESET_MSGS))
                reset = False
            else:
                outcome = "reset" if state == "ack" else "reset, no ack (ENOBUFS)"
                reset = True
        after = self.counters()
        if reset:
            left = {k: v for k, v in after.items() if v}
            self.check(n, not left, "%s: counters not reset: %s" % (outcome, left))
        else:
            self.check(n, after == before, "%s: counters changed: %s -> %s" %
                       (outcome, before, after))
        self.check(n, self.rules() == table, "%s: the table changed" % outcome)
        self.check_rule(n, rid, outcome)
        return outcome, n_done

    # -- the sweep ---------------------------------------------------------

    def run(self, one):
        self.failnth = FailNth(self.args.dry_run)
        self.monitor_enobufs = 0
        outcomes = {}
        n = 0
        done = False
        while not done and n < MAX_N:
            n += 1
            outcome, done = one(n)
            if done:
                outcome = "fault not reached: " + outcome
            print("# n=%d: %s" % (n, outcome))
            if not done:
                outcomes[outcome] = outcomes.get(outcome, 0) + 1
        self.check(n, done, "the fault was still reached at n=%d" % MAX_N)
        print("# summary: %d fault sites" % (n - 1))
        for o, c in sorted(outcomes.items()):
            print("# summary: %3d x %s" % (c, o))
        return outcomes, n - 1


def u64s(nest):
    """The u64 attributes of a nest (pads, and anything else, left out)."""
    return {k: struct.unpack("=Q", v[0])[0]
            for k, v in nl_raw.parse_attrs(nest).items() if len(v[0]) == 8}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("what", choices=("rule-new", "stats-reset"))
    ap.add_argument("--iif", type=int, required=True)
    ap.add_argument("--oif", type=int, required=True)
    ap.add_argument("--oif2", type=int, required=True)
    ap.add_argument("--tx-addr")
    ap.add_argument("--dry-run", action="store_true",
                    help="no fault: check the helper on a kernel without fail-nth")
    args = ap.parse_args()

    sw = Sweep(args)
    if sw.rules():
        print("# FAIL the table is not empty at the start")
        return 1
    if args.dry_run:
        outcomes, sites = sw.run(sw.rule_new_one)
        outcomes, sites = sw.run(sw.stats_reset_one)
        for r in sw.rules():
            sw.delete(r[0])
        print("# dry run: %d failed expectations" % len(sw.fail))
        return 1 if sw.fail else 0
    if args.what == "rule-new":
        outcomes, sites = sw.run(sw.rule_new_one)
        print("# summary: the monitor got ENOBUFS %d times" % sw.monitor_enobufs)
        sw.check(0, sw.monitor_enobufs > 0,
                 "no n gave \"added, the monitor got ENOBUFS\"")
        sw.check(0, any(o.startswith("error ENOMEM (" + NOMEM_MSG) for o in outcomes),
                 "no n gave the module's ENOMEM extack")
    else:
        if not args.tx_addr:
            ap.error("stats-reset needs --tx-addr")
        outcomes, sites = sw.run(sw.stats_reset_one)
        sw.check(0, any(o.startswith("error ENOMEM (" + RESET_MSGS[0]) for o in outcomes),
                 "no n gave the module's ENOMEM extack")
        for r in sw.rules():
            sw.delete(r[0])
    sw.check(0, sites > 0, "no fault site at all")
    print("# %s: %d fault sites, %d failed expectations" % (args.what, sites, len(sw.fail)))
    return 1 if sw.fail else 0


if __name__ == "__main__":
    sys.exit(main())
