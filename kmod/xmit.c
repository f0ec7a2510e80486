// SPDX-License-Identifier: GPL-2.0
/*
 * mcr: per-output rewrite and transmit. Each output gets its own copy of
 * the headers (the payload's pages stay shared), so a rewrite never touches
 * data that another output or the local stack still sees.
 */
#include <linux/etherdevice.h>
#include <linux/if_arp.h>
#include <linux/inetdevice.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <net/checksum.h>
#include <net/ip.h>
#include <net/route.h>

#include "compat.h"
#include "mcr.h"

/* As nf_dup_netdev: bound re-entry when an output loops back to a hook. */
#define MCR_XMIT_RECURSION_LIMIT	2

static DEFINE_PER_CPU(u8, mcr_xmit_recursion);

void mcr_output_init_dmac(struct mcr_output *out)
{
	out->dmac_valid = ipv4_is_multicast(out->daddr) &&
			  out->dev->type == ARPHRD_ETHER;
	if (out->dmac_valid)
		ip_eth_mc_map(out->daddr, out->dmac);
}
EXPORT_SYMBOL_IF_KUNIT(mcr_output_init_dmac);

static void mcr_output_count(const struct mcr_output *out, unsigned int len)
{
	struct mcr_output_pcpu_stats *s = this_cpu_ptr(out->stats);

	u64_stats_update_begin(&s->syncp);
	u64_stats_inc(&s->packets);
	u64_stats_add(&s->bytes, len);
	u64_stats_update_end(&s->syncp);
}

static void mcr_output_drop(const struct mcr_output *out,
			    enum mcr_drop_reason reason)
{
	struct mcr_output_pcpu_stats *s = this_cpu_ptr(out->stats);

	u64_stats_update_begin(&s->syncp);
	u64_stats_inc(&s->drops[reason]);
	u64_stats_update_end(&s->syncp);
}

static __be32 mcr_dev_primary_addr(const struct net_device *dev)
{
	const struct in_device *in_dev = __in_dev_get_rcu(dev);
	const struct in_ifaddr *ifa;

	if (!in_dev)
		return 0;
	in_dev_for_each_ifa_rcu(ifa, in_dev)
		if (!(ifa->ifa_flags & IFA_F_SECONDARY))
			return ifa->ifa_local;
	return 0;
}

/*
 * How the outputs of one packet share it. With one output, that output
 * gets the packet itself when a consuming rule owns it, else one private
 * copy. Short packets (up to MCR_COPYBREAK bytes, like a driver's
 * rx_copybreak) are copied whole for each output: that costs less than
 * taking and dropping page references. Longer ones with several outputs:
 * every output gets a new head with only the IP and UDP headers, which it
 * rewrites, followed by the payload, shared in one of two ways:
 * - page references to it, as pskb_copy() shares fragments, when the rule
 *   consumes the packet and its data can be shared;
 * - else, when every output device takes fragment lists (veth, dummy,
 *   bridge, tun), one clone of the received skb, pulled to the payload,
 *   as every output's fragment list: the clone marks the data shared, so
 *   the stack copies it before writing, and frag_list members may be
 *   shared by several skbs (skb_clone_fraglist());
 * - else one private copy of the packet, whose pages the outputs reference.
 * New heads are page fragments: a kmalloc'ed head per output costs a
 * payload copy and, where allocations are zeroed (init_on_alloc, Debian's
 * default), a memset of the whole head.
 */
#define MCR_COPYBREAK	256

/*
 * The outputs' heads come from a page fragment cache of mcr's own. In the
 * receive path's (NAPI) cache, a head would share its page with received
 * packets still in use, such as the one being relayed: the cache could
 * not reuse the page once through it, and would take (and, with
 * init_on_alloc, zero) a new 32 KiB page every ~70 heads. Used in BH
 * context only (the ingress hook), so without masking interrupts.
 */
static DEFINE_PER_CPU(struct page_frag_cache, mcr_head_cache);

/*
 * An empty skb with a page fragment head for linear bytes after headroom.
 * The sk_buff comes from, and on free goes back to, the slab's per-CPU
 * freelist; the NAPI skb cache would hand out sk_buffs that the outputs'
 * devices free to the slab's slow path.
 */
