#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Raw generic netlink requests to the "mcr" family, malformed on purpose.

    nl_raw.py --iif IFINDEX --oif IFINDEX [--oif2 IFINDEX] [--gone DEV] [-v]

Run inside a network namespace where IFINDEX devices exist (the relay
namespace of bad_input.sh). Python 3 standard library only: the point is a
second, independent encoder that can write what mcr-nl never would.

First a well-formed rule-new must succeed (a positive control: it proves
the encoding below is right, so the rejections that follow mean something),
then each case of a table is sent and must fail with the expected errno and
an extended ack that names the attribute: either a message mentioning it,
or the offset of the offending attribute (NLMSGERR_ATTR_OFFS), or the
missing attribute's type (NLMSGERR_ATTR_MISS_TYPE). After every case the
rule table (a rule-get dump, counters left out) must be unchanged.

With --gone DEV (a device of the namespace that may be deleted), also
what the family tells: a named rule with outputs on --oif and twice on
DEV; its stats-get reply carries the name (rule-name); DEV is deleted,
and the monitor group's output-del notification carries the output on
--oif as output and the two on DEV as removed-output.

Prints "# ok ..." / "# FAIL ..." lines; exit status 0 if every case passed.
"""

import argparse
import errno
import os
import socket
import struct
import subprocess
import sys

NETLINK_GENERIC = 16
NETLINK_EXT_ACK = 11
NETLINK_CAP_ACK = 10
NLM_F_REQUEST = 0x1
NLM_F_ACK = 0x4
NLM_F_DUMP = 0x300
NLM_F_ACK_TLVS = 0x200
NLMSG_ERROR = 2
NLMSG_DONE = 3
NLA_F_NESTED = 0x8000

GENL_ID_CTRL = 0x10
CTRL_CMD_GETFAMILY = 3
CTRL_ATTR_FAMILY_ID = 1
CTRL_ATTR_FAMILY_NAME = 2
CTRL_ATTR_MCAST_GROUPS = 7
CTRL_ATTR_MCAST_GRP_NAME, CTRL_ATTR_MCAST_GRP_ID = 1, 2
SOL_NETLINK = 270
NETLINK_ADD_MEMBERSHIP = 1

NLMSGERR_ATTR_MSG = 1
NLMSGERR_ATTR_OFFS = 2
NLMSGERR_ATTR_MISS_TYPE = 5
NLMSGERR_ATTR_MISS_NEST = 6

# From include/uapi/linux/mcr.h (generated from the YNL spec).
CMD_RULE_NEW, CMD_RULE_DEL, CMD_RULE_GET, CMD_RULE_FLUSH, CMD_STATS_GET = 1, 2, 3, 4, 5
CMD_OUTPUT_DEL_NTF = 8
CMD_STATS_RESET = 9
(A_RULE_ID, A_RULE_NAME, A_RULE_FAMILY, A_RULE_IIF, A_RULE_GROUP, A_RULE_PORT,
 A_RULE_SOURCE, A_RULE_FLAGS, A_RULE_REPLACE, A_RULE_OUTPUT, A_RULE_STATS,
 A_RULE_OUTPUT_STATS, A_RULE_REMOVED_OUTPUT, A_RULE_GROUP_IPV6,
 A_RULE_SOURCE_IPV6) = range(1, 16)
A_RULE_MAX = A_RULE_SOURCE_IPV6
# The output set: configuration only, no counters.
(A_OUT_IFINDEX, A_OUT_GROUP, A_OUT_PORT, A_OUT_TTL, A_OUT_SOURCE,
 A_OUT_SOURCE_AUTO, A_OUT_GROUP_IPV6, A_OUT_SOURCE_IPV6) = range(1, 9)
A_OUT_MAX = A_OUT_SOURCE_IPV6
MCR_RULE_FLAGS_NOJOIN = 2
A_OUTPUT_STATS_PACKETS = 1
A_STATS_RULE_ID, A_STATS_OUTPUT, A_STATS_IIF, A_STATS_RULE_NAME = 2, 4, 5, 6
A_STATS_OUTPUT_IFINDEX, A_STATS_OUTPUT_STATS = 1, 2

AF_INET = 2
AF_INET6 = 10


class Attr:
    """One netlink attribute; `mark` flags the one a case expects blamed."""

    def __init__(self, atype, payload=b"", nested=None, mark=False, flags=0,
                 raw_len=None):
        self.atype = atype
        self.payload = payload
        self.nested = nested
        self.mark = mark
        self.flags = flags
        self.raw_len = raw_len  # lie about nla_len (None: the true length)

    def encode(self, base, marks):
        """Encode at absolute offset `base`; record marked offsets."""
        if self.mark:
            marks.append(base)
        if self.nested is not None:
            body = b""
            for a in self.nested:
                body += a.encode(base + 4 + len(body), marks)
            flags = self.flags | NLA_F_NESTED
        else:
            body = self.payload
            flags = self.flags
        length = 4 + len(body) if self.raw_len is None else self.raw_len
        data = struct.pack("=HH", length, self.atype | flags) + body
        return data + b"\0" * ((4 - len(data) % 4) % 4)


def u8(t, v, **kw):
    return Attr(t, struct.pack("=B", v), **kw)


def u16(t, v, **kw):
    return Attr(t, struct.pack("=H", v), **kw)


def be16(t, v, **kw):
    return Attr(t, struct.pack("!H", v), **kw)


def u32(t, v, **kw):
    return Attr(t, struct.pack("=I", v), **kw)


def u64(t, v, **kw):
    return Attr(t, struct.pack("=Q", v), **kw)


def addr(t, a, **kw):
    return Attr(t, socket.inet_aton(a), **kw)


def addr6(t, a, **kw):
    return Attr(t, socket.inet_pton(socket.AF_INET6, a), **kw)


def flag(t, **kw):
    return Attr(t, b"", **kw)


def string(t, s, **kw):
    return Attr(t, s.encode() + b"\0", **kw)


def nest(t, attrs, **kw):
    return Attr(t, nested=attrs, **kw)


class Genl:
    def __init__(self):
        self.sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_GENERIC)
        self.sock.setsockopt(270, NETLINK_EXT_ACK, 1)   # SOL_NETLINK
        self.sock.setsockopt(270, NETLINK_CAP_ACK, 1)
        self.sock.bind((0, 0))
        self.seq = 1000
        self.family = None

    def send(self, msg_type, cmd, attrs, flags=NLM_F_REQUEST | NLM_F_ACK,
             extra=b"", version=1):
        """Sends one request; returns (sequence, {offsets of marked attrs})."""
        self.seq += 1
        marks = []
        body = b""
        for a in attrs:
            body += a.encode(16 + 4 + len(body), marks)
        body += extra
        hdr = struct.pack("=IHHII", 16 + 4 + len(body), msg_type, flags, self.seq, 0)
        self.sock.send(hdr + struct.pack("=BBH", cmd, version, 0) + body)
        return self.seq, marks

    def recv_msgs(self):
        data = self.sock.recv(1 << 20)
        msgs = []
        off = 0
        while off + 16 <= len(data):
            length, mtype, mflags, seq, _pid = struct.unpack_from("=IHHII", data, off)
            msgs.append((mtype, mflags, seq, data[off + 16:off + length]))
            off += (length + 3) & ~3
        return msgs

    def request(self, msg_type, cmd, attrs, **kw):
        """Returns (errno or 0, ext-ack dict, reply payloads, marks)."""
        seq, marks = self.send(msg_type, cmd, attrs, **kw)
        replies = []
        while True:
            for mtype, mflags, mseq, payload in self.recv_msgs():
                if mseq != seq:
                    continue
                if mtype == NLMSG_ERROR:
                    err = -struct.unpack_from("=i", payload)[0]
                    ack = {}
                    if mflags & NLM_F_ACK_TLVS:
                        # error (4) + the request's header (16, CAP_ACK)
                        ack = parse_attrs(payload[20:])
                    return err, decode_ack(ack), replies, marks
                if mtype == NLMSG_DONE:
                    # A dump that fails says so in its DONE message.
                    err = -struct.unpack_from("=i", payload)[0] if len(payload) >= 4 else 0
                    ack = parse_attrs(payload[4:]) if mflags & NLM_F_ACK_TLVS else {}
                    return err, decode_ack(ack), replies, marks
                replies.append(payload)

    def resolve(self, name):
        err, ack, replies, _ = self.request(
            GENL_ID_CTRL, CTRL_CMD_GETFAMILY, [string(CTRL_ATTR_FAMILY_NAME, name)])
        if err or not replies:
            raise OSError(err, "family %s: %s %s" % (name, os.strerror(err), ack))
        attrs = parse_attrs(replies[0][4:])
        self.family = struct.unpack("=H", attrs[CTRL_ATTR_FAMILY_ID][0][:2])[0]
        self.groups = {}
        for groups in attrs.get(CTRL_ATTR_MCAST_GROUPS, []):
            for grp in parse_attrs(groups).values():
                g = parse_attrs(grp[0])
                self.groups[g[CTRL_ATTR_MCAST_GRP_NAME][0].rstrip(b"\0").decode()] = \
                    struct.unpack("=I", g[CTRL_ATTR_MCAST_GRP_ID][0][:4])[0]
        return self.family

    def mcr(self, cmd, attrs, **kw):
        return self.request(self.family, cmd, attrs, **kw)

    def table(self):
        """The rule table as a sorted list of raw rules without counters."""
        err, ack, replies, _ = self.mcr(CMD_RULE_GET, [],
                                        flags=NLM_F_REQUEST | NLM_F_ACK | NLM_F_DUMP)
        if err:
            raise OSError(err, "rule dump failed: %s" % ack)
        rules = []
        for r in replies:
            attrs = parse_attrs(r[4:])
            attrs.pop(A_RULE_STATS, None)
            attrs.pop(A_RULE_OUTPUT_STATS, None)
            outs = []
            for o in attrs.pop(A_RULE_OUTPUT, []):
                oa = parse_attrs(o)
                outs.append(sorted((k, v) for k, v in oa.items()))
            rules.append((sorted(attrs.items()), outs))
        return sorted(rules)


def parse_attrs(data):
    """{type: [payload, ...]} of a run of attributes (flags stripped)."""
    attrs = {}
    off = 0
    while off + 4 <= len(data):
        length, atype = struct.unpack_from("=HH", data, off)
        if length < 4:
            break
        attrs.setdefault(atype & 0x3fff, []).append(data[off + 4:off + length])
        off += (length + 3) & ~3
    return attrs


def decode_ack(tlvs):
    ack = {}
    if NLMSGERR_ATTR_MSG in tlvs:
        ack["msg"] = tlvs[NLMSGERR_ATTR_MSG][0].rstrip(b"\0").decode(errors="replace")
    if NLMSGERR_ATTR_OFFS in tlvs:
        ack["offs"] = struct.unpack("=I", tlvs[NLMSGERR_ATTR_OFFS][0][:4])[0]
    if NLMSGERR_ATTR_MISS_TYPE in tlvs:
        ack["miss_type"] = struct.unpack("=I", tlvs[NLMSGERR_ATTR_MISS_TYPE][0][:4])[0]
    if NLMSGERR_ATTR_MISS_NEST in tlvs:
        ack["miss_nest"] = struct.unpack("=I", tlvs[NLMSGERR_ATTR_MISS_NEST][0][:4])[0]
    return ack


def ifindexes(outputs):
    """The ifindex of each output nest, in order."""
    return [struct.unpack("=I", parse_attrs(o)[A_OUT_IFINDEX][0][:4])[0]
            for o in outputs]


def check_removed_outputs(nl, iif, oif, gone):
    """Stats name a named rule; output-del names the outputs that left."""
    problems = []
    gone_index = socket.if_nametoindex(gone)
    mon = Genl()
    mon.family = nl.family
    mon.sock.setsockopt(SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, nl.groups["monitor"])
    mon.sock.settimeout(30)
    outs = [nest(A_RULE_OUTPUT, [u32(A_OUT_IFINDEX, oif)]),
            nest(A_RULE_OUTPUT, [u32(A_OUT_IFINDEX, gone_index)]),
            nest(A_RULE_OUTPUT, [u32(A_OUT_IFINDEX, gone_index), be16(A_OUT_PORT, 4001)])]
    err, ack, replies, _ = nl.mcr(CMD_RULE_NEW, [
        u16(A_RULE_FAMILY, AF_INET), u32(A_RULE_IIF, iif), addr(A_RULE_GROUP, "239.8.0.77"),
        string(A_RULE_NAME, "raw-named")] + outs)
    if err:
        return ["rule-new: %s %s" % (errno.errorcode.get(err, err), ack)]
    rid = struct.unpack("=I", parse_attrs(replies[0][4:])[A_RULE_ID][0][:4])[0]

    err, ack, replies, _ = nl.mcr(CMD_STATS_GET, [u32(A_STATS_RULE_ID, rid)])
    names = parse_attrs(replies[0][4:]).get(A_STATS_RULE_NAME) if replies else None
    if err or names != [b"raw-named\0"]:
        problems.append("stats-get: rule-name %s, want raw-named (%s)" % (names, err))

    subprocess.run(["ip", "link", "del", gone], check=True)
    ntf = None
    try:
        while ntf is None:
            for _t, _f, _s, payload in mon.recv_msgs():
                attrs = parse_attrs(payload[4:])
                if payload[0] == CMD_OUTPUT_DEL_NTF and \
                   attrs.get(A_RULE_ID) == [struct.pack("=I", rid)]:
                    ntf = attrs
    except socket.timeout:
        problems.append("no output-del notification for rule %d" % rid)
    if ntf is not None:
        left = ifindexes(ntf.get(A_RULE_OUTPUT, []))
        removed = ifindexes(ntf.get(A_RULE_REMOVED_OUTPUT, []))
        ports = [parse_attrs(o).get(A_OUT_PORT) for o in ntf.get(A_RULE_REMOVED_OUTPUT, [])]
        if left != [oif]:
            problems.append("output-del: outputs %s, want [%d]" % (left, oif))
        if removed != [gone_index, gone_index] or ports != [None, [struct.pack(">H", 4001)]]:
            problems.append("output-del: removed-output %s ports %s, want [%d, %d] "
                            "ports [None, 4001]" % (removed, ports, gone_index, gone_index))
    err, ack, _, _ = nl.mcr(CMD_RULE_DEL, [u32(A_RULE_ID, rid)])
    if err:
        problems.append("rule-del: %s %s" % (errno.errorcode.get(err, err), ack))
    return problems


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--iif", type=int, required=True)
    ap.add_argument("--oif", type=int, required=True)
    ap.add_argument("--oif2", type=int)
    ap.add_argument("--gone", help="a device that may be deleted")
    ap.add_argument("-v", action="store_true")
    args = ap.parse_args()

    nl = Genl()
    try:
        nl.resolve("mcr")
    except OSError as e:
        print("# FAIL resolve family mcr: %s" % e)
        return 1
    print("# family mcr has id %d" % nl.family)

    G = "239.8.0.1"
    G6 = "ff3e::8:1"

    def key(skip=(), **over):
        """The match key attributes; over replaces one, skip drops some."""
        base = {
            "family": u16(A_RULE_FAMILY, AF_INET),
            "iif": u32(A_RULE_IIF, args.iif),
            "group": addr(A_RULE_GROUP, G),
            "port": be16(A_RULE_PORT, 4000),
        }
        base.update(over)
        return [v for k, v in base.items() if k not in skip]

    def key6(skip=(), **over):
        """The match key of an IPv6 rule, as key() makes an IPv4 one."""
        base = {
            "family": u16(A_RULE_FAMILY, AF_INET6),
            "iif": u32(A_RULE_IIF, args.iif),
            "group": addr6(A_RULE_GROUP_IPV6, G6),
            "port": be16(A_RULE_PORT, 4000),
        }
        base.update(over)
        return [v for k, v in base.items() if k not in skip]

    def out(*extra, oif=None, skip_ifindex=False, **kw):
        inner = [] if skip_ifindex else [u32(A_OUT_IFINDEX, oif or args.oif)]
        return nest(A_RULE_OUTPUT, inner + list(extra), **kw)

    failures = 0

    # Positive control: the encoder works.
    err, ack, replies, _ = nl.mcr(CMD_RULE_NEW, key() + [out()])
    if err:
        print("# FAIL positive control: well-formed rule-new failed: %s %s"
              % (errno.errorcode.get(err, err), ack))
        return 1
    rid = struct.unpack("=I", parse_attrs(replies[0][4:])[A_RULE_ID][0][:4])[0] if replies else None
    print("# ok positive control: rule-new accepted (id %s)" % rid)
    err, ack, replies, _ = nl.mcr(CMD_RULE_NEW, key6() + [out()])
    if err:
        print("# FAIL positive control: well-formed IPv6 rule-new failed: %s %s"
              % (errno.errorcode.get(err, err), ack))
        return 1
    rid6 = struct.unpack("=I", parse_attrs(replies[0][4:])[A_RULE_ID][0][:4])[0]
    print("# ok positive control: IPv6 rule-new accepted (id %s)" % rid6)
    # Keep it: duplicates and deletes below need an existing rule.

    E = errno
    # name, cmd, attrs, errno, what names the attribute:
    #   "msg:WORD" (message contains WORD), "offs" (offset of the marked
    #   attribute), "miss:TYPE" (missing attribute type); any one of them
    #   is enough. One prefixed with "!" must hold, whatever the others;
    #   "!msg=TEXT" wants the message TEXT exactly.
    cases = [
        # GENL_REQ_ATTR_CHECK() names a missing attribute by type only.
        ("missing family", CMD_RULE_NEW, key(skip=("family",)) + [out()],
         E.EINVAL, ["miss:%d" % A_RULE_FAMILY]),
        ("missing iif", CMD_RULE_NEW, key(skip=("iif",)) + [out()],
         E.EINVAL, ["miss:%d" % A_RULE_IIF]),
        ("missing group", CMD_RULE_NEW, key(skip=("group",)) + [out()],
         E.EINVAL, ["miss:%d" % A_RULE_GROUP]),
        ("no output", CMD_RULE_NEW, key(port=be16(A_RULE_PORT, 4001)),
         E.EINVAL, ["msg:output", "miss:%d" % A_RULE_OUTPUT]),
        ("output without ifindex", CMD_RULE_NEW,
         key(port=be16(A_RULE_PORT, 4002)) + [out(u8(A_OUT_TTL, 3), skip_ifindex=True)],
         E.EINVAL, ["miss:%d" % A_OUT_IFINDEX]),
        # A rule is all IPv4 or all IPv6.
        ("family AF_INET6 with an IPv4 group", CMD_RULE_NEW,
         key(family=u16(A_RULE_FAMILY, AF_INET6),
             group=addr(A_RULE_GROUP, G, mark=True)) + [out()],
         E.EINVAL, ["!msg:IPv4 address in an AF_INET6 rule", "offs"]),
        ("family AF_INET with an IPv6 group", CMD_RULE_NEW,
         key(group=addr6(A_RULE_GROUP_IPV6, G6, mark=True)) + [out()],
         E.EINVAL, ["!msg:IPv6 address in an AF_INET rule", "offs"]),
        ("family AF_INET with an IPv6 source", CMD_RULE_NEW,
         key(port=be16(A_RULE_PORT, 4030)) +
         [addr6(A_RULE_SOURCE_IPV6, "2001:db8::1", mark=True), out()],
         E.EINVAL, ["!msg:IPv6 address in an AF_INET rule", "offs"]),
        ("family AF_INET6 with an IPv4 output group", CMD_RULE_NEW,
         key6() + [out(addr(A_OUT_GROUP, "239.8.0.2", mark=True))],
         E.EINVAL, ["!msg:IPv4 address in an AF_INET6 rule", "offs"]),
        ("family AF_INET6 with an IPv4 output source", CMD_RULE_NEW,
         key6() + [out(addr(A_OUT_SOURCE, "10.0.0.9", mark=True))],
         E.EINVAL, ["!msg:IPv4 address in an AF_INET6 rule", "offs"]),
        ("family AF_INET with an IPv6 output group", CMD_RULE_NEW,
         key(port=be16(A_RULE_PORT, 4031)) +
         [out(addr6(A_OUT_GROUP_IPV6, G6, mark=True))],
         E.EINVAL, ["!msg:IPv6 address in an AF_INET rule", "offs"]),
        ("missing group-ipv6", CMD_RULE_NEW,
         key6(skip=("group",)) + [out()],
         E.EINVAL, ["miss:%d" % A_RULE_GROUP_IPV6]),
        ("4-byte group-ipv6", CMD_RULE_NEW,
         key6(group=Attr(A_RULE_GROUP_IPV6, b"\xff\x3e\x00\x01", mark=True)) + [out()],
         E.ERANGE, ["offs"]),
        ("group-ipv6 ::", CMD_RULE_NEW,
         key6(group=addr6(A_RULE_GROUP_IPV6, "::", mark=True)) + [out()],
         E.EINVAL, ["msg:group", "offs"]),
        ("group-ipv6 ::1", CMD_RULE_NEW,
         key6(group=addr6(A_RULE_GROUP_IPV6, "::1", mark=True)) + [out()],
         E.EINVAL, ["msg:group", "offs"]),
        ("group-ipv6 interface-local ff01::1", CMD_RULE_NEW,
         key6(group=addr6(A_RULE_GROUP_IPV6, "ff01::1", mark=True)) + [out()],
         E.EINVAL, ["msg:group", "offs"]),
        ("group-ipv6 IPv4-mapped", CMD_RULE_NEW,
         key6(group=addr6(A_RULE_GROUP_IPV6, "::ffff:239.8.0.1", mark=True)) + [out()],
         E.EINVAL, ["msg:group", "offs"]),
        ("multicast source-ipv6", CMD_RULE_NEW,
         key6() + [addr6(A_RULE_SOURCE_IPV6, "ff3e::9", mark=True),
                   u32(A_RULE_FLAGS, MCR_RULE_FLAGS_NOJOIN), out()],
         E.EINVAL, ["msg:source", "offs"]),
        ("output group-ipv6 ::", CMD_RULE_NEW,
         key6() + [out(addr6(A_OUT_GROUP_IPV6, "::", mark=True))],
         E.EINVAL, ["msg:group", "offs"]),
        ("output source-ipv6 multicast", CMD_RULE_NEW,
         key6() + [out(addr6(A_OUT_SOURCE_IPV6, "ff3e::9", mark=True))],
         E.EINVAL, ["msg:source", "offs"]),
        ("duplicate IPv6 key without replace", CMD_RULE_NEW, key6() + [out()],
         E.EEXIST, ["msg:exist"]),
        ("family 0", CMD_RULE_NEW,
         key(family=u16(A_RULE_FAMILY, 0, mark=True)) + [out()],
         E.EAFNOSUPPORT, ["msg:family", "offs"]),
        ("iif as u16", CMD_RULE_NEW,
         key(iif=u16(A_RULE_IIF, args.iif, mark=True)) + [out()],
         E.EINVAL, ["offs"]),
        ("family as u32", CMD_RULE_NEW,
         key(family=u32(A_RULE_FAMILY, AF_INET, mark=True)) + [out()],
         E.EINVAL, ["offs"]),
        ("3-byte group", CMD_RULE_NEW,
         key(group=Attr(A_RULE_GROUP, b"\xef\x08\x00", mark=True)) + [out()],
         E.EINVAL, ["offs"]),
        ("port as u32", CMD_RULE_NEW,
         key(port=u32(A_RULE_PORT, 4003, mark=True)) + [out()],
         E.EINVAL, ["offs"]),
        ("iif 0", CMD_RULE_NEW,
         key(iif=u32(A_RULE_IIF, 0, mark=True)) + [out()],
         E.ERANGE, ["offs"]),
        ("output ttl 0", CMD_RULE_NEW,
         key(port=be16(A_RULE_PORT, 4004)) + [out(u8(A_OUT_TTL, 0, mark=True))],
         E.ERANGE, ["offs"]),
        ("output ttl as u32", CMD_RULE_NEW,
         key(port=be16(A_RULE_PORT, 4005)) + [out(u32(A_OUT_TTL, 5, mark=True))],
         E.EINVAL, ["offs"]),
        ("output ifindex 0", CMD_RULE_NEW,
         key(port=be16(A_RULE_PORT, 4006)) + [nest(A_RULE_OUTPUT, [u32(A_OUT_IFINDEX, 0, mark=True)])],
         E.ERANGE, ["offs"]),
        ("unknown flags bit", CMD_RULE_NEW,
         key(port=be16(A_RULE_PORT, 4007)) + [u32(A_RULE_FLAGS, 0x80, mark=True), out()],
         E.EINVAL, ["offs"]),
        ("unknown attribute type (beyond max)", CMD_RULE_NEW,
         key(port=be16(A_RULE_PORT, 4008)) + [u32(A_RULE_MAX + 1, 1, mark=True), out()],
         E.EINVAL, ["offs"]),
        ("attribute not in the op's policy (id in rule-new)", CMD_RULE_NEW,
         key(port=be16(A_RULE_PORT, 4009)) + [u32(A_RULE_ID, 7, mark=True), out()],
         E.EINVAL, ["offs"]),
        ("stats given in rule-new", CMD_RULE_NEW,
         key(port=be16(A_RULE_PORT, 4010)) + [nest(A_RULE_STATS, [], mark=True), out()],
         E.EINVAL, ["offs"]),
        ("unknown attribute in output", CMD_RULE_NEW,
         key(port=be16(A_RULE_PORT, 4011)) + [out(u32(A_OUT_MAX + 1, 1, mark=True))],
         E.EINVAL, ["offs"]),
        # The output set holds configuration only: counters in a request's
        # output nest (where replies carried them before output-stats) are
        # refused by the policy, genetlink's strict validation of nests.
        ("counters in an output nest, refused by the policy", CMD_RULE_NEW,
         key(port=be16(A_RULE_PORT, 4012)) +
         [out(nest(A_OUT_MAX + 1, [u64(A_OUTPUT_STATS_PACKETS, 1)], mark=True))],
         E.EINVAL, ["!msg=Unknown attribute type", "!offs"]),
        ("output-stats given in rule-new", CMD_RULE_NEW,
         key(port=be16(A_RULE_PORT, 4024)) +
         [out(), nest(A_RULE_OUTPUT_STATS, [u64(A_OUTPUT_STATS_PACKETS, 1)], mark=True)],
         E.EINVAL, ["msg=Unsupported attribute", "msg=Unknown attribute type", "!offs"]),
        ("output nest without NLA_F_NESTED", CMD_RULE_NEW,
         key(port=be16(A_RULE_PORT, 4013)) +
         [Attr(A_RULE_OUTPUT, struct.pack("=HHI", 8, A_OUT_IFINDEX, args.oif), mark=True)],
         E.EINVAL, ["offs"]),
        ("name too long", CMD_RULE_NEW,
         key(port=be16(A_RULE_PORT, 4014)) + [string(A_RULE_NAME, "n" * 40, mark=True), out()],
         E.EINVAL, ["offs"]),
        ("name not NUL-terminated", CMD_RULE_NEW,
         key(port=be16(A_RULE_PORT, 4015)) + [Attr(A_RULE_NAME, b"abcd", mark=True), out()],
         E.EINVAL, ["offs"]),
        # Names are for people: printable UTF-8 only.
        ] + [
        ("name %s" % what, CMD_RULE_NEW,
         key(port=be16(A_RULE_PORT, 4016)) + [Attr(A_RULE_NAME, raw + b"\0", mark=True), out()],
         E.EINVAL, ["!msg:name", "offs"])
        for what, raw in (("with an escape byte", b"a\x1b[2J"),
                          ("with a C1 control", b"a\xc2\x85"),
                          ("not UTF-8", b"a\xff"),
                          ("in an overlong form", b"\xc0\xaf"),
                          ("with a surrogate", b"\xed\xa0\x80"),
                          ("with a truncated sequence", b"ab\xe2\x82"))
        ] + [
        ("replace flag with payload", CMD_RULE_NEW,
         key() + [Attr(A_RULE_REPLACE, b"\x01\x00\x00\x00", mark=True), out()],
         E.ERANGE, ["offs"]),
        ("truncated attribute (leftover bytes)", CMD_RULE_NEW,
         key(port=be16(A_RULE_PORT, 4016)) + [out()], E.EINVAL, ["msg:leftover"]),
        ("attribute length beyond the message", CMD_RULE_NEW,
         key(port=be16(A_RULE_PORT, 4017)) + [Attr(A_RULE_SOURCE, b"\x0a\0\0\x01", raw_len=200)],
         E.EINVAL, []),
        ("unknown iif", CMD_RULE_NEW,
         key(iif=u32(A_RULE_IIF, 999999, mark=True)) + [out()],
         E.ENODEV, ["msg:iif", "offs"]),
        ("unknown oif", CMD_RULE_NEW,
         key(port=be16(A_RULE_PORT, 4018)) + [out(oif=999999)],
         E.ENODEV, ["msg:ifindex"]),
        ("self-loop (oif == iif)", CMD_RULE_NEW,
         key(port=be16(A_RULE_PORT, 4019)) + [out(oif=args.iif)],
         E.EINVAL, ["msg:ifindex"]),
        ("group 0.0.0.0", CMD_RULE_NEW,
         key(group=addr(A_RULE_GROUP, "0.0.0.0", mark=True)) + [out()],
         E.EINVAL, ["msg:group", "offs"]),
        ("group 255.255.255.255", CMD_RULE_NEW,
         key(group=addr(A_RULE_GROUP, "255.255.255.255", mark=True)) + [out()],
         E.EINVAL, ["msg:group", "offs"]),
        ("multicast source", CMD_RULE_NEW,
         key(port=be16(A_RULE_PORT, 4020)) + [addr(A_RULE_SOURCE, "239.1.1.1", mark=True), out()],
         E.EINVAL, ["msg:source", "offs"]),
        ("output source and source-auto", CMD_RULE_NEW,
         key(port=be16(A_RULE_PORT, 4021)) +
         [out(flag(A_OUT_SOURCE_AUTO), addr(A_OUT_SOURCE, "10.0.0.9", mark=True))],
         E.EINVAL, ["msg:source", "offs"]),
        ("duplicate output", CMD_RULE_NEW,
         key(port=be16(A_RULE_PORT, 4022)) + [out(), out()],
         E.EINVAL, ["msg:output"]),
        ("duplicate output after the port rewrite", CMD_RULE_NEW,
         key(port=be16(A_RULE_PORT, 4023)) +
         [out(), out(be16(A_OUT_PORT, 4023), mark=True)],
         E.EINVAL, ["msg:output", "offs"]),
        ("duplicate key without replace", CMD_RULE_NEW, key() + [out()],
         E.EEXIST, ["msg:exist"]),
        ("rule-del id 0", CMD_RULE_DEL, [u32(A_RULE_ID, 0, mark=True)],
         E.ERANGE, ["offs"]),
        ("rule-del missing id", CMD_RULE_DEL, [u32(A_RULE_ID, 999999, mark=True)],
         E.ENOENT, ["msg:id", "offs"]),
        ("rule-del missing key", CMD_RULE_DEL, key(port=be16(A_RULE_PORT, 4999)),
         E.ENOENT, ["msg:key"]),
        ("rule-del nothing", CMD_RULE_DEL, [], E.EINVAL, ["msg:"]),
        ("rule-del id as u16", CMD_RULE_DEL, [u16(A_RULE_ID, 1, mark=True)],
         E.EINVAL, ["offs"]),
        ("rule-get missing id", CMD_RULE_GET, [u32(A_RULE_ID, 999999, mark=True)],
         E.ENOENT, ["msg:id", "offs"]),
        ("rule-get with a dump's iif", CMD_RULE_GET,
         [u32(A_RULE_ID, 1), u32(A_RULE_IIF, args.iif, mark=True)],
         E.EINVAL, ["msg:iif", "offs"]),
        ("rule-get dump of an unknown iif", CMD_RULE_GET,
         [u32(A_RULE_IIF, 999999, mark=True)], E.ENODEV, ["msg:iif"], NLM_F_DUMP),
        ("rule-get dump of an unknown id", CMD_RULE_GET,
         [u32(A_RULE_ID, 999999, mark=True)], E.ENOENT, ["msg:id"], NLM_F_DUMP),
        ("stats-get dump of an unknown iif", CMD_STATS_GET,
         [u32(A_STATS_IIF, 999999, mark=True)], E.ENODEV, ["msg:iif"], NLM_F_DUMP),
        ("stats-get with a dump's iif", CMD_STATS_GET,
         [u32(A_STATS_IIF, args.iif, mark=True)], E.EINVAL, ["msg:iif", "offs"]),
        ("stats-reset rule-id 0", CMD_STATS_RESET, [u32(A_STATS_RULE_ID, 0, mark=True)],
         E.ERANGE, ["offs"]),
        ("stats-reset missing rule", CMD_STATS_RESET,
         [u32(A_STATS_RULE_ID, 999999, mark=True)], E.ENOENT, ["msg:rule-id", "offs"]),
        ("rule-get unknown attribute", CMD_RULE_GET, [u32(A_RULE_GROUP, 1, mark=True)],
         E.EINVAL, ["offs"]),
        ("rule-flush unknown iif", CMD_RULE_FLUSH, [u32(A_RULE_IIF, 999999, mark=True)],
         E.ENODEV, ["msg:iif", "offs"]),
        ("stats-get rule-id 0", CMD_STATS_GET, [u32(A_STATS_RULE_ID, 0, mark=True)],
         E.ERANGE, ["offs"]),
        ("stats-get missing rule", CMD_STATS_GET, [u32(A_STATS_RULE_ID, 999999, mark=True)],
         E.ENOENT, ["msg:", "offs"]),
        ("unknown command", 99, [], E.EOPNOTSUPP, []),
        ("notification command sent as a request", 6, key() + [out()], E.EOPNOTSUPP, []),
    ]

    before = nl.table()
    for name, cmd, attrs, want_err, names, *dump in cases:
        extra = b"\x01\x02" if "leftover" in name else b""
        flags = NLM_F_REQUEST | NLM_F_ACK | (dump[0] if dump else 0)
        err, ack, _, marks = nl.mcr(cmd, attrs, extra=extra, flags=flags)
        problems = []
        if err != want_err:
            problems.append("errno %s, want %s" % (errno.errorcode.get(err, err),
                                                   errno.errorcode[want_err]))
        missing_only = names and all(n.startswith("miss:") for n in names)
        if want_err != E.EOPNOTSUPP and not missing_only and "msg" not in ack:
            problems.append("no extack message")
        def holds(n):
            if n.startswith("msg:"):
                return n[4:].lower() in ack.get("msg", "").lower()
            if n.startswith("msg="):
                return ack.get("msg") == n[4:]
            if n == "offs":
                return bool(marks) and ack.get("offs") == marks[0]
            if n.startswith("miss:"):
                return ack.get("miss_type") == int(n[5:])
            raise ValueError("case %s: unknown check %s" % (name, n))

        # Any one of the listed ways of naming the attribute is enough.
        anyof = [n for n in names if not n.startswith("!")]
        if anyof and not any(holds(n) for n in anyof):
            problems.append("extack does not name the attribute (want %s)" % " or ".join(anyof))
        for n in names:
            if n.startswith("!") and not holds(n[1:]):
                problems.append("extack: want %s" % n[1:])
        after = nl.table()
        if after != before:
            problems.append("rule table changed")
            before = after
        desc = "%s: errno=%s ack=%s" % (name, errno.errorcode.get(err, err), ack)
        if problems:
            failures += 1
            print("# FAIL %s: %s" % (desc, "; ".join(problems)))
        else:
            print("# ok %s" % desc)

    # Clean up the control rules: the IPv6 one by its key.
    err, ack, _, _ = nl.mcr(CMD_RULE_DEL, [u32(A_RULE_ID, rid)]) if rid else (1, {}, [], [])
    if err:
        print("# FAIL deleting the control rule: %s %s" % (errno.errorcode.get(err, err), ack))
        failures += 1
    err, ack, _, _ = nl.mcr(CMD_RULE_DEL, key6())
    if err:
        print("# FAIL deleting the IPv6 control rule by key: %s %s"
              % (errno.errorcode.get(err, err), ack))
        failures += 1
    print("# %d of %d raw cases failed" % (failures, len(cases)))
    if args.gone:
        problems = check_removed_outputs(nl, args.iif, args.oif, args.gone)
        for p in problems:
            print("# FAIL %s" % p)
        if not problems:
            print("# ok stats-get names the rule; output-del names the removed outputs")
        failures += bool(problems)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
