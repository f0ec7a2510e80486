#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Add one rule from inside a memory cgroup, joined just for the request.

    nl_memcg.py --procs-fd FD --leave-fd FD2 --iif IFINDEX --oif IFINDEX
                --group G --outputs N

FD is the cgroup's cgroup.procs, FD2 that of the cgroup to go back to,
both opened for writing by the caller (inside the namespace, "ip netns
exec" has mounted a /sys without cgroups).

Everything the request needs from this process (the socket, the encoded
message, the receive buffer) is made first; only then does the process
move into the cgroup, so that what is charged there is what the kernel
allocates for the request, and the cgroup's limit refuses the rule, not
this process's own next page. It leaves as soon as the reply is in, before
it makes anything more (the pipe page its output needs, charged at the
limit, once got it OOM-killed). Prints "errno=NAME msg=TEXT" (errno=0 on
success). Run inside the relay namespace of memcg_limit.sh.
"""

import argparse
import errno
import os
import struct
import sys

import nl_raw


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--procs-fd", type=int, required=True)
    ap.add_argument("--leave-fd", type=int, required=True)
    ap.add_argument("--iif", type=int, required=True)
    ap.add_argument("--oif", type=int, required=True)
    ap.add_argument("--group", required=True)
    ap.add_argument("--outputs", type=int, required=True)
    a = ap.parse_args()

    nl = nl_raw.Genl()
    nl.resolve("mcr")
    attrs = [nl_raw.u16(nl_raw.A_RULE_FAMILY, nl_raw.AF_INET),
             nl_raw.u32(nl_raw.A_RULE_IIF, a.iif),
             nl_raw.addr(nl_raw.A_RULE_GROUP, a.group)]
    attrs += [nl_raw.nest(nl_raw.A_RULE_OUTPUT,
                          [nl_raw.u32(nl_raw.A_OUT_IFINDEX, a.oif),
                           nl_raw.be16(nl_raw.A_OUT_PORT, port)])
              for port in range(1, a.outputs + 1)]
    body = b"".join(attr.encode(20, []) for attr in attrs)
    seq = 4242
    msg = (struct.pack("=IHHII", 20 + len(body), nl.family,
                       nl_raw.NLM_F_REQUEST | nl_raw.NLM_F_ACK, seq, 0) +
           struct.pack("=BBH", nl_raw.CMD_RULE_NEW, 1, 0) + body)
    buf = bytearray(1 << 16)
    pid = str(os.getpid()).encode()

    os.write(a.procs_fd, pid)
    nl.sock.send(msg)
    n = nl.sock.recv_into(buf)
    os.write(a.leave_fd, pid)
    while True:
        off = 0
        while off + 16 <= n:
            length, mtype, mflags, mseq, _ = struct.unpack_from("=IHHII", buf, off)
            if mtype == nl_raw.NLMSG_ERROR and mseq == seq:
                err = -struct.unpack_from("=i", buf, off + 16)[0]
                ack = {}
                if mflags & nl_raw.NLM_F_ACK_TLVS:
                    ack = nl_raw.decode_ack(
                        nl_raw.parse_attrs(bytes(buf[off + 36:off + length])))
                print("errno=%s msg=%s" % (errno.errorcode.get(err, err) if err else 0,
                                           ack.get("msg", "")))
                return 0
            off += (length + 3) & ~3
        n = nl.sock.recv_into(buf)


if __name__ == "__main__":
    sys.exit(main())
