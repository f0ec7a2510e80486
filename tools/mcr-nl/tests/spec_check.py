#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""
msg.c decodes the kernel's replies with nla_policy tables written by hand
from Documentation/netlink/specs/mcr.yaml.  Check that they agree: every
attribute set of the spec has a policy table named after it, every
attribute (pad aside) is in that table under its UAPI name, nothing else
is, and each has the type the spec gives it (and the length, for binary
attributes with an exact-len check).

msg.c also names the attribute an error points at, from tables
"SET_attr_names": each names every attribute of its set (pad aside) as
the spec does, under its UAPI name, and nothing else.

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
    # libnl checks a binary attribute's length through minlen and maxlen.
    "binary": {"NLA_UNSPEC", "NLA_BINARY"},
}

POLICY_RE = re.compile(
    r"struct\s+nla_policy\s+(\w+)_policy\s*\[\s*(\w+)\s*\+\s*1\s*\]\s*=\s*"
    r"\{(.*?)\};", re.S)
# An entry, its type and the rest of its braces; an entry may be a macro
# defined in msg.c (#define NAME { .type = ... }).
ENTRY_RE = re.compile(r"\[\s*(\w+)\s*\]\s*=\s*(\w+|\{[^}]*\})")
MACRO_RE = re.compile(r"#define\s+(\w+)\s*\\?\s*(\{[^}]*\})")
TYPE_RE = re.compile(r"\.type\s*=\s*(\w+)")
FIELD_RE = re.compile(r"\.(minlen|maxlen)\s*=\s*(\d+)")
NAMES_RE = re.compile(
    r"char\s*\*\s*const\s+(\w+)_attr_names\s*\[\s*(\w+)\s*\+\s*1\s*\]"
    r"\s*=\s*\{(.*?)\};", re.S)
NAME_ENTRY_RE = re.compile(r'\[\s*(\w+)\s*\]\s*=\s*"([^"]*)"')


def c_name(*parts):
    return "_".join(p.upper().replace("-", "_") for p in parts)


PREFIX = "MCR_A"


def check_table(errors, label, set_name, aset, max_name, entries, check):
    """A C table indexed by the attributes of aset: sized by the set's max,
    each attribute (pad aside) in it once under its UAPI name, nothing
    else. check(attr, cname, value) returns what is wrong, or None.
    Returns how many attributes were checked."""
    want_max = c_name(PREFIX, set_name, "max")
    if max_name != want_max:
        errors.append(f"{label}: sized by {max_name}, not {want_max}")
    got = {}
    for cname, value in entries:
        if cname in got:
            errors.append(f"{label}: {cname} twice")
        got[cname] = value
    checked = 0
    for attr in aset["attributes"]:
        if attr["type"] == "pad":
            continue
        cname = c_name(PREFIX, set_name, attr["name"])
        if cname not in got:
            errors.append(f"{label}: attribute {attr['name']} ({cname}) "
                          f"missing")
            continue
        problem = check(attr, cname, got.pop(cname))
        if problem:
            errors.append(f"{label}: {problem}")
        checked += 1
    for cname in got:
        errors.append(f"{label}: {cname} is not in the spec")
    return checked


def policy_type(attr, cname, entry):
    allowed = TYPES.get(attr["type"])
    if allowed is None:
        return (f"{attr['name']}: spec type {attr['type']} unknown to "
                f"this check")
    m = TYPE_RE.search(entry)
    nla = m.group(1) if m else "no .type"
    if nla not in allowed:
        return (f"{cname} is {nla}, the spec says {attr['type']} "
                f"({'/'.join(sorted(allowed))})")
    exact = attr.get("checks", {}).get("exact-len")
    if attr["type"] == "binary" and exact is not None:
        lens = dict(FIELD_RE.findall(entry))
        if lens.get("minlen") != str(exact) or lens.get("maxlen") != str(exact):
            return (f"{cname} must have .minlen = {exact} and .maxlen = "
                    f"{exact} (exact-len)")
    return None


def attr_name(attr, cname, text):
    if text != attr["name"]:
        return f"{cname} is named \"{text}\", the spec says \"{attr['name']}\""
    return None


def main(argv):
    if len(argv) != 3:
        sys.exit("usage: spec_check.py SPEC.yaml msg.c")
    with open(argv[1]) as f:
        spec = yaml.safe_load(f)
    with open(argv[2]) as f:
        src = f.read()

    sets = {aset["name"]: aset for aset in spec["attribute-sets"]}
    errors = []
    checked = 0
    macros = dict(MACRO_RE.findall(src))
    policies = {m.group(1).replace("_", "-"): m for m in POLICY_RE.finditer(src)}
    for name, aset in sets.items():
        m = policies.pop(name, None)
        if m is None:
            errors.append(f"attribute set {name}: no {c_name(name).lower()}"
                          f"_policy in msg.c")
            continue
        entries = [(cname, macros.get(value, value))
                   for cname, value in ENTRY_RE.findall(m.group(3))]
        checked += check_table(errors, f"{name} policy", name, aset,
                               m.group(2), entries, policy_type)
    for name in policies:
        errors.append(f"{name}_policy: no attribute set {name} in the spec")

    tables = 0
    for m in NAMES_RE.finditer(src):
        tables += 1
        name = m.group(1).replace("_", "-")
        if name not in sets:
            errors.append(f"{m.group(1)}_attr_names: no attribute set "
                          f"{name} in the spec")
            continue
        checked += check_table(errors, f"{name} names", name, sets[name],
                               m.group(2), NAME_ENTRY_RE.findall(m.group(3)),
                               attr_name)
    if not tables:
        errors.append("no SET_attr_names table in msg.c")

    for e in errors:
        print(f"not ok - {e}")
    if not errors:
        print(f"ok - msg.c policies and names agree with the spec "
              f"({checked} attributes)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
