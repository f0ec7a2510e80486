/* SPDX-License-Identifier: GPL-2.0 */
/* KUnit: IPv6 addresses and keys written as they are read. */
#ifndef MCR_KUNIT_IP6_UTIL_H
#define MCR_KUNIT_IP6_UTIL_H

#include <linux/in6.h>
#include <linux/socket.h>

/* An IPv6 address from its eight 16-bit groups, as it is written. */
#define IP6(a, b, c, d, e, f, g, h) { .s6_addr16 = {			\
	cpu_to_be16(a), cpu_to_be16(b), cpu_to_be16(c), cpu_to_be16(d),	\
	cpu_to_be16(e), cpu_to_be16(f), cpu_to_be16(g), cpu_to_be16(h) } }

/* An IPv6 rule's match key: group, source (ANY6 for any), port (0: any). */
#define KEY6(g, s, p)	{ .group.in6 = g, .source.in6 = s, .port = p, .family = AF_INET6 }

#endif
