#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# consume_vs_pass6: consume_vs_pass over IPv6. consume_vs_pass.sh runs
# over either family and says what its IPv6 run checks besides; this runs
# it with IPv6.

MCR_TEST_FAMILY=6 exec "$(dirname "$0")/consume_vs_pass.sh" "$@"