static struct sk_buff *mcr_alloc_frag_skb(unsigned int headroom,
					  unsigned int linear)
{
	unsigned int size = SKB_DATA_ALIGN(headroom + linear) +
			    SKB_DATA_ALIGN(sizeof(struct skb_shared_info));
	struct sk_buff *nskb;
	void *data;

	if (size > PAGE_SIZE)
		return NULL;
	data = page_frag_alloc(this_cpu_ptr(&mcr_head_cache), size,
			       GFP_ATOMIC);
	if (!data)
		return NULL;
	nskb = build_skb(data, size);
	if (!nskb) {
		skb_free_frag(data);
		return NULL;
	}
	skb_reserve(nskb, headroom);
	return nskb;
}

/* What a new skb inherits from the received one besides its bytes. */
static void mcr_copy_meta(struct sk_buff *nskb, const struct sk_buff *skb)
{
	nskb->priority = skb->priority;
	nskb->mark = skb->mark;
}

/*
 * A checksum still to be completed must cover the UDP header, as a local
 * sender leaves it: the new skbs are told where it starts.
 */
static bool mcr_partial_csum_ok(const struct sk_buff *skb, unsigned int ihl)
{
	return skb->ip_summed != CHECKSUM_PARTIAL ||
	       (skb_checksum_start_offset(skb) == ihl &&
		skb->csum_offset == offsetof(struct udphdr, check));
}

static void mcr_set_csum_state(struct sk_buff *nskb,
			       const struct sk_buff *skb, unsigned int ihl)
{
	/*
	 * CHECKSUM_COMPLETE is not carried across a forward, and nothing on
	 * transmit uses CHECKSUM_UNNECESSARY.
	 */
	if (skb->ip_summed == CHECKSUM_PARTIAL)
		skb_partial_csum_set(nskb, ihl, offsetof(struct udphdr, check));
	else
		nskb->ip_summed = CHECKSUM_NONE;
}

/*
 * A new skb whose head is a private copy of the first len bytes of skb,
 * with skb's metadata and checksum state: the headers an output rewrites,
 * or the whole packet.
 */
static struct sk_buff *mcr_new_head(const struct sk_buff *skb,
				    unsigned int len, unsigned int ihl,
				    unsigned int headroom)
{
	struct sk_buff *nskb;
	void *to;

	nskb = mcr_alloc_frag_skb(headroom, len);
	if (!nskb)
		return NULL;
	/* Sized above: __skb_put() needs no check. */
	to = __skb_put(nskb, len);
	if (skb_headlen(skb) >= len)
		skb_copy_from_linear_data(skb, to, len);
	else if (skb_copy_bits(skb, 0, to, len))
		goto free;
	mcr_copy_meta(nskb, skb);
	mcr_set_csum_state(nskb, skb, ihl);
	return nskb;

free:
	kfree_skb(nskb);
	return NULL;
}

/* A private, linear copy of the first len bytes of skb (the IP packet). */
VISIBLE_IF_KUNIT struct sk_buff *mcr_pkt_copy(const struct sk_buff *skb,
					      unsigned int len,
					      unsigned int ihl,
					      unsigned int headroom)
{
	if (!mcr_partial_csum_ok(skb, ihl))
		return NULL;
	return mcr_new_head(skb, len, ihl, headroom);
}
EXPORT_SYMBOL_IF_KUNIT(mcr_pkt_copy);

/*
 * Whether outputs may point at skb's payload: the headers are linear, the
 * head is a page fragment, and no fragment needs care (page pool, user
 * pages, a fragment list) or would overflow the new skb.
 */
VISIBLE_IF_KUNIT bool mcr_payload_shareable(struct sk_buff *skb,
					    unsigned int hdr_len,
					    unsigned int ihl)
{
	return skb->head_frag && !skb->pp_recycle && !skb_zcopy(skb) &&
	       !skb_has_frag_list(skb) && skb_headlen(skb) >= hdr_len &&
	       skb_shinfo(skb)->nr_frags < MAX_SKB_FRAGS &&
	       mcr_partial_csum_ok(skb, ihl);
}
EXPORT_SYMBOL_IF_KUNIT(mcr_payload_shareable);

/*
 * A new skb with a private copy of the first hdr_len bytes of owner and
 * page references to the rest, up to len; owner passed
 * mcr_payload_shareable().
 */
