#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tunnel_outputs6: tunnel_outputs over IPv6 (see tunnel_outputs.sh): IPv6
# relayed to sit (in place of ipip, which cannot carry IPv6), gre,
# WireGuard and tun outputs beside an Ethernet one, each packet once and
# intact.

MCR_TEST_FAMILY=6 exec "$(dirname "$0")/tunnel_outputs.sh" "$@"
