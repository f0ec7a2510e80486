// SPDX-License-Identifier: GPL-2.0
/*
 * mcr: per-output rewrite and transmit. Each output sends an skb of its
 * own whose IP and UDP headers no one else sees; the payload after them is
 * shared read-only where that saves a copy per output.
 */
#include <linux/if_vlan.h>
#include <linux/inetdevice.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <net/addrconf.h>
#include <net/checksum.h>
#include <net/ip.h>
#include <net/ip6_route.h>
#include <net/ipv6.h>
#include <net/neighbour.h>
#include <net/route.h>

#include "compat.h"
#include "mcr.h"

/* As nf_dup_netdev: bound re-entry when an output loops back to a hook. */
#define MCR_XMIT_RECURSION_LIMIT	2

static DEFINE_PER_CPU(u8, mcr_xmit_recursion);

/*
 * Packets up to this many bytes are copied whole for each output, like a
 * driver's rx_copybreak: a copy this short costs less than sharing the
 * payload and dropping the share again.
 */
#define MCR_COPYBREAK	256

/* The counter each drop reason of an output counts in. */
static enum mcr_drop_reason mcr_drop_counter(enum skb_drop_reason reason)
{
	switch (reason) {
	case SKB_DROP_REASON_IP_INHDR:
		return MCR_DROP_TTL;
	case SKB_DROP_REASON_PKT_TOO_BIG:
		return MCR_DROP_TOO_BIG;
	case SKB_DROP_REASON_NOMEM:
		return MCR_DROP_NOMEM;
	default:
		return MCR_DROP_XMIT;
	}
}

static void mcr_output_count(const struct mcr_output *out, unsigned int len)
{
	struct mcr_output_pcpu_stats *s = this_cpu_ptr(out->stats);

	u64_stats_update_begin(&s->syncp);
	u64_stats_inc(&s->packets);
	u64_stats_add(&s->bytes, len);
	u64_stats_update_end(&s->syncp);
}

static void mcr_output_drop(const struct mcr_output *out,
			    enum skb_drop_reason reason)
{
	struct mcr_output_pcpu_stats *s = this_cpu_ptr(out->stats);

	u64_stats_update_begin(&s->syncp);
	u64_stats_inc(&s->drops[mcr_drop_counter(reason)]);
	u64_stats_update_end(&s->syncp);
}

void mcr_outputs_drop(const struct mcr_outputs *outs,
		      enum skb_drop_reason reason)
{
	unsigned int i;