VISIBLE_IF_KUNIT struct sk_buff *mcr_pkt_share(const struct sk_buff *owner,
					       unsigned int len,
					       unsigned int ihl,
					       unsigned int hdr_len,
					       unsigned int headroom)
{
	const struct skb_shared_info *shinfo = skb_shinfo(owner);
	unsigned int off, head_len, i, nfrags = 0;
	struct sk_buff *nskb;
	struct page *page;

	nskb = mcr_new_head(owner, hdr_len, ihl, headroom);
	if (!nskb)
		return NULL;

	head_len = min(skb_headlen(owner), len);
	if (head_len > hdr_len) {
		page = virt_to_head_page(owner->head);
		off = owner->data + hdr_len - (u8 *)page_address(page);
		get_page(page);
		skb_add_rx_frag(nskb, nfrags++, page, off, head_len - hdr_len,
				head_len - hdr_len);
	}
	/* The stack has trimmed nothing yet: stop at the IP length. */
	off = skb_headlen(owner);
	for (i = 0; i < shinfo->nr_frags && off < len; i++) {
		const skb_frag_t *frag = &shinfo->frags[i];
		unsigned int size = min(skb_frag_size(frag), len - off);

		page = skb_frag_page(frag);
		get_page(page);
		skb_add_rx_frag(nskb, nfrags++, page, skb_frag_off(frag), size,
				size);
		off += size;
	}
	return nskb;
}
EXPORT_SYMBOL_IF_KUNIT(mcr_pkt_share);

/*
 * Whether every output's device sends an skb with a fragment list as it
 * is: one that does not would linearize it, a copy per output.
 */
static bool mcr_outputs_take_fraglist(const struct mcr_outputs *outs)
{
	unsigned int i;

	for (i = 0; i < outs->count; i++)
		if (!(READ_ONCE(outs->out[i].dev->features) & NETIF_F_FRAGLIST))
			return false;
	return true;
}

/*
 * The bytes of skb from hdr_len up to len, the UDP payload, as a clone of
 * skb that outputs hold in their fragment lists (see mcr_pkt_chain()).
 */
VISIBLE_IF_KUNIT struct sk_buff *mcr_payload_clone(struct sk_buff *skb,
						   unsigned int hdr_len,
						   unsigned int len)
{
	struct sk_buff *payload;

	if (skb_has_frag_list(skb))
		return NULL;	/* frag_list members have none of their own */
	payload = skb_clone(skb, GFP_ATOMIC);
	if (!payload)
		return NULL;
	if (!pskb_pull(payload, hdr_len) ||
	    pskb_trim(payload, len - hdr_len)) {
		kfree_skb(payload);
		return NULL;
	}
	return payload;
}
EXPORT_SYMBOL_IF_KUNIT(mcr_payload_clone);

/*
 * A new skb with a private copy of the first hdr_len bytes of skb and a
 * reference to payload (from mcr_payload_clone()) as its fragment list.
 */
VISIBLE_IF_KUNIT struct sk_buff *mcr_pkt_chain(const struct sk_buff *skb,
					       struct sk_buff *payload,
					       unsigned int ihl,
					       unsigned int hdr_len,
					       unsigned int headroom)
{
	struct sk_buff *nskb;

	nskb = mcr_new_head(skb, hdr_len, ihl, headroom);
	if (!nskb)
		return NULL;
	skb_shinfo(nskb)->frag_list = skb_get(payload);
	nskb->len += payload->len;
	nskb->data_len += payload->len;
	nskb->truesize += payload->truesize;
	return nskb;
}
EXPORT_SYMBOL_IF_KUNIT(mcr_pkt_chain);

/*
 * Fallback for packets too big for a page fragment: a kmalloc'ed copy of
 * the head, or for the last output of a consuming rule the original itself,
 * unshared.
 */
static struct sk_buff *mcr_output_skb(struct sk_buff *skb,
				      const struct net_device *dev,
				      unsigned int hdr_len, bool last)
{
	unsigned int headroom = LL_RESERVED_SPACE(dev);

	if (last) {
		skb = skb_share_check(skb, GFP_ATOMIC);
		if (skb && skb_cow_head(skb, headroom)) {
			kfree_skb(skb);
			skb = NULL;
		}
	} else {
		skb = __pskb_copy(skb, headroom, GFP_ATOMIC);
	}
	if (skb && skb_ensure_writable(skb, hdr_len)) {
		kfree_skb(skb);
		skb = NULL;
	}
	return skb;
}

