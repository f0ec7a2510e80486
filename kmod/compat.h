/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mcr: shims for older kernels, so that no logic file needs an #ifdef.
 * Supported: Linux 6.1 and later. Split genetlink ops (6.2) are handled in
 * Kbuild, which compiles the per-op table generated from the same spec.
 */
#ifndef _MCR_COMPAT_H
#define _MCR_COMPAT_H

#include <linux/version.h>
#include <linux/compiler.h>

#ifndef __counted_by
#define __counted_by(member)
#endif

#endif /* _MCR_COMPAT_H */
