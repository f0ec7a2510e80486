#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# dynamic_rules6: dynamic_rules over IPv6. dynamic_rules.sh runs over
# either family and says what its IPv6 run checks besides; this runs it
# with IPv6.

MCR_TEST_FAMILY=6 exec "$(dirname "$0")/dynamic_rules.sh" "$@"