/* Rewrite an address of the IP header, keeping both checksums valid. */
static void mcr_set_addr(struct sk_buff *skb, struct iphdr *iph,
			 struct udphdr *uh, __be32 *addr, __be32 new)
{
	if (skb->ip_summed == CHECKSUM_PARTIAL) {
		/* uh->check holds the pseudo-header sum still to finish. */
		inet_proto_csum_replace4(&uh->check, skb, *addr, new, true);
	} else if (uh->check) {
		inet_proto_csum_replace4(&uh->check, skb, *addr, new, true);
		if (!uh->check)
			uh->check = CSUM_MANGLED_0;
	}
	csum_replace4(&iph->check, *addr, new);
	*addr = new;
}

static void mcr_set_port(struct sk_buff *skb, struct udphdr *uh, __be16 port)
{
	if (skb->ip_summed != CHECKSUM_PARTIAL && uh->check) {
		inet_proto_csum_replace2(&uh->check, skb, uh->dest, port, false);
		if (!uh->check)
			uh->check = CSUM_MANGLED_0;
	}
	uh->dest = port;
}

static void mcr_set_ttl(struct iphdr *iph, u8 ttl)
{
	csum_replace2(&iph->check, htons(iph->ttl << 8), htons(ttl << 8));
	iph->ttl = ttl;
}

/* Returns 0 when the packet is rewritten, else the drop reason. */
VISIBLE_IF_KUNIT int mcr_rewrite(const struct mcr_output *out,
				 struct sk_buff *skb, unsigned int ihl)
{
	struct iphdr *iph;
	struct udphdr *uh;
	__be32 saddr;

	skb_reset_network_header(skb);
	skb_set_transport_header(skb, ihl);
	iph = ip_hdr(skb);
	uh = udp_hdr(skb);

	/* The stack cannot carry CHECKSUM_COMPLETE across a forward. */
	skb_forward_csum(skb);

	if (out->rewrite_daddr)
		mcr_set_addr(skb, iph, uh, &iph->daddr, out->daddr);
	saddr = out->source_auto ? mcr_dev_primary_addr(out->dev) : out->saddr;
	if (out->source_auto && !saddr)
		return MCR_DROP_XMIT;
	if (saddr && saddr != iph->saddr)
		mcr_set_addr(skb, iph, uh, &iph->saddr, saddr);
	if (out->port && out->port != uh->dest)
		mcr_set_port(skb, uh, out->port);
	if (out->ttl)
		mcr_set_ttl(iph, out->ttl);
	else
		ip_decrease_ttl(iph);

