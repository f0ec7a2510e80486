#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# unicast_outputs6: unicast_outputs over IPv6 (see unicast_outputs.sh): a
# unicast output routed in a VRF's IPv6 table through a gateway, and one
# whose next hop does not answer neighbour discovery, counted in drop_xmit
# until it does.

MCR_TEST_FAMILY=6 exec "$(dirname "$0")/unicast_outputs.sh" "$@"
