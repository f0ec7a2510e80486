#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""
msg.c decodes the kernel's replies with nla_policy tables written by hand
from Documentation/netlink/specs/mcr.yaml.  Check that they agree: every
attribute set of the spec has a policy table named after it, every
attribute (pad aside) is in that table under its UAPI name, nothing else
is, and each has the type the spec gives it.

Usage: spec_check.py SPEC.yaml msg.c
Prints "ok" lines, or "not ok" lines naming each disagreement; exits 1
on any.
"""
import re
import sys

try:
    import yaml
except ImportError:
    sys.exit("spec_check.py: needs python3-yaml (PyYAML)")

# Spec type -> the nla_policy types that decode it.  A string may be
# checked by hand (NLA_UNSPEC): libnl's NLA_STRING refuses one without a
# NUL, which mcr-nl would rather show than drop.
TYPES = {
    "u8": {"NLA_U8"},
    "u16": {"NLA_U16"},
    "u32": {"NLA_U32"},
    "u64": {"NLA_U64"},
    "flag": {"NLA_FLAG"},
    "nest": {"NLA_NESTED"},
    "string": {"NLA_STRING", "NLA_NUL_STRING", "NLA_UNSPEC"},
}

POLICY_RE = re.compile(
    r"struct\s+nla_policy\s+(\w+)_policy\s*\[\s*(\w+)\s*\+\s*1\s*\]\s*=\s*"
    r"\{(.*?)\};", re.S)
ENTRY_RE = re.compile(r"\[\s*(\w+)\s*\]\s*=\s*\{\s*\.type\s*=\s*(\w+)")


def c_name(*parts):
    return "_".join(p.upper().replace("-", "_") for p in parts)


def main(argv):
    if len(argv) != 3:
        sys.exit("usage: spec_check.py SPEC.yaml msg.c")
    with open(argv[1]) as f:
        spec = yaml.safe_load(f)
    with open(argv[2]) as f:
        src = f.read()

    prefix = "MCR_A"
    policies = {}
    for m in POLICY_RE.finditer(src):
        entries = ENTRY_RE.findall(m.group(3))
        policies[m.group(1).replace("_", "-")] = (m.group(2), entries)

    errors = []
    checked = 0
    for aset in spec["attribute-sets"]:
        name = aset["name"]
        if name not in policies:
            errors.append(f"attribute set {name}: no {c_name(name).lower()}"
                          f"_policy in msg.c")
            continue
        max_name, entries = policies.pop(name)
        want_max = c_name(prefix, name, "max")
        if max_name != want_max:
            errors.append(f"{name}: policy sized by {max_name}, not "
                          f"{want_max}")
        got = {}
        for attr, nla in entries:
            if attr in got:
                errors.append(f"{name}: {attr} twice")
            got[attr] = nla
        for attr in aset["attributes"]:
            if attr["type"] == "pad":
                continue
            cname = c_name(prefix, name, attr["name"])
            if cname not in got:
                errors.append(f"{name}: attribute {attr['name']} "
                              f"({cname}) missing")
                continue
            nla = got.pop(cname)
            allowed = TYPES.get(attr["type"])
            if allowed is None:
                errors.append(f"{name}: {attr['name']}: spec type "
                              f"{attr['type']} unknown to this check")
            elif nla not in allowed:
                errors.append(f"{name}: {cname} is {nla}, the spec says "
                              f"{attr['type']} ({'/'.join(sorted(allowed))})")
            checked += 1
        for cname in got:
            errors.append(f"{name}: {cname} is not in the spec")
    for name in policies:
        errors.append(f"{name}_policy: no attribute set {name} in the spec")

    for e in errors:
        print(f"not ok - {e}")
    if not errors:
        print(f"ok - msg.c policies agree with the spec "
              f"({checked} attributes)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
