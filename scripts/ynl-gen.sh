#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Generate the UAPI header and the kernel's policy and op tables of the mcr
# family from Documentation/netlink/specs/mcr.yaml with the kernel's own
# ynl-gen-c.py (from Debian's linux-source-6.12).
#
#   scripts/ynl-gen.sh           regenerate the committed files
#   scripts/ynl-gen.sh --check   fail if the committed files differ from
#                                what the spec generates
#
# Two kernel variants come from the one spec: kmod/genl.c with split ops
# (kernels 6.2 and later) and kmod/genl_per_op.c with per-op struct
# genl_ops, for 6.1, which predates split ops. Kbuild compiles one of them.
#
# The generator is extracted once into ${MCR_CACHE:-/var/cache/mcr}/ynl-6.12
# from ${MCR_LINUX_SOURCE:-/usr/src/linux-source-6.12.tar.xz}.
set -eEuo pipefail
# Name the command that ends the script (subshells: their parent does).
# shellcheck disable=SC2154 # s is set in the trap
trap 's=$?; [ "$BASH_SUBSHELL" -gt 0 ] ||
	echo "${0##*/}: line $LINENO: \"$BASH_COMMAND\" failed (status $s)" >&2' ERR

top=$(cd "$(dirname "$0")/.." && pwd)
spec=$top/Documentation/netlink/specs/mcr.yaml
src_tar=${MCR_LINUX_SOURCE:-/usr/src/linux-source-6.12.tar.xz}
cache=${MCR_CACHE:-/var/cache/mcr}/ynl-6.12

# Only the generator and the schemas are needed, not the whole tree.
# .done is written last, so an interrupted extraction is done again.
if [ ! -f "$cache/.done" ]; then
	[ -f "$src_tar" ] || {
		echo "ynl-gen: $src_tar missing: apt-get install linux-source-6.12" >&2
		exit 1
	}
	rm -rf "$cache" && mkdir -p "$cache"
	tar -xJf "$src_tar" -C "$cache" --strip-components=1 \
		linux-source-6.12/tools/net/ynl linux-source-6.12/Documentation/netlink
	touch "$cache/.done"
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# make_tree DIR KERNEL_POLICY: a minimal tree for ynl-gen, which validates
# the spec against ../genetlink.yaml and names the spec by its path below
# the folder holding MAINTAINERS. The 6.12 schema predates the
# uns-admin-perm op flag (GENL_UNS_ADMIN_PERM, accepted upstream later) and
# keeps kernel-policy to the legacy schema; allow both here.
make_tree() {
	local dir=$1 policy=$2
	mkdir -p "$dir/Documentation/netlink/specs"
	touch "$dir/MAINTAINERS"
	python3 - "$cache/Documentation/netlink/genetlink.yaml" \
		"$dir/Documentation/netlink/genetlink.yaml" <<'PY'
import sys, yaml
schema = yaml.safe_load(open(sys.argv[1]))
props = schema['properties']
props['kernel-policy'] = {'enum': ['split', 'per-op', 'global']}
flags = props['operations']['properties']['list']['items']['properties']['flags']
flags['items']['enum'].append('uns-admin-perm')
yaml.safe_dump(schema, open(sys.argv[2], 'w'))
PY
	python3 - "$spec" "$dir/Documentation/netlink/specs/mcr.yaml" "$policy" <<'PY'
import sys, yaml
spec = yaml.safe_load(open(sys.argv[1]))
if sys.argv[3] == 'per-op':
    spec['kernel-policy'] = 'per-op'
    # per-op takes one policy per command from its do request.
    for op in spec['operations']['list']:
        if 'do' in op:
            op['do'].setdefault('request', {'attributes': []})
out = open(sys.argv[2], 'w')
out.write(open(sys.argv[1]).readline())  # the SPDX line ynl-gen requires
yaml.safe_dump(spec, out, sort_keys=False)
PY
}

gen() { # tree mode header|source file
	(cd "$1" && python3 "$cache/tools/net/ynl/ynl-gen-c.py" --mode "$2" \
		"--$3" --spec Documentation/netlink/specs/mcr.yaml -o "$4")
}

make_tree "$work/split" split
make_tree "$work/perop" per-op
mkdir -p "$work/out/include/uapi/linux" "$work/out/kmod"
gen "$work/split" uapi header "$work/out/include/uapi/linux/mcr.h"
gen "$work/split" kernel header "$work/out/kmod/genl.h"
gen "$work/split" kernel source "$work/out/kmod/genl.c"
gen "$work/perop" kernel source "$work/out/kmod/genl_per_op.c"
sed -i 's|#include "genl_per_op.h"|#include "genl.h"|' "$work/out/kmod/genl_per_op.c"
# A struct genl_ops has one policy for its do and its dump, and the
# generator names it OP_nl_policy but, when both take a request, prints
# OP_do_nl_policy and OP_dump_nl_policy: merge the two into the one the
# table names, which only works when the spec gives both the same request.
python3 - "$work/out/kmod/genl_per_op.c" <<'PY'
import re, sys
path = sys.argv[1]
src = open(path).read()
pol = re.compile(r'/\* (\S+) - (do|dump) \*/\n'
                 r'static const struct nla_policy (\w+)_(do|dump)_nl_policy'
                 r'(\[[^]]+\]) = \{\n(.*?)\n\};\n\n', re.S)
found = {}
for m in pol.finditer(src):
    found.setdefault(m.group(3), {})[m.group(4)] = m
for name, modes in found.items():
    if set(modes) != {'do', 'dump'}:
        continue
    do, dump = modes['do'], modes['dump']
    if (do.group(5), do.group(6)) != (dump.group(5), dump.group(6)):
        sys.exit(f'ynl-gen: {name}: do and dump requests differ; '
                 'struct genl_ops (6.1) has one policy for both')
    merged = (f'/* {do.group(1)} - do and dump */\n'
              f'static const struct nla_policy {name}_nl_policy'
              f'{do.group(5)} = {{\n{do.group(6)}\n}};\n\n')
    src = src.replace(dump.group(0), '').replace(do.group(0), merged)
open(path, 'w').write(src)
PY

files=(include/uapi/linux/mcr.h kmod/genl.h kmod/genl.c kmod/genl_per_op.c)

if [ "${1:-}" = --check ]; then
	rc=0
	for f in "${files[@]}"; do
		if ! diff -u "$top/$f" "$work/out/$f"; then
			echo "ynl-gen: $f differs from what mcr.yaml generates;" \
				"run scripts/ynl-gen.sh" >&2
			rc=1
		fi
	done
	[ $rc -eq 0 ] && echo "ynl-gen: generated files match mcr.yaml"
	exit $rc
fi

for f in "${files[@]}"; do
	cp "$work/out/$f" "$top/$f"
	echo "ynl-gen: wrote $f"
done
