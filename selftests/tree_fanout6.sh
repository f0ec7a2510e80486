#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tree_fanout6: tree_fanout over IPv6. tree_fanout.sh runs over either
# family and says what its IPv6 run checks besides; this runs it with IPv6.

MCR_TEST_FAMILY=6 exec "$(dirname "$0")/tree_fanout.sh" "$@"
