#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# chain_3hop6: chain_3hop over IPv6. chain_3hop.sh runs over either family
# and says what its IPv6 run checks besides; this runs it with IPv6.

MCR_TEST_FAMILY=6 exec "$(dirname "$0")/chain_3hop.sh" "$@"