	for (i = 0; i < outs->count; i++)
		mcr_output_drop(&outs->out[i], reason);
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
 * Whether the checksum a sender left pending, if any, is the UDP one: the
 * prepared headers then carry it complete.
 */
static bool mcr_partial_csum_ok(const struct sk_buff *skb,
				unsigned int nh_len)
{
	return skb->ip_summed != CHECKSUM_PARTIAL ||
	       mcr_udp_csum_pending(skb, nh_len);
}

/*
 * The UDP checksum a local sender left pending (over veth), completed: the
 * check field holds the pseudo-header sum, so the sum runs over it.
 */
static void mcr_pkt_complete_csum(const struct mcr_pkt *pkt,
				  const struct sk_buff *skb, struct udphdr *puh)
{
	puh->check = csum_fold(skb_checksum(skb, pkt->nh_len,
					    pkt->len - pkt->nh_len, 0)) ?:
		     CSUM_MANGLED_0;
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
	pkt->nh_len = iph->ihl * 4;
	pkt->hdr_len = pkt->nh_len + sizeof(*uh);
	pkt->ttl = iph->ttl;
	pkt->ipv6 = false;
	pkt->inner_csum = !mcr_partial_csum_ok(skb, pkt->nh_len);
	memcpy(pkt->hdrs.bytes, iph, pkt->nh_len);
	puh = (struct udphdr *)(pkt->hdrs.bytes + pkt->nh_len);
	memcpy(puh, uh, sizeof(*uh));

	/* An output without a TTL of its own drops the packet at 1. */
	if (pkt->ttl > 1)
		ip_decrease_ttl(&pkt->hdrs.iph);
	if (skb->ip_summed == CHECKSUM_PARTIAL && !pkt->inner_csum)
		mcr_pkt_complete_csum(pkt, skb, puh);
}
EXPORT_SYMBOL_IF_KUNIT(mcr_pkt_init);

/*
 * mcr_pkt_init() for IPv6: skb's headers, which the hook has validated,
 * are nh_len bytes of IPv6 header and extension headers (kept as they are)
 * and a UDP header, from skb->data on. Fails only if skb is shorter.
 */
VISIBLE_IF_KUNIT int mcr_pkt_init6(struct mcr_pkt *pkt,
				   const struct sk_buff *skb,
				   const struct ipv6hdr *ip6h,
				   unsigned int nh_len)
{
	struct udphdr *puh;

	pkt->len = sizeof(*ip6h) + ntohs(ip6h->payload_len);
	pkt->nh_len = nh_len;
	pkt->hdr_len = nh_len + sizeof(*puh);
	pkt->ttl = ip6h->hop_limit;
	pkt->ipv6 = true;
	pkt->inner_csum = !mcr_partial_csum_ok(skb, nh_len);
	if (skb_copy_bits(skb, 0, pkt->hdrs.bytes, pkt->hdr_len))
		return -EFAULT;
	puh = (struct udphdr *)(pkt->hdrs.bytes + nh_len);

	if (pkt->ttl > 1)
		pkt->hdrs.ip6h.hop_limit--;
	if (skb->ip_summed == CHECKSUM_PARTIAL && !pkt->inner_csum)
		mcr_pkt_complete_csum(pkt, skb, puh);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(mcr_pkt_init6);

/*
 * The heads of the skbs mcr builds are page fragments, as a driver's
 * receive buffers: build_skb() on one costs no more than the bytes it
 * holds, where a kmalloc'ed head is rounded up to its slab size and, with
 * init_on_alloc, zeroed whole. They come from a fragment cache of mcr's
 * own: in the receive path's (napi_alloc_frag()), a head would share its
 * page with received packets still in flight, such as the one being
 * relayed, and the cache would take (and zero) a new page every few
 * dozen heads. Only the ingress hook, in BH context, allocates from it.
 */
static DEFINE_PER_CPU(struct page_frag_cache, mcr_frag_cache);

/* An empty skb with headroom bytes of headroom and room for len more. */
static struct sk_buff *mcr_alloc_skb(unsigned int headroom, unsigned int len)
{
	unsigned int size = SKB_DATA_ALIGN(headroom + len) +
			    SKB_DATA_ALIGN(sizeof(struct skb_shared_info));
	struct sk_buff *skb;
	void *data;

	if (size > PAGE_SIZE)
		return NULL;
	data = page_frag_alloc(this_cpu_ptr(&mcr_frag_cache), size,
			       GFP_ATOMIC);
	if (!data)
		return NULL;
	skb = build_skb(data, size);
	if (!skb) {
		skb_free_frag(data);
		return NULL;
	}
	skb_reserve(skb, headroom);
	return skb;
}

/*
 * A new skb with headroom bytes of headroom that holds hdrs (hdr_len
 * bytes) followed by a copy of skb's bytes from hdr_len up to len, with
 * skb's priority and mark. Its checksum state is CHECKSUM_NONE (build_skb()
 * zeroes it): the headers are complete. NULL when too big for a page.
 */
VISIBLE_IF_KUNIT struct sk_buff *mcr_pkt_copy(unsigned int headroom,
					      const struct sk_buff *skb,
					      const void *hdrs,
					      unsigned int hdr_len,
					      unsigned int len)
{
	struct sk_buff *nskb;
	u8 *to;

	nskb = mcr_alloc_skb(headroom, len);
	if (!nskb)
		return NULL;
	to = __skb_put(nskb, len);
	/* Without IP options, a copy of known size: a few moves, no call. */
	if (likely(hdr_len == sizeof(struct iphdr) + sizeof(struct udphdr)))
		memcpy(to, hdrs, sizeof(struct iphdr) + sizeof(struct udphdr));
	else
		memcpy(to, hdrs, hdr_len);
	if (len <= hdr_len)
		goto out;
	if (skb_headlen(skb) >= len)
		skb_copy_from_linear_data_offset(skb, hdr_len, to + hdr_len,
						 len - hdr_len);
	else if (skb_copy_bits(skb, hdr_len, to + hdr_len, len - hdr_len))
		goto free;
out:
	nskb->priority = skb->priority;
	nskb->mark = skb->mark;
	return nskb;

free:
	kfree_skb(nskb);
	return NULL;
}
EXPORT_SYMBOL_IF_KUNIT(mcr_pkt_copy);

/*
 * Whether outputs may take page references to skb's payload: the headers
 * are linear, the head is a page fragment, and no fragment needs care
 * (page pool, user pages, a fragment list) or would overflow the new skb.
 */
VISIBLE_IF_KUNIT bool mcr_payload_shareable(struct sk_buff *skb,
					    unsigned int hdr_len,
					    unsigned int nh_len)
{
	return skb->head_frag && !skb->pp_recycle && !skb_zcopy(skb) &&
	       !skb_has_frag_list(skb) && skb_headlen(skb) >= hdr_len &&
	       skb_shinfo(skb)->nr_frags < MAX_SKB_FRAGS &&
	       mcr_partial_csum_ok(skb, nh_len);
}
EXPORT_SYMBOL_IF_KUNIT(mcr_payload_shareable);

/*
 * A new skb with hdrs (hdr_len bytes) in its head and page references to
 * owner's bytes from hdr_len up to len; owner passed
 * mcr_payload_shareable(). The fragments are marked shared, as
 * skb_splice_bits() and pskb_copy() mark theirs: a writer on this output's
 * path (tc pedit, nft payload set, ESP in place) copies before writing.
 */
VISIBLE_IF_KUNIT struct sk_buff *mcr_pkt_share(unsigned int headroom,
					       const struct sk_buff *owner,
					       const void *hdrs,
					       unsigned int hdr_len,
					       unsigned int len)
{
	const struct skb_shared_info *shinfo = skb_shinfo(owner);
	unsigned int off, head_len, i, nfrags = 0;
	struct sk_buff *nskb;
	struct page *page;

	nskb = mcr_pkt_copy(headroom, owner, hdrs, hdr_len, hdr_len);
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
	skb_len_add(nskb, len - hdr_len);
	if (nfrags)
		skb_shinfo(nskb)->flags |= SKBFL_SHARED_FRAG;
	/* Pages from emergency reserves are not to reach ordinary sockets. */
	if (owner->pfmemalloc)
		nskb->pfmemalloc = 1;
	return nskb;
}
EXPORT_SYMBOL_IF_KUNIT(mcr_pkt_share);

/*
 * The bytes of skb from hdr_len up to len, the UDP payload, as a clone of
 * skb for outputs to hold in their fragment lists (see mcr_pkt_chain()).
 * While any output holds it, skb is cloned: the local stack copies before
 * it writes, and so does a writer on an output's path.
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
 * A new skb with hdrs (hdr_len bytes) in its head, skb's priority and
 * mark, and a reference to payload (from mcr_payload_clone()) as its
 * fragment list.
 */
VISIBLE_IF_KUNIT struct sk_buff *mcr_pkt_chain(unsigned int headroom,
					       const struct sk_buff *skb,
					       const void *hdrs,
					       unsigned int hdr_len,
					       struct sk_buff *payload)
{
	struct sk_buff *nskb;

	nskb = mcr_pkt_copy(headroom, skb, hdrs, hdr_len, hdr_len);
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
	 * Nor with the sender's socket (a local one's, over veth), which
	 * ip_rcv_core() orphans, or the input's dst: a collect_md tunnel's
	 * receive metadata would steer a collect_md output.
	 */
	skb_orphan(skb);
	skb_dst_drop(skb);
	/*
	 * The UDP checksum is complete; a checksum still pending further on
	 * stays so. CHECKSUM_COMPLETE is not carried across a forward.
	 */
	if (!pkt->inner_csum)
		skb->ip_summed = CHECKSUM_NONE;
}

/*
 * An output's skb made with the kernel's generic copy: for packets too big
 * for a page, or with a checksum pending past the UDP header (a UDP
 * tunnel's inner one), which stays pending. With take, skb itself, which
 * the caller hands over.
 */
static struct sk_buff *mcr_pskb_copy(struct sk_buff *skb,
				     const struct net_device *dev,
				     const struct mcr_pkt *pkt, bool take)
{
	unsigned int headroom = LL_RESERVED_SPACE(dev);

	if (take) {
		skb = skb_share_check(skb, GFP_ATOMIC);
		if (skb && skb_cow_head(skb, headroom)) {
			kfree_skb_reason(skb, SKB_DROP_REASON_NOMEM);
			skb = NULL;
		}
	} else {
		int moved = headroom - skb_headroom(skb);

		/*
		 * __pskb_copy() keeps the header offsets, csum_start among
		 * them, as they were from the old head: move them too.
		 */
		skb = __pskb_copy(skb, headroom, GFP_ATOMIC);
		if (skb)
			skb_headers_offset_update(skb, moved);
	}
	if (skb && skb_ensure_writable(skb, pkt->hdr_len)) {
		kfree_skb_reason(skb, SKB_DROP_REASON_NOMEM);
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
 * header ihl bytes on, for out. Returns why it cannot (source auto on a
 * device without an IPv4 address), else SKB_NOT_DROPPED_YET.
 */
VISIBLE_IF_KUNIT enum skb_drop_reason mcr_rewrite(const struct mcr_output *out,
						  struct iphdr *iph,
						  unsigned int ihl)
{
	struct udphdr *uh = (struct udphdr *)((u8 *)iph + ihl);
	__be32 saddr;

	if (out->rewrite_daddr)
		mcr_set_addr(iph, uh, &iph->daddr, out->daddr.ip);
	saddr = out->source_auto ? mcr_dev_primary_addr(out->dev) :
				   out->saddr.ip;
	if (out->source_auto && !saddr)
		return SKB_DROP_REASON_IP_OUTNOROUTES;
	if (saddr && saddr != iph->saddr)
		mcr_set_addr(iph, uh, &iph->saddr, saddr);
	if (out->port && out->port != uh->dest)
		mcr_set_port(uh, out->port);
	if (out->ttl)
		mcr_set_ttl(iph, out->ttl);
	return SKB_NOT_DROPPED_YET;
}
EXPORT_SYMBOL_IF_KUNIT(mcr_rewrite);

/*
 * How a checksum over an IPv6 address changes when it becomes new: as
 * inet_proto_csum_replace16() sums the difference.
 */
static __wsum mcr_addr6_csum_diff(const struct in6_addr *old,
				  const struct in6_addr *new)
{
	const __be32 diff[] = {
		~old->s6_addr32[0], ~old->s6_addr32[1],
		~old->s6_addr32[2], ~old->s6_addr32[3],
		new->s6_addr32[0], new->s6_addr32[1],
		new->s6_addr32[2], new->s6_addr32[3],
	};

	return csum_partial(diff, sizeof(diff), 0);
}

/*
 * Change the UDP checksum, which IPv6 always has (the hook relays no zero
 * one), by diff, as inet_proto_csum_replace_by_diff() does.
 */
static void mcr_udp6_csum_change(struct udphdr *uh, __wsum diff)
{
	uh->check = csum_fold(csum_add(diff, ~csum_unfold(uh->check))) ?:
		    CSUM_MANGLED_0;
}

/* Rewrite an IPv6 address of the UDP checksum's pseudo-header. */
static void mcr_set_addr6(struct udphdr *uh, struct in6_addr *addr,
			  const struct in6_addr *new)
{
	mcr_udp6_csum_change(uh, mcr_addr6_csum_diff(addr, new));
	*addr = *new;
}

/*
 * Set what out's destination rewrite takes, for a rule whose group is
 * group, once out->daddr is set. A rule matches its group exactly, so
 * every packet out sends arrived for group, and the change of an IPv6
 * UDP checksum is the same for all: summed here rather than per packet.
 */
void mcr_output_set_group(struct mcr_output *out, u8 family,
			  const union mcr_addr *group)
{
	out->rewrite_daddr = !ipv6_addr_equal(&out->daddr.in6, &group->in6);
	if (family == AF_INET6)
		out->daddr_csum = mcr_addr6_csum_diff(&group->in6,
						      &out->daddr.in6);
}
EXPORT_SYMBOL_IF_KUNIT(mcr_output_set_group);

/*
 * mcr_rewrite() for IPv6, whose header has no checksum. Source auto takes
 * the address source selection picks for the destination on the device
 * (RFC 6724), as a socket bound to it would send from.
 */
VISIBLE_IF_KUNIT enum skb_drop_reason mcr_rewrite6(const struct mcr_output *out,
						   struct ipv6hdr *ip6h,
						   unsigned int nh_len)
{
	struct udphdr *uh = (struct udphdr *)((u8 *)ip6h + nh_len);
	struct in6_addr saddr = out->saddr.in6;

	if (out->rewrite_daddr) {
		/* From the rule's group: see mcr_output_set_group(). */
		mcr_udp6_csum_change(uh, out->daddr_csum);
		ip6h->daddr = out->daddr.in6;
	}
	if (out->source_auto &&
	    ipv6_dev_get_saddr(dev_net(out->dev), out->dev, &ip6h->daddr, 0,
			       &saddr))
		return SKB_DROP_REASON_IP_OUTNOROUTES;
	if (!ipv6_addr_any(&saddr) && !ipv6_addr_equal(&saddr, &ip6h->saddr))
		mcr_set_addr6(uh, &ip6h->saddr, &saddr);
	if (out->port && out->port != uh->dest)
		mcr_set_port(uh, out->port);
	if (out->ttl)
		ip6h->hop_limit = out->ttl;
	return SKB_NOT_DROPPED_YET;
}
EXPORT_SYMBOL_IF_KUNIT(mcr_rewrite6);

/*
 * The route of a unicast destination out of dev, in dev's table (its VRF's
 * when it has one), as a socket bound to dev would have it: the next hop
 * may be a gateway. NULL unless the route leaves through dev.
 */
static struct rtable *mcr_route(struct net_device *dev, __be32 daddr)
{
	struct flowi4 fl4 = {
		.flowi4_oif = dev->ifindex,
		.flowi4_proto = IPPROTO_UDP,
		.daddr = daddr,
	};
	struct rtable *rt;

	rt = ip_route_output_key(dev_net(dev), &fl4);
	if (IS_ERR(rt))
		return NULL;
	if (rt->rt_type != RTN_UNICAST || rt->dst.dev != dev) {
		ip_rt_put(rt);
		return NULL;
	}
	return rt;
}

/*
 * Send skb, with complete IP headers, out of skb->dev as ip_finish_output2()
 * does: through the neighbour of its next hop, which puts on the link
 * layer header the device takes now (a multicast MAC, a unicast next hop's
 * resolved MAC, or none for an L3 device: a tunnel, WireGuard, tun). A
 * unicast next hop not resolved yet drops the packet and starts resolving
 * rather than queueing it uncounted. Consumes skb and the reference to dst,
 * the unicast route the next hop came from, if any.
 */
static enum skb_drop_reason mcr_neigh_output(struct sk_buff *skb,
					     struct neighbour *neigh,
					     struct dst_entry *dst,
					     bool is_v6gw)
{
	enum skb_drop_reason reason;

	if (IS_ERR_OR_NULL(neigh)) {
		reason = SKB_DROP_REASON_NEIGH_CREATEFAIL;
		goto drop;
	}
	if (unlikely(!(READ_ONCE(neigh->nud_state) & NUD_VALID))) {
		neigh_event_send(neigh, NULL);
		reason = SKB_DROP_REASON_NEIGH_FAILED;
		goto drop;
	}
	/*
	 * Not net_xmit_eval(): NET_XMIT_CN is what noop_qdisc, a stopped
	 * device's, returns for a packet it dropped. Count it a drop, as
	 * act_mirred counts it an overlimit.
	 */
	reason = neigh_output(neigh, skb, is_v6gw) == NET_XMIT_SUCCESS ?
		 SKB_NOT_DROPPED_YET : SKB_DROP_REASON_DEV_READY;
	dst_release(dst);
	return reason;

drop:
	dst_release(dst);
	kfree_skb_reason(skb, reason);
	return reason;
}

/* Send skb, an IPv4 packet, as mcr_neigh_output() says. */
static enum skb_drop_reason mcr_neigh_xmit(struct sk_buff *skb)
{
	__be32 daddr = ip_hdr(skb)->daddr;
	struct dst_entry *dst = NULL;
	struct rtable *rt = NULL;
	struct neighbour *neigh;
	bool is_v6gw = false;

	if (ipv4_is_multicast(daddr)) {
		neigh = ip_neigh_gw4(skb->dev, daddr);
	} else {
		rt = mcr_route(skb->dev, daddr);
		if (!rt) {
			kfree_skb_reason(skb, SKB_DROP_REASON_IP_OUTNOROUTES);
			return SKB_DROP_REASON_IP_OUTNOROUTES;
		}
		dst = &rt->dst;
		neigh = ip_neigh_for_gw(rt, skb, &is_v6gw);
	}
	return mcr_neigh_output(skb, neigh, dst, is_v6gw);
}

/*
 * The route of a unicast IPv6 destination out of dev, as mcr_route(): NULL
 * unless it leaves through dev.
 */
static struct dst_entry *mcr_route6(struct net_device *dev,
				    const struct in6_addr *daddr)
{
	struct flowi6 fl6 = {
		.flowi6_oif = dev->ifindex,
		.flowi6_proto = IPPROTO_UDP,
		.daddr = *daddr,
	};
	struct dst_entry *dst;

	dst = ip6_route_output(dev_net(dev), NULL, &fl6);
	if (dst->error || dst->dev != dev) {
		dst_release(dst);
		return NULL;
	}
	return dst;
}

/* mcr_neigh_xmit() for IPv6: multicast MACs are 33:33 and the group's. */
static enum skb_drop_reason mcr_neigh_xmit6(struct sk_buff *skb)
{
	struct in6_addr daddr = ipv6_hdr(skb)->daddr;
	struct dst_entry *dst = NULL;
	struct neighbour *neigh;

	if (ipv6_addr_is_multicast(&daddr)) {
		neigh = ip_neigh_gw6(skb->dev, &daddr);
	} else {
		dst = mcr_route6(skb->dev, &daddr);
		if (!dst) {
			kfree_skb_reason(skb, SKB_DROP_REASON_IP_OUTNOROUTES);
			return SKB_DROP_REASON_IP_OUTNOROUTES;
		}
		neigh = ip_neigh_gw6(skb->dev,
				     rt6_nexthop(dst_rt6_info(dst), &daddr));
	}
	return mcr_neigh_output(skb, neigh, dst, false);
}

/* Why out cannot take pkt, or SKB_NOT_DROPPED_YET. */
static enum skb_drop_reason mcr_output_check(const struct mcr_output *out,
					     const struct mcr_pkt *pkt)
{
	const struct net_device *dev = out->dev;

	/* A device that is down or has no carrier sends nothing: no copy. */
	if (unlikely(!netif_running(dev) || !netif_carrier_ok(dev)))
		return SKB_DROP_REASON_DEV_READY;
	/* As ip6_output() drops what would leave a device without IPv6. */
	if (pkt->ipv6 && unlikely(mcr_dev_ipv6_disabled(dev)))
		return SKB_DROP_REASON_IPV6DISABLED;
	/* As ip_forward() drops a packet whose TTL runs out. */
	if (!out->ttl && pkt->ttl <= 1)
		return SKB_DROP_REASON_IP_INHDR;
	if (pkt->len > READ_ONCE(dev->mtu))
		return SKB_DROP_REASON_PKT_TOO_BIG;
	return SKB_NOT_DROPPED_YET;
}

/*
 * Rewrite nskb, this output's own, holding pkt's prepared headers, for out
 * and send it; consumes nskb.
 */
static void mcr_output_send(const struct mcr_output *out,
			    struct sk_buff *nskb, const struct mcr_pkt *pkt)
{
	enum skb_drop_reason reason;

	/* Drop the link layer's padding of short frames. */
	if (pskb_trim_rcsum(nskb, pkt->len)) {
		reason = SKB_DROP_REASON_NOMEM;
		goto drop;
	}
	skb_reset_network_header(nskb);
	skb_set_transport_header(nskb, pkt->nh_len);
	if (out->rewrites) {
		reason = pkt->ipv6 ?
			 mcr_rewrite6(out, ipv6_hdr(nskb), pkt->nh_len) :
			 mcr_rewrite(out, ip_hdr(nskb), pkt->nh_len);
		if (reason)
			goto drop;
	}
	/* Only with inner_csum: every relayed packet leaves checksummed. */
	if (nskb->ip_summed == CHECKSUM_PARTIAL && skb_checksum_help(nskb)) {
		reason = SKB_DROP_REASON_SKB_CSUM;
		goto drop;
	}
	nskb->dev = out->dev;
	nskb->protocol = pkt->ipv6 ? htons(ETH_P_IPV6) : htons(ETH_P_IP);

	__this_cpu_inc(mcr_xmit_recursion);
	reason = pkt->ipv6 ? mcr_neigh_xmit6(nskb) : mcr_neigh_xmit(nskb);
	__this_cpu_dec(mcr_xmit_recursion);
	if (reason)
		mcr_output_drop(out, reason);
	else
		mcr_output_count(out, pkt->len);
	return;

drop:
	kfree_skb_reason(nskb, reason);
	mcr_output_drop(out, reason);
}

/*
 * How every output of one packet gets its skb. Each holds a private copy
 * of the prepared headers; after them:
 * - COPY: a copy of the payload. For short packets and single outputs.
 * - SHARE: page references to the payload of src, which no output sends
 *   and no one else writes: the received skb when the rule consumes it,
 *   else a private copy made once for all outputs.
 * - CHAIN: a clone of the received skb, pulled to the payload, as the
 *   fragment list, when every output device sends fragment lists as they
 *   are (veth, bridge, tun, dummy): the local stack keeps the received
 *   skb without a copy, and the clone marks it shared until the last
 *   output lets go.
 * - PSKB_COPY: __pskb_copy(), for what a page fragment cannot hold or a
 *   checksum pending past the UDP header.
 * With COPY and PSKB_COPY the last output of a consuming rule sends the
 * received skb itself.
 */
enum mcr_xmit_mode {
	MCR_XMIT_COPY,
	MCR_XMIT_SHARE,
	MCR_XMIT_CHAIN,
	MCR_XMIT_PSKB_COPY,
};

struct mcr_xmit_src {
	enum mcr_xmit_mode mode;
	struct sk_buff *skb;	/* what outputs copy or share */
	struct sk_buff *payload; /* CHAIN: the fragment list */
	bool owned;		/* skb is mcr's to send or free */
};

/* Whether out may send src->skb itself instead of a copy. */
static bool mcr_src_takeable(const struct mcr_xmit_src *src,
			     const struct mcr_output *out,
			     const struct mcr_pkt *pkt)
{
	const struct sk_buff *skb = src->skb;

	if (!src->owned)
		return false;
	if (src->mode == MCR_XMIT_PSKB_COPY)
		return true;
	return src->mode == MCR_XMIT_COPY && !skb_shared(skb) &&
	       !skb_cloned(skb) && skb_headlen(skb) >= pkt->hdr_len &&
	       skb_headroom(skb) >= LL_RESERVED_SPACE(out->dev);
}

static struct sk_buff *mcr_output_skb(const struct mcr_output *out,
				      struct mcr_xmit_src *src,
				      const struct mcr_pkt *pkt, bool last)
{
	unsigned int headroom = LL_RESERVED_SPACE(out->dev);
	struct sk_buff *skb = src->skb, *nskb;

	if (last && mcr_src_takeable(src, out, pkt)) {
		src->skb = NULL;
		if (src->mode == MCR_XMIT_PSKB_COPY)
			return mcr_pskb_copy(skb, out->dev, pkt, true);
		mcr_skb_set_hdrs(skb, pkt);
		return skb;
	}
	switch (src->mode) {
	case MCR_XMIT_SHARE:
		return mcr_pkt_share(headroom, skb, pkt->hdrs.bytes,
				     pkt->hdr_len, pkt->len);
	case MCR_XMIT_CHAIN:
		return mcr_pkt_chain(headroom, skb, pkt->hdrs.bytes,
				     pkt->hdr_len, src->payload);
	case MCR_XMIT_COPY:
		nskb = mcr_pkt_copy(headroom, skb, pkt->hdrs.bytes,
				    pkt->hdr_len, pkt->len);
		if (nskb)
			return nskb;
		fallthrough;	/* too big for a page fragment */
	default:
		return mcr_pskb_copy(skb, out->dev, pkt, false);
	}
}

/* Whether every output's device sends an skb with a fragment list as is. */
static bool mcr_outputs_take_fraglist(const struct mcr_outputs *outs)
{
	unsigned int i;

	for (i = 0; i < outs->count; i++)
		if (!(READ_ONCE(outs->out[i].dev->features) & NETIF_F_FRAGLIST))
			return false;
	return true;
}

/*
 * Choose how the outputs share the packet and set src up for it. Returns
 * false, with the received skb freed if the rule consumed it, when there
 * is no memory for what they would share.
 */
static bool mcr_xmit_src_init(struct mcr_xmit_src *src,
			      const struct mcr_outputs *outs,
			      struct sk_buff *skb, const struct mcr_pkt *pkt,
			      bool consume)
{
	struct sk_buff *copy;

	*src = (struct mcr_xmit_src){ .skb = skb, .owned = consume };
	if (pkt->inner_csum) {
		src->mode = MCR_XMIT_PSKB_COPY;
		return true;
	}
	if (pkt->len <= MCR_COPYBREAK || outs->count == 1) {
		src->mode = MCR_XMIT_COPY;
		return true;
	}
	if (consume && mcr_payload_shareable(skb, pkt->hdr_len, pkt->nh_len)) {
		/* The outputs' page references keep the pages, not skb. */
		src->skb = skb_share_check(skb, GFP_ATOMIC);
		src->mode = MCR_XMIT_SHARE;
		return src->skb;
	}
	if (mcr_outputs_take_fraglist(outs)) {
		src->payload = mcr_payload_clone(skb, pkt->hdr_len, pkt->len);
		if (src->payload) {
			src->mode = MCR_XMIT_CHAIN;
			return true;
		}
	}
	copy = mcr_pkt_copy(0, skb, pkt->hdrs.bytes, pkt->hdr_len, pkt->len);
	if (!copy) {
		src->mode = MCR_XMIT_PSKB_COPY;
		return true;
	}
	if (consume)
		consume_skb(skb);
	*src = (struct mcr_xmit_src){
		.mode = MCR_XMIT_SHARE, .skb = copy, .owned = true,
	};
	return true;
}

/*
 * Send skb, an IPv4 or IPv6 UDP packet whose headers rx the hook has
 * validated, on every output of outs (at least one). With consume set the
 * caller hands skb over.
 */
void mcr_outputs_xmit(const struct mcr_outputs *outs, struct sk_buff *skb,
		      const struct mcr_rx *rx, bool consume)
{
	enum skb_drop_reason unsent = SKB_DROP_REASON_NOT_SPECIFIED;
	unsigned int i, n = outs->count;
	struct mcr_xmit_src src;
	struct mcr_pkt pkt;

	/*
	 * An output that loops back into a hook brings the packet here again:
	 * bound that as nf_dup_netdev does. Sending does not change the
	 * depth, so one check serves all outputs.
	 */
	if (unlikely(__this_cpu_read(mcr_xmit_recursion) >
		     MCR_XMIT_RECURSION_LIMIT)) {
		if (consume)
			kfree_skb_reason(skb, SKB_DROP_REASON_NETFILTER_DROP);
		mcr_outputs_drop(outs, SKB_DROP_REASON_NETFILTER_DROP);
		return;
	}
	/* rx may point into skb, which an output may take. */
	if (!rx->ipv6) {
		mcr_pkt_init(&pkt, skb, rx->iph, rx->uh);
	} else if (mcr_pkt_init6(&pkt, skb, rx->ip6h, rx->nh_len)) {
		if (consume)
			kfree_skb_reason(skb, SKB_DROP_REASON_PKT_TOO_SMALL);
		mcr_outputs_drop(outs, SKB_DROP_REASON_PKT_TOO_SMALL);
		return;
	}
	if (!mcr_xmit_src_init(&src, outs, skb, &pkt, consume)) {
		mcr_outputs_drop(outs, SKB_DROP_REASON_NOMEM);
		return;
	}
	for (i = 0; i < n; i++) {
		const struct mcr_output *out = &outs->out[i];
		struct sk_buff *nskb;
		enum skb_drop_reason reason;

		reason = mcr_output_check(out, &pkt);
		if (!reason) {
			nskb = mcr_output_skb(out, &src, &pkt, i == n - 1);
			if (nskb) {
				unsent = SKB_NOT_DROPPED_YET;
				mcr_output_send(out, nskb, &pkt);
				continue;
			}
			reason = SKB_DROP_REASON_NOMEM;
		}
		mcr_output_drop(out, reason);
		if (unsent)
			unsent = reason;
	}
	if (src.payload)
		consume_skb(src.payload);
	if (!src.owned || !src.skb)
		return;
	/* Relayed, or refused by every output: then a drop, and why. */
	if (unsent)
		kfree_skb_reason(src.skb, unsent);
	else
		consume_skb(src.skb);
}

/* At module exit, when no hook runs any more: give back each CPU's page. */
void mcr_xmit_exit(void)
{
	int cpu;

	for_each_possible_cpu(cpu)
		page_frag_cache_drain(per_cpu_ptr(&mcr_frag_cache, cpu));
}
