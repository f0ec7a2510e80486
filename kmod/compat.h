/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mcr: what older kernels (6.1 on) lack, in one place, so that the code
 * is written against the current kernel's interfaces. kmod/Kbuild defines
 * MCR_COMPAT_* for each interface the target kernel lacks.
 */
#ifndef _MCR_COMPAT_H
#define _MCR_COMPAT_H

#include <linux/mm.h>
#include <linux/netdevice.h>
#include <linux/skbuff.h>
#include <net/genetlink.h>

/* Before 6.4, the GSO entry points are declared in netdevice.h. */
#ifndef MCR_COMPAT_NO_NET_GSO_H
#include <net/gso.h>
#endif

#ifdef MCR_COMPAT_PAGE_FRAG_CACHE_DRAIN
/* Added in 6.9: free what a page fragment cache holds of its page. */
static inline void page_frag_cache_drain(struct page_frag_cache *nc)
{
	if (!nc->va)
		return;
	__page_frag_cache_drain(virt_to_head_page(nc->va), nc->pagecnt_bias);
	nc->va = NULL;
}
#endif

/* KUnit static stubs arrived in 6.3: before, nothing is redirected. */
#ifdef MCR_COMPAT_NO_STATIC_STUB
#define KUNIT_STATIC_STUB_REDIRECT(real_fn_name, args...) ((void)(real_fn_name))
#else
#include <kunit/static_stub.h>
#endif

/* The attributes of a dump request, parsed with the dump's policy. */
static inline struct nlattr **mcr_dump_attrs(struct netlink_callback *cb)
{
#ifdef MCR_COMPAT_GENL_DUMPIT_ATTRS
	return genl_dumpit_info(cb)->attrs;
#else
	return genl_info_dump(cb)->attrs;
#endif
}

#endif /* _MCR_COMPAT_H */
