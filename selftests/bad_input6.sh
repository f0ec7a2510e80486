#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bad_input6: bad_input over IPv6. bad_input.sh runs over either family and
# says what its IPv6 run checks besides; this runs it with IPv6.

MCR_TEST_FAMILY=6 exec "$(dirname "$0")/bad_input.sh" "$@"
