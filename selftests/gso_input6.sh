#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# gso_input6: gso_input over IPv6 (see gso_input.sh): GSO skbs of a
# UDP_SEGMENT sender relayed datagram by datagram, every byte, checksum
# and counter checked.

MCR_TEST_FAMILY=6 exec "$(dirname "$0")/gso_input.sh" "$@"
