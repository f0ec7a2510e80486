// SPDX-License-Identifier: GPL-2.0
/*
 * mcr: per-output rewrite and transmit. Each output gets its own copy of
 * the headers (the payload's pages stay shared), so a rewrite never touches
 * data that another output or the local stack still sees.
 */
#include <linux/etherdevice.h>
#include <linux/if_arp.h>
#include <linux/if_vlan.h>
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
 * How the outputs of one packet share it. Every output's skb starts with
 * a copy of the packet's prepared headers (struct mcr_pkt), which it
 * rewrites for itself. With one output, that output gets the packet itself
 * when a consuming rule owns it, else one private copy. Short packets (up
 * to MCR_COPYBREAK bytes, like a driver's rx_copybreak) are copied whole
 * for each output: that costs less than taking and dropping page
 * references. Longer ones with several outputs: every output gets a new
 * head with only the IP and UDP headers, followed by the payload, shared
 * in one of two ways:
 * - page references to it, as pskb_copy() shares fragments, when the rule
 *   consumes the packet and its data can be shared: the new skbs mark their
 *   fragments shared (SKBFL_SHARED_FRAG) and the packet itself is sent by
 *   no output, so a writer on one output's path copies before writing;
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

static unsigned int mcr_head_size(unsigned int headroom, unsigned int linear)
{
	return SKB_DATA_ALIGN(headroom + linear) +
	       SKB_DATA_ALIGN(sizeof(struct skb_shared_info));
}

/*
 * Make heads ready to hand out up to wanted heads of linear bytes after
 * their headroom, for the outputs of one packet. Nothing is allocated
 * until the first one is asked for.
 */
VISIBLE_IF_KUNIT void mcr_heads_init(struct mcr_heads *heads,
				     unsigned int linear, unsigned int wanted)
{
	heads->next = NULL;
	heads->avail = 0;
	heads->wanted = wanted;
	heads->linear = linear;
	heads->headroom = 0;
	heads->size = 0;
}
EXPORT_SYMBOL_IF_KUNIT(mcr_heads_init);

/* Give back the heads that were carved out but not asked for. */
VISIBLE_IF_KUNIT void mcr_heads_release(struct mcr_heads *heads)
{
	for (; heads->avail; heads->avail--, heads->next += heads->size)
		skb_free_frag(heads->next);
}
EXPORT_SYMBOL_IF_KUNIT(mcr_heads_release);

/*
 * One head of at least headroom bytes before heads->linear, and its size.
 * The first request carves as many heads as are still wanted (at most a
 * page's worth) out of one page fragment, and takes a page reference for
 * each: one allocation per packet instead of one per output. Each head is
 * then freed on its own, as any page fragment head. A request for more
 * headroom than the carved heads have gets a head of its own.
 */
static void *mcr_heads_get(struct mcr_heads *heads, unsigned int headroom,
			   unsigned int *size, unsigned int *reserve)
{
	unsigned int count = 1;
	void *data;

	if (likely(heads->avail && headroom <= heads->headroom)) {
		data = heads->next;
		heads->next += heads->size;
		heads->avail--;
		*size = heads->size;
		*reserve = heads->headroom;
		return data;
	}
	*size = mcr_head_size(headroom, heads->linear);
	*reserve = headroom;
	if (*size > PAGE_SIZE)
		return NULL;
	if (!heads->avail) {
		count = clamp(heads->wanted, 1U, (unsigned int)PAGE_SIZE / *size);
		heads->wanted -= min(count, heads->wanted);
	}
	data = page_frag_alloc(this_cpu_ptr(&mcr_head_cache), count * *size,
			       GFP_ATOMIC);
	if (!data || count == 1)
		return data;
	page_ref_add(virt_to_head_page(data), count - 1);
	heads->next = data + *size;
	heads->avail = count - 1;
	heads->headroom = headroom;
	heads->size = *size;
	return data;
}

/*
 * An empty skb with a head from heads, for linear bytes after at least
 * headroom. The sk_buff comes from, and on free goes back to, the slab's
 * per-CPU freelist (see mcr_build_skb()); the NAPI skb cache would hand
 * out sk_buffs that the outputs' devices free to the slab's slow path.
 */
VISIBLE_IF_KUNIT struct sk_buff *mcr_heads_skb(struct mcr_heads *heads,
					       unsigned int headroom)
{
	unsigned int size, reserve;
	struct sk_buff *nskb;
	void *data;

	data = mcr_heads_get(heads, headroom, &size, &reserve);
	if (!data)
		return NULL;
	nskb = mcr_build_skb(data, size);
	if (!nskb) {
		skb_free_frag(data);
		return NULL;
	}
	skb_reserve(nskb, reserve);
	return nskb;
}
EXPORT_SYMBOL_IF_KUNIT(mcr_heads_skb);

/*
 * Whether the checksum a sender left pending, if any, is the UDP one: the
 * prepared headers then carry it complete.
 */
static bool mcr_partial_csum_ok(const struct sk_buff *skb, unsigned int ihl)
{
	return skb->ip_summed != CHECKSUM_PARTIAL ||
	       (skb_checksum_start_offset(skb) == ihl &&
		skb->csum_offset == offsetof(struct udphdr, check));
}

/*
 * Prepare pkt from skb and its validated headers iph and uh, once for all
 * the outputs: what each would otherwise do for itself, the TTL decrement
 * and a pending UDP checksum (a local sender's, over veth), is done here.
 */
VISIBLE_IF_KUNIT void mcr_pkt_init(struct mcr_pkt *pkt,
				   const struct sk_buff *skb,
				   const struct iphdr *iph,
				   const struct udphdr *uh)
{
	struct udphdr *puh;

	pkt->len = ntohs(iph->tot_len);
	pkt->ihl = iph->ihl * 4;
	pkt->hdr_len = pkt->ihl + sizeof(*uh);
	pkt->ttl = iph->ttl;
	pkt->inner_csum = !mcr_partial_csum_ok(skb, pkt->ihl);
	memcpy(pkt->hdrs.bytes, iph, pkt->ihl);
	puh = (struct udphdr *)(pkt->hdrs.bytes + pkt->ihl);
	memcpy(puh, uh, sizeof(*uh));

	/* An output without a TTL of its own drops the packet at 1. */
	if (pkt->ttl > 1)
		ip_decrease_ttl(&pkt->hdrs.iph);
	if (skb->ip_summed == CHECKSUM_PARTIAL && !pkt->inner_csum) {
		/* The check field holds the pseudo-header sum: sum over it. */
		puh->check = csum_fold(skb_checksum(skb, pkt->ihl,
						    pkt->len - pkt->ihl, 0)) ?:
			     CSUM_MANGLED_0;
	}
}
EXPORT_SYMBOL_IF_KUNIT(mcr_pkt_init);

/*
 * A new skb with a head from heads (made for at least len bytes) that
 * holds hdrs (hdr_len bytes) followed by a private copy of skb's bytes
 * from hdr_len up to len, with skb's metadata: one output's headers, or
 * its whole packet. Its checksum state is CHECKSUM_NONE (a new sk_buff
 * starts zeroed), as the headers are complete.
 */
VISIBLE_IF_KUNIT struct sk_buff *mcr_pkt_copy(struct mcr_heads *heads,
					      unsigned int headroom,
					      const struct sk_buff *skb,
					      const void *hdrs,
					      unsigned int hdr_len,
					      unsigned int len)
{
	struct sk_buff *nskb;
	u8 *to;

	nskb = mcr_heads_skb(heads, headroom);
	if (!nskb)
		return NULL;
	/* Sized above: __skb_put() needs no check. */
	to = __skb_put(nskb, len);
	/* Without IP options, a copy of known size: a few moves, no call. */
	if (likely(hdr_len == sizeof(struct iphdr) + sizeof(struct udphdr)))
		memcpy(to, hdrs, sizeof(struct iphdr) + sizeof(struct udphdr));
	else
		memcpy(to, hdrs, hdr_len);
	if (len > hdr_len) {
		if (skb_headlen(skb) >= len)
			skb_copy_from_linear_data_offset(skb, hdr_len,
							 to + hdr_len,
							 len - hdr_len);
		else if (skb_copy_bits(skb, hdr_len, to + hdr_len,
				       len - hdr_len))
			goto free;
	}
	nskb->priority = skb->priority;
	nskb->mark = skb->mark;
	return nskb;

free:
	kfree_skb(nskb);
	return NULL;
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
 * A new skb with hdrs (hdr_len bytes) in its head, from heads, and page
 * references to owner's bytes from hdr_len up to len; owner passed
 * mcr_payload_shareable().
 */
VISIBLE_IF_KUNIT struct sk_buff *mcr_pkt_share(struct mcr_heads *heads,
					       unsigned int headroom,
					       const struct sk_buff *owner,
					       const void *hdrs,
					       unsigned int hdr_len,
					       unsigned int len)
{
	const struct skb_shared_info *shinfo = skb_shinfo(owner);
	unsigned int off, head_len, i, nfrags = 0;
	struct sk_buff *nskb;
	struct page *page;

	nskb = mcr_pkt_copy(heads, headroom, owner, hdrs, hdr_len, hdr_len);
	if (!nskb)
		return NULL;

	head_len = min(skb_headlen(owner), len);
	if (head_len > hdr_len) {
		page = virt_to_head_page(owner->head);
		off = owner->data + hdr_len - (u8 *)page_address(page);
		get_page(page);
		skb_fill_page_desc_noacc(nskb, nfrags++, page, off,
					 head_len - hdr_len);
	}
	/* The stack has trimmed nothing yet: stop at the IP length. */
	off = skb_headlen(owner);
	for (i = 0; i < shinfo->nr_frags && off < len; i++) {
		const skb_frag_t *frag = &shinfo->frags[i];
		unsigned int size = min(skb_frag_size(frag), len - off);

		page = skb_frag_page(frag);
		get_page(page);
		skb_fill_page_desc_noacc(nskb, nfrags++, page,
					 skb_frag_off(frag), size);
		off += size;
	}
	/* The references cost what the bytes do, as skb_add_rx_frag() has it. */
	skb_len_add(nskb, len - hdr_len);
	/*
	 * Other outputs send the same pages: a writer on this one's path
	 * (tc pedit, nft payload set, ESP in place) must copy them first.
	 */
	if (nfrags)
		skb_shinfo(nskb)->flags |= SKBFL_SHARED_FRAG;
	/* Pages from emergency reserves are not to reach ordinary sockets. */
	if (owner->pfmemalloc)
		nskb->pfmemalloc = 1;
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
 * A new skb with hdrs (hdr_len bytes) in its head, from heads, skb's
 * metadata, and a reference to payload (from mcr_payload_clone()) as its
 * fragment list.
 */
VISIBLE_IF_KUNIT struct sk_buff *mcr_pkt_chain(struct mcr_heads *heads,
					       unsigned int headroom,
					       const struct sk_buff *skb,
					       const void *hdrs,
					       unsigned int hdr_len,
					       struct sk_buff *payload)
{
	struct sk_buff *nskb;

	nskb = mcr_pkt_copy(heads, headroom, skb, hdrs, hdr_len, hdr_len);
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
 * Put pkt's prepared headers into skb, an output's own with writable
 * headers made from the received skb rather than by mcr_pkt_copy().
 */
static void mcr_skb_set_hdrs(struct sk_buff *skb, const struct mcr_pkt *pkt)
{
	memcpy(skb->data, pkt->hdrs.bytes, pkt->hdr_len);
	/* New skbs start without these: the input's are not the output's. */
	skb_clear_tstamp(skb);
	__vlan_hwaccel_clear_tag(skb);
	/*
	 * The UDP checksum is complete; a checksum still pending further on
	 * stays so. CHECKSUM_COMPLETE is not carried across a forward.
	 */
	if (!pkt->inner_csum)
		skb->ip_summed = CHECKSUM_NONE;
}

/*
 * Fallback for packets too big for a page fragment, or with a checksum
 * pending past the UDP header: a kmalloc'ed copy of the head, or for the
 * last output of a consuming rule the original itself, unshared.
 */
static struct sk_buff *mcr_output_skb(struct sk_buff *skb,
				      const struct net_device *dev,
				      const struct mcr_pkt *pkt, bool last)
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
	if (skb && skb_ensure_writable(skb, pkt->hdr_len)) {
		kfree_skb(skb);
		skb = NULL;
	}
	if (!skb)
		return NULL;
	mcr_skb_set_hdrs(skb, pkt);
	/* A copy's fragments are the original's and the other copies'. */
	if (skb_shinfo(skb)->nr_frags)
		skb_shinfo(skb)->flags |= SKBFL_SHARED_FRAG;
	return skb;
}

/*
 * Rewrite an address of the IP header and, when the datagram has one, of
 * the UDP checksum's pseudo-header.
 */
static void mcr_set_addr(struct iphdr *iph, struct udphdr *uh, __be32 *addr,
			 __be32 new)
{
	if (uh->check) {
		csum_replace4(&uh->check, *addr, new);
		if (!uh->check)
			uh->check = CSUM_MANGLED_0;
	}
	csum_replace4(&iph->check, *addr, new);
	*addr = new;
}

static void mcr_set_port(struct udphdr *uh, __be16 port)
{
	if (uh->check) {
		csum_replace2(&uh->check, uh->dest, port);
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

/*
 * Rewrite the prepared headers at iph (see mcr_pkt_init()), with the UDP
 * header ihl bytes on, for out. Returns 0 when they are rewritten, else
 * the drop reason.
 */
VISIBLE_IF_KUNIT int mcr_rewrite(const struct mcr_output *out,
				 struct iphdr *iph, unsigned int ihl)
{
	struct udphdr *uh = (struct udphdr *)((u8 *)iph + ihl);
	__be32 saddr;

	if (out->rewrite_daddr)
		mcr_set_addr(iph, uh, &iph->daddr, out->daddr);
	saddr = out->source_auto ? mcr_dev_primary_addr(out->dev) : out->saddr;
	if (out->source_auto && !saddr)
		return MCR_DROP_XMIT;
	if (saddr && saddr != iph->saddr)
		mcr_set_addr(iph, uh, &iph->saddr, saddr);
	if (out->port && out->port != uh->dest)
		mcr_set_port(uh, out->port);
	if (out->ttl)
		mcr_set_ttl(iph, out->ttl);
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
	/* Every output's skb has LL_RESERVED_SPACE(), 16 bytes at least. */
	eth = __skb_push(skb, ETH_HLEN);
	ether_addr_copy(eth->h_dest, out->dmac);
	ether_addr_copy(eth->h_source, dev->dev_addr);
	eth->h_proto = htons(ETH_P_IP);
	return ETH_HLEN;
}

/*
 * Multicast to unicast: resolve the next hop as ip_output does. Not
 * inlined: the lookup key's stack slot would put a stack protector on
 * every output's path.
 */
static noinline_for_stack int mcr_neigh_xmit(struct sk_buff *skb)
{
	struct neighbour *neigh;

	neigh = ip_neigh_gw4(skb->dev, ip_hdr(skb)->daddr);
	if (IS_ERR_OR_NULL(neigh)) {
		kfree_skb(skb);
		return -ENOBUFS;
	}
	return neigh_output(neigh, skb, false);
}

static int mcr_transmit(const struct mcr_output *out, struct sk_buff *skb)
{
	struct net_device *dev = out->dev;

	skb->dev = dev;
	skb->protocol = htons(ETH_P_IP);

	if (out->dmac_valid || !dev->header_ops) {
		if (out->dmac_valid && mcr_hard_header(skb, out) < 0) {
			kfree_skb(skb);
			return -EINVAL;
		}
		return dev_queue_xmit(skb);
	}
	return mcr_neigh_xmit(skb);
}

void mcr_outputs_drop(const struct mcr_outputs *outs,
		      enum mcr_drop_reason reason)
{
	unsigned int i;

	for (i = 0; i < outs->count; i++)
		mcr_output_drop(&outs->out[i], reason);
}

/* Why out cannot take pkt, or 0. */
static int mcr_output_check(const struct mcr_output *out,
			    const struct mcr_pkt *pkt)
{
	const struct net_device *dev = out->dev;

	/* A device that is down or has no carrier sends nothing: no copy. */
	if (unlikely(!netif_running(dev) || !netif_carrier_ok(dev)))
		return MCR_DROP_XMIT;
	if (!out->ttl && pkt->ttl <= 1)
		return MCR_DROP_TTL;
	if (pkt->len > READ_ONCE(out->dev->mtu))
		return MCR_DROP_TOO_BIG;
	return 0;
}

/*
 * Rewrite nskb, this output's own, holding pkt's prepared headers, for out
 * and send it; consumes nskb.
 */
static void mcr_output_send(const struct mcr_output *out,
			    struct sk_buff *nskb, const struct mcr_pkt *pkt)
{
	int reason, rc;

	/* Drop the link layer's padding of short frames. */
	if (pskb_trim_rcsum(nskb, pkt->len)) {
		reason = MCR_DROP_NOMEM;
		goto drop;
	}
	skb_reset_network_header(nskb);
	skb_set_transport_header(nskb, pkt->ihl);
	if (out->rewrites) {
		reason = mcr_rewrite(out, ip_hdr(nskb), pkt->ihl);
		if (reason)
			goto drop;
	}
	/* Only with inner_csum: every relayed packet leaves checksummed. */
	if (nskb->ip_summed == CHECKSUM_PARTIAL && skb_checksum_help(nskb)) {
		reason = MCR_DROP_NOMEM;
		goto drop;
	}

	__this_cpu_inc(mcr_xmit_recursion);
	rc = mcr_transmit(out, nskb);
	__this_cpu_dec(mcr_xmit_recursion);
	/*
	 * Not net_xmit_eval(): NET_XMIT_CN is what noop_qdisc, a stopped
	 * device's, returns for a packet it dropped. Count it a drop, as
	 * act_mirred counts it an overlimit.
	 */
	if (rc != NET_XMIT_SUCCESS)
		mcr_output_drop(out, MCR_DROP_XMIT);
	else
		mcr_output_count(out, pkt->len);
	return;

drop:
	kfree_skb(nskb);
	mcr_output_drop(out, reason);
}

/* Every output gets a kmalloc'ed copy (see mcr_output_skb()). */
static void mcr_outputs_xmit_copy(const struct mcr_outputs *outs,
				  struct sk_buff *skb,
				  const struct mcr_pkt *pkt, bool consume)
{
	unsigned int i, n = outs->count;

	for (i = 0; i < n; i++) {
		const struct mcr_output *out = &outs->out[i];
		bool last = consume && i == n - 1;
		struct sk_buff *nskb;
		int reason;

		reason = mcr_output_check(out, pkt);
		if (reason) {
			if (last)
				kfree_skb(skb);
			mcr_output_drop(out, reason);
			continue;
		}
		nskb = mcr_output_skb(skb, out->dev, pkt, last);
		if (!nskb) {
			mcr_output_drop(out, MCR_DROP_NOMEM);
			continue;
		}
		mcr_output_send(out, nskb, pkt);
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
 * This output's own skb made from src, with a head from heads: pkt's
 * headers followed by payload (the shared fragment list) or by page
 * references to src's payload (share_pages), or by a copy of the rest of
 * the packet.
 */
static struct sk_buff *mcr_output_new_skb(const struct mcr_output *out,
					  struct mcr_heads *heads,
					  struct sk_buff *src,
					  struct sk_buff *payload,
					  const struct mcr_pkt *pkt,
					  bool share_pages)
{
	unsigned int headroom = LL_RESERVED_SPACE(out->dev);
	const u8 *hdrs = pkt->hdrs.bytes;
	struct sk_buff *nskb;

	if (payload)
		return mcr_pkt_chain(heads, headroom, src, hdrs, pkt->hdr_len,
				     payload);
	if (share_pages)
		return mcr_pkt_share(heads, headroom, src, hdrs, pkt->hdr_len,
				     pkt->len);
	nskb = mcr_pkt_copy(heads, headroom, src, hdrs, pkt->hdr_len,
			    pkt->len);
	/* Too big for a page fragment, or no memory. */
	return nskb ?: mcr_output_skb(src, out->dev, pkt, false);
}

/*
 * Every output gets its own skb made from src (see mcr_output_new_skb()).
 * When src is ours (owned) and every output copies what it sends from it,
 * the last output sends src itself, if sendable. When the outputs point at
 * src's bytes (payload or share_pages), none may send src: a writer on that
 * output's path would change what the others send. An owned src is
 * consumed; payload is not.
 */
static void mcr_outputs_xmit_from(const struct mcr_outputs *outs,
				  struct sk_buff *src, struct sk_buff *payload,
				  const struct mcr_pkt *pkt, bool owned,
				  bool share_pages)
{
	bool last_takes_src = owned && !payload && !share_pages;
	unsigned int i, n = outs->count;
	struct mcr_heads heads;

	mcr_heads_init(&heads, payload || share_pages ? pkt->hdr_len : pkt->len,
		       last_takes_src ? n - 1 : n);
	for (i = 0; i < n; i++) {
		const struct mcr_output *out = &outs->out[i];
		struct sk_buff *nskb;
		int reason;

		reason = mcr_output_check(out, pkt);
		if (reason) {
			mcr_output_drop(out, reason);
			continue;
		}
		if (last_takes_src && i == n - 1 &&
		    mcr_skb_sendable(src, pkt->hdr_len, out->dev)) {
			nskb = src;
			src = NULL;
			mcr_skb_set_hdrs(nskb, pkt);
		} else {
			nskb = mcr_output_new_skb(out, &heads, src, payload,
						  pkt, share_pages);
			if (!nskb) {
				mcr_output_drop(out, MCR_DROP_NOMEM);
				continue;
			}
		}
		mcr_output_send(out, nskb, pkt);
	}
	mcr_heads_release(&heads);
	/* Outputs that share the payload hold their own page references. */
	if (owned && src)
		consume_skb(src);
}

/*
 * Send skb, an IPv4 UDP packet whose headers iph and uh the hook has
 * validated, on every output of outs (at least one). With consume set the
 * caller hands skb over.
 */
void mcr_outputs_xmit(const struct mcr_outputs *outs, struct sk_buff *skb,
		      const struct iphdr *iph, const struct udphdr *uh,
		      bool consume)
{
	unsigned int n = outs->count;
	struct sk_buff *owner, *payload;
	struct mcr_heads heads;
	struct mcr_pkt pkt;

	/*
	 * An output that loops back into a hook brings the packet here again:
	 * bound that as nf_dup_netdev does. Sending does not change the
	 * depth, so one check serves all outputs.
	 */
	if (unlikely(__this_cpu_read(mcr_xmit_recursion) >
		     MCR_XMIT_RECURSION_LIMIT)) {
		if (consume)
			kfree_skb(skb);
		mcr_outputs_drop(outs, MCR_DROP_XMIT);
		return;
	}
	/* iph and uh may point into skb, freed below. */
	mcr_pkt_init(&pkt, skb, iph, uh);
	if (pkt.inner_csum) {
		mcr_outputs_xmit_copy(outs, skb, &pkt, consume);
		return;
	}
	if (pkt.len <= MCR_COPYBREAK || (consume && n == 1)) {
		mcr_outputs_xmit_from(outs, skb, NULL, &pkt, consume, false);
		return;
	}
	if (consume && mcr_payload_shareable(skb, pkt.hdr_len, pkt.ihl)) {
		owner = skb_share_check(skb, GFP_ATOMIC);
		if (!owner) {
			mcr_outputs_drop(outs, MCR_DROP_NOMEM);
			return;
		}
		mcr_outputs_xmit_from(outs, owner, NULL, &pkt, true, true);
		return;
	}
	if (mcr_outputs_take_fraglist(outs)) {
		payload = mcr_payload_clone(skb, pkt.hdr_len, pkt.len);
		if (payload) {
			mcr_outputs_xmit_from(outs, skb, payload, &pkt, false,
					      false);
			consume_skb(payload);
			if (consume)
				consume_skb(skb);
			return;
		}
	}
	if (n == 1) {
		mcr_outputs_xmit_from(outs, skb, NULL, &pkt, consume, false);
		return;
	}
	/* A private copy that the outputs point at; none sends it. */
	mcr_heads_init(&heads, pkt.len, 1);
	owner = mcr_pkt_copy(&heads, 0, skb, pkt.hdrs.bytes, pkt.hdr_len,
			     pkt.len);
	if (!owner) {
		/* Too big for a page fragment. */
		mcr_outputs_xmit_copy(outs, skb, &pkt, consume);
		return;
	}
	if (consume)
		consume_skb(skb);
	mcr_outputs_xmit_from(outs, owner, NULL, &pkt, true, true);
}

/* At module exit, when no hook runs any more: give back each CPU's page. */
void mcr_xmit_exit(void)
{
	int cpu;

	for_each_possible_cpu(cpu)
		page_frag_cache_drain(per_cpu_ptr(&mcr_head_cache, cpu));
}
