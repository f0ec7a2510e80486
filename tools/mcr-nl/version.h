/* SPDX-License-Identifier: GPL-2.0 */
#ifndef MCR_NL_VERSION_H
#define MCR_NL_VERSION_H

/* The Makefile may override this with -DMCR_VERSION=\"x.y.z\". */
#ifndef MCR_VERSION
#define MCR_VERSION "0.1.0"
#endif

#endif /* MCR_NL_VERSION_H */
