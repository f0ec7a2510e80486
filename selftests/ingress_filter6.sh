#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# ingress_filter6: ingress_filter over IPv6 (see ingress_filter.sh): VLAN
# and priority-tagged inputs, the relay's own looped-back multicast,
# PACKET_OTHERHOST, and multicast, loopback and IPv4-mapped sources
# counted in not_routable; link-local sources relayed.

MCR_TEST_FAMILY=6 exec "$(dirname "$0")/ingress_filter.sh" "$@"
