/* SPDX-License-Identifier: GPL-2.0 */
/*
 * KUnit: one's complement arithmetic written independently of the kernel's
 * csum helpers, which the suites check the module's incremental updates
 * against (host order, big-endian 16-bit words).
 */
#ifndef _MCR_TEST_CSUM_UTIL_H
#define _MCR_TEST_CSUM_UTIL_H

#include <linux/types.h>

static inline u32 sum16(const u8 *p, unsigned int len, u32 sum)
{
	unsigned int i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (p[i] << 8) | p[i + 1];
	if (len & 1)
		sum += p[len - 1] << 8;
	return sum;
}

static inline u16 fold(u32 sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

/* Both encodings of one's complement zero verify the same. */
static inline u16 norm(u16 csum)
{
	return csum ? csum : 0xffff;
}

#endif /* _MCR_TEST_CSUM_UTIL_H */