	/*
	 * A local sender's checksum (over veth) may still be pending; finish
	 * it here so that every relayed packet leaves with a valid one.
	 */
	if (skb->ip_summed == CHECKSUM_PARTIAL && skb_checksum_help(skb))
		return MCR_DROP_NOMEM;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(mcr_rewrite);

/*
 * The link layer header to out's multicast MAC. An Ethernet device's is
 * written here: eth_header() would work out what mcr_output_init_dmac()
 * already has, through an indirect call, once per output and packet.
 */
static int mcr_hard_header(struct sk_buff *skb, const struct mcr_output *out)
{
	const struct net_device *dev = out->dev;
	struct ethhdr *eth;

	if (!dev->header_ops || dev->header_ops->create != eth_header)
		return dev_hard_header(skb, out->dev, ETH_P_IP, out->dmac,
				       NULL, skb->len);
	eth = skb_push(skb, ETH_HLEN);
	ether_addr_copy(eth->h_dest, out->dmac);
	ether_addr_copy(eth->h_source, dev->dev_addr);
	eth->h_proto = htons(ETH_P_IP);
	return ETH_HLEN;
}

static int mcr_transmit(const struct mcr_output *out, struct sk_buff *skb)
{
	struct net_device *dev = out->dev;
	struct neighbour *neigh;
	int rc;

	skb->dev = dev;
	skb->protocol = htons(ETH_P_IP);
	skb_clear_tstamp(skb);

	if (out->dmac_valid || !dev->header_ops) {
		if (out->dmac_valid && mcr_hard_header(skb, out) < 0) {
			kfree_skb(skb);
			return -EINVAL;
		}
		return dev_queue_xmit(skb);
	}

	/* Multicast to unicast: resolve the next hop as ip_output does. */
	neigh = ip_neigh_gw4(dev, ip_hdr(skb)->daddr);
	if (IS_ERR_OR_NULL(neigh)) {
		kfree_skb(skb);
		return -ENOBUFS;
	}
	rc = neigh_output(neigh, skb, false);
	return rc;
}

/* Why out cannot take this packet, or 0. */
static int mcr_output_check(const struct mcr_output *out, u8 ttl,
			    unsigned int len)
{
	if (!out->ttl && ttl <= 1)
		return MCR_DROP_TTL;
	if (len > READ_ONCE(out->dev->mtu))
		return MCR_DROP_TOO_BIG;
	if (__this_cpu_read(mcr_xmit_recursion) > MCR_XMIT_RECURSION_LIMIT)
		return MCR_DROP_XMIT;
	return 0;
}

/* Rewrite nskb, this output's own, for out and send it; consumes nskb. */
static void mcr_output_send(const struct mcr_output *out,
			    struct sk_buff *nskb, unsigned int ihl,
			    unsigned int len)
{
	int reason, rc;

	/* Drop the link layer's padding of short frames. */
	if (pskb_trim_rcsum(nskb, len)) {
		reason = MCR_DROP_NOMEM;
		goto drop;
	}
	reason = mcr_rewrite(out, nskb, ihl);
	if (reason)
		goto drop;

	__this_cpu_inc(mcr_xmit_recursion);
	rc = mcr_transmit(out, nskb);
	__this_cpu_dec(mcr_xmit_recursion);
	if (net_xmit_eval(rc))
		mcr_output_drop(out, MCR_DROP_XMIT);
	else
		mcr_output_count(out, len);
	return;

drop:
	kfree_skb(nskb);
	mcr_output_drop(out, reason);
}

/* Every output gets a kmalloc'ed copy (see mcr_output_skb()). */
static void mcr_outputs_xmit_copy(const struct mcr_outputs *outs,
				  struct sk_buff *skb, const struct iphdr *iph,
				  bool consume)
{
	unsigned int len = ntohs(iph->tot_len);
	unsigned int ihl = iph->ihl * 4;
	unsigned int i, n = outs->count;
	u8 ttl = iph->ttl;

	for (i = 0; i < n; i++) {
		const struct mcr_output *out = &outs->out[i];
		bool last = consume && i == n - 1;
		struct sk_buff *nskb;
		int reason;

		reason = mcr_output_check(out, ttl, len);
		if (reason) {
			if (last)
				kfree_skb(skb);
			mcr_output_drop(out, reason);
			continue;
		}
		nskb = mcr_output_skb(skb, out->dev,
				      ihl + sizeof(struct udphdr), last);
		if (!nskb) {
			mcr_output_drop(out, MCR_DROP_NOMEM);
			continue;
		}
		mcr_output_send(out, nskb, ihl, len);
	}
}

/*
 * Whether an output may send skb itself: no one else holds it or its head,
 * the headers it rewrites are linear, and the link layer header fits in
 * front.
 */
static bool mcr_skb_sendable(const struct sk_buff *skb, unsigned int hdr_len,
			     const struct net_device *dev)
{
	return !skb_shared(skb) && !skb_cloned(skb) &&
	       skb_headlen(skb) >= hdr_len &&
	       skb_headroom(skb) >= LL_RESERVED_SPACE(dev);
}

/*
 * This output's own skb made from src: its headers followed by payload
 * (the shared fragment list) or by page references to src's payload
 * (share_pages), or a linear copy of the whole packet.
 */
static struct sk_buff *mcr_output_new_skb(const struct mcr_output *out,
					  struct sk_buff *src,
					  struct sk_buff *payload,
					  unsigned int len, unsigned int ihl,
					  bool share_pages)
{
	unsigned int hdr_len = ihl + sizeof(struct udphdr);
	unsigned int headroom = LL_RESERVED_SPACE(out->dev);
	struct sk_buff *nskb;

	if (payload)
		return mcr_pkt_chain(src, payload, ihl, hdr_len, headroom);
	if (share_pages)
		return mcr_pkt_share(src, len, ihl, hdr_len, headroom);
	nskb = mcr_pkt_copy(src, len, ihl, headroom);
	/* Too big for a page fragment, or no memory. */
	return nskb ?: mcr_output_skb(src, out->dev, hdr_len, false);
}

/*
 * Every output gets its own skb made from src (see mcr_output_new_skb()),
 * but the last one, which takes src itself when src is ours (owned) and
 * sendable: its header rewrite touches none of the bytes the others point
 * at. An owned src is consumed; payload is not.
 */
static void mcr_outputs_xmit_from(const struct mcr_outputs *outs,
				  struct sk_buff *src, struct sk_buff *payload,
				  unsigned int len, unsigned int ihl, u8 ttl,
				  bool owned, bool share_pages)
{
	unsigned int hdr_len = ihl + sizeof(struct udphdr);
	unsigned int i, n = outs->count;

	for (i = 0; i < n; i++) {
		const struct mcr_output *out = &outs->out[i];
		struct sk_buff *nskb;
		int reason;

		reason = mcr_output_check(out, ttl, len);
		if (reason) {
			mcr_output_drop(out, reason);
			continue;
		}
		if (owned && i == n - 1 &&
		    mcr_skb_sendable(src, hdr_len, out->dev)) {
			nskb = src;
			src = NULL;
		} else {
			nskb = mcr_output_new_skb(out, src, payload, len, ihl,
						  share_pages);
			if (!nskb) {
				mcr_output_drop(out, MCR_DROP_NOMEM);
				continue;
			}
		}
		mcr_output_send(out, nskb, ihl, len);
	}
	/* Outputs that share the payload hold their own page references. */
	if (owned && src)
		consume_skb(src);
}

/*
 * Send skb, an IPv4 UDP packet whose header iph the hook has validated, on
 * every output of outs (at least one). With consume set the caller hands
 * skb over.
 */
void mcr_outputs_xmit(const struct mcr_outputs *outs, struct sk_buff *skb,
		      const struct iphdr *iph, bool consume)
{
	unsigned int len = ntohs(iph->tot_len);
	unsigned int ihl = iph->ihl * 4;
	unsigned int hdr_len = ihl + sizeof(struct udphdr);
	const struct net_device *last_dev = outs->out[outs->count - 1].dev;
	unsigned int i, n = outs->count;
	u8 ttl = iph->ttl;	/* iph may point into skb, freed below */
	struct sk_buff *owner, *payload;

	if (!mcr_partial_csum_ok(skb, ihl)) {
		mcr_outputs_xmit_copy(outs, skb, iph, consume);
		return;
	}
	if (len <= MCR_COPYBREAK || (consume && n == 1)) {
		mcr_outputs_xmit_from(outs, skb, NULL, len, ihl, ttl, consume,
				      false);
		return;
	}
	if (consume && mcr_payload_shareable(skb, hdr_len, ihl)) {
		owner = skb_share_check(skb, GFP_ATOMIC);
		if (!owner)
			goto nomem;
		mcr_outputs_xmit_from(outs, owner, NULL, len, ihl, ttl, true,
				      true);
		return;
	}
	if (mcr_outputs_take_fraglist(outs)) {
		payload = mcr_payload_clone(skb, hdr_len, len);
		if (payload) {
			mcr_outputs_xmit_from(outs, skb, payload, len, ihl, ttl,
					      false, false);
			consume_skb(payload);
			if (consume)
				consume_skb(skb);
			return;
		}
	}
	if (n == 1) {
		mcr_outputs_xmit_from(outs, skb, NULL, len, ihl, ttl, consume,
				      false);
		return;
	}
	/* Headroom for the last output, which sends it. */
	owner = mcr_pkt_copy(skb, len, ihl, LL_RESERVED_SPACE(last_dev));
	if (!owner) {
		/* Too big for a page fragment. */
		mcr_outputs_xmit_copy(outs, skb, iph, consume);
		return;
	}
	if (consume)
		consume_skb(skb);
	mcr_outputs_xmit_from(outs, owner, NULL, len, ihl, ttl, true, true);
	return;

nomem:
	for (i = 0; i < n; i++)
		mcr_output_drop(&outs->out[i], MCR_DROP_NOMEM);
}

/* At module exit, when no hook runs any more: give back each CPU's page. */
void mcr_xmit_exit(void)
{
	int cpu;

	for_each_possible_cpu(cpu)
		page_frag_cache_drain(per_cpu_ptr(&mcr_head_cache, cpu));
}
