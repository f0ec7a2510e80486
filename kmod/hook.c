// SPDX-License-Identifier: GPL-2.0
/*
 * mcr: the netdev ingress hook. Registered only on devices that have rules;
 * every other packet on such a device leaves after a header check and one
 * hash bucket walk. Headers are read with skb_header_pointer() so that a
 * shared or non-linear skb is never modified before a rule matches.
 */
#include <linux/if_vlan.h>
#include <linux/inetdevice.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <net/ip.h>
#include <net/ipv6.h>

#include "compat.h"
#include "mcr.h"

static void mcr_net_count(struct mcr_net *mn, enum mcr_net_counter counter)
{
	struct mcr_net_pcpu_stats *s = this_cpu_ptr(mn->stats);

	u64_stats_update_begin(&s->syncp);
	u64_stats_inc(&s->counters[counter]);
	u64_stats_update_end(&s->syncp);
}

/*
 * Sources that routing refuses as martians (ip_route_input_mc() and
 * ip_route_input_slow()); source auto would even make them look valid
 * downstream.
 */
static bool mcr_martian_source(const struct sk_buff *skb, __be32 saddr)
{
	struct in_device *in_dev;

	if (ipv4_is_multicast(saddr) || ipv4_is_lbcast(saddr) ||
	    ipv4_is_zeronet(saddr))
		return true;
	if (likely(!ipv4_is_loopback(saddr)))
		return false;
	in_dev = __in_dev_get_rcu(skb->dev);
	return !in_dev || !IN_DEV_ROUTE_LOCALNET(in_dev);
}

/* The checks ip_rcv_core() makes before it trusts a header. */
static bool mcr_iph_valid(const struct iphdr *iph, unsigned int skb_len)
{
	unsigned int tot_len = ntohs(iph->tot_len);

	return iph->version == 4 && iph->ihl >= 5 &&
	       tot_len >= iph->ihl * 4 && tot_len <= skb_len &&
	       !ip_fast_csum((const u8 *)iph, iph->ihl);
}

/*
 * IPv6 sources no router forwards: multicast and loopback, which
 * ip6_rcv_core() drops, the unspecified address, which ip6_forward() drops
 * (RFC 4291 2.5.2), and IPv4-mapped ones (RFC 4291 2.5.5.2), which have no
 * place on the wire (RFC 4942 2.2) and whose IPv4 source no IPv4 check
 * here would see. Link-local sources stay: mDNS and SSDP reflectors relay
 * what hosts send from them.
 */
static bool mcr_martian_source6(const struct in6_addr *saddr)
{
	return ipv6_addr_is_multicast(saddr) || ipv6_addr_v4mapped(saddr) ||
	       ipv6_addr_loopback(saddr) || ipv6_addr_any(saddr);
}

static void mcr_rule_count(struct mcr_rule *rule, unsigned int len)
{
	struct mcr_rule_pcpu_stats *s = this_cpu_ptr(rule->stats);

	u64_stats_update_begin(&s->syncp);
	u64_stats_inc(&s->packets);
	u64_stats_add(&s->bytes, len);
	u64_stats_update_end(&s->syncp);
}

/*
 * Room for the headers the hook reads from a non-linear skb: an IPv4
 * header with options, or the fixed IPv6 header, and a UDP header.
 */
struct mcr_rx_buf {
	union {
		struct {
			struct iphdr iph;
			u8 options[MAX_IPOPTLEN];
		};
		struct ipv6hdr ip6h;
	};
	struct udphdr uh;
};

/* mcr_parse() of an IPv4 packet. */
static enum mcr_net_counter mcr_parse4(const struct sk_buff *skb,
				       struct mcr_rx_buf *buf,
				       struct mcr_rx *rx)
{
	const struct udphdr *uh;
	const struct iphdr *iph;

	iph = skb_header_pointer(skb, 0, sizeof(buf->iph), &buf->iph);
	if (!iph || iph->ihl < 5)
		return MCR_NET_NOT_UDP;
	/* With options, read them too: the header checksum covers them. */
	if (iph->ihl > 5)
		iph = skb_header_pointer(skb, 0, iph->ihl * 4, &buf->iph);
	if (!iph || !mcr_iph_valid(iph, skb->len) ||
	    iph->protocol != IPPROTO_UDP)
		return MCR_NET_NOT_UDP;
	if (ip_is_fragment(iph))
		return MCR_NET_FRAGMENTS;
	uh = skb_header_pointer(skb, iph->ihl * 4, sizeof(buf->uh), &buf->uh);
	if (!uh || ntohs(uh->len) < sizeof(*uh) ||
	    ntohs(uh->len) > ntohs(iph->tot_len) - iph->ihl * 4)
		return MCR_NET_NOT_UDP;
	rx->iph = iph;
	rx->uh = uh;
	rx->nh_len = iph->ihl * 4;
	rx->len = ntohs(iph->tot_len);
	rx->ipv6 = false;
	return MCR_NET_COUNTER_MAX;
}

/*
 * mcr_parse() of an IPv6 packet: the checks ip6_rcv_core() makes of the
 * length, and the extension headers walked as the stack walks them. An
 * atomic fragment (offset 0, no more fragments) is no fragment: the stack
 * takes it as a whole datagram (RFC 6946), and so does the relay.
 */
static enum mcr_net_counter mcr_parse6(const struct sk_buff *skb,
				       struct mcr_rx_buf *buf,
				       struct mcr_rx *rx)
{
	const struct ipv6hdr *ip6h;
	const struct udphdr *uh;
	unsigned int payload_len;
	__be16 frag_off = 0;
	u8 nexthdr;
	int off;

	ip6h = skb_header_pointer(skb, 0, sizeof(buf->ip6h), &buf->ip6h);
	if (!ip6h || ip6h->version != 6)
		return MCR_NET_NOT_UDP;
	payload_len = ntohs(ip6h->payload_len);
	/* A jumbogram's payload length is 0 (RFC 2675): left to the stack. */
	if (!payload_len || payload_len + sizeof(*ip6h) > skb->len)
		return MCR_NET_NOT_UDP;
	nexthdr = ip6h->nexthdr;
	off = sizeof(*ip6h);
	if (unlikely(nexthdr != IPPROTO_UDP)) {
		off = ipv6_skip_exthdr(skb, off, &nexthdr, &frag_off);
		if (frag_off & htons(IP6_OFFSET | IP6_MF))
			return MCR_NET_FRAGMENTS;
		if (off < 0 || nexthdr != IPPROTO_UDP ||
		    off > (int)sizeof(*ip6h) + MCR_IPV6_EXTHDRS_MAX)
			return MCR_NET_NOT_UDP;
	}
	if (off + sizeof(*uh) > payload_len + sizeof(*ip6h))
		return MCR_NET_NOT_UDP;
	uh = skb_header_pointer(skb, off, sizeof(buf->uh), &buf->uh);
	if (!uh || ntohs(uh->len) < sizeof(*uh) ||
	    ntohs(uh->len) > payload_len + sizeof(*ip6h) - off)
		return MCR_NET_NOT_UDP;
	/*
	 * IPv6 has no UDP datagram without a checksum (RFC 8200 8.1). A
	 * local sender's pending one is a pseudo-header sum: not a zero. A
	 * checksum pending further in is a tunnel's inner packet's, under a
	 * UDP header that has none (udp6zerocsumtx).
	 */
	if (!uh->check && !mcr_udp_csum_pending(skb, off))
		return MCR_NET_ZERO_CHECKSUM;
	rx->ip6h = ip6h;
	rx->uh = uh;
	rx->nh_len = off;
	rx->len = payload_len + sizeof(*ip6h);
	rx->ipv6 = true;
	return MCR_NET_COUNTER_MAX;
}

/*
 * Read the headers of skb, whose data is at its network header. Returns
 * MCR_NET_COUNTER_MAX with rx set (possibly into buf) for a valid IPv4 or
 * IPv6 UDP datagram, else the namespace counter it counts in.
 */
static enum mcr_net_counter mcr_parse(const struct sk_buff *skb,
				      struct mcr_rx_buf *buf,
				      struct mcr_rx *rx)
{
	if (likely(skb->protocol == htons(ETH_P_IP)))
		return mcr_parse4(skb, buf, rx);
	if (skb->protocol == htons(ETH_P_IPV6))
		return mcr_parse6(skb, buf, rx);
	return MCR_NET_NOT_UDP;
}

/*
 * skb is GSO: many datagrams in one skb, from a UDP_SEGMENT sender over
 * veth, or UDP GRO (rx-udp-gro-forwarding, rx-gro-list). Relay and count
 * each datagram with its own boundaries, as the stack's forwarding path
 * does after validate_xmit_skb(): segmented in software here, since
 * outputs may rewrite headers and not every output device takes GSO.
 */
static void mcr_relay_segments(struct mcr_rule *rule,
			       const struct mcr_outputs *outs,
			       struct sk_buff *skb)
{
	struct sk_buff *gso, *segs, *seg, *next;
	struct mcr_rx_buf buf;
	struct mcr_rx rx;

	/*
	 * Segmenting starts at the MAC header and moves data: on a clone.
	 * A fragment list (rx-gro-list) is split in place, in the shared
	 * info: give the clone its own first.
	 */
	gso = skb_clone(skb, GFP_ATOMIC);
	if (!gso)
		goto nomem;
	if ((skb_shinfo(gso)->gso_type & SKB_GSO_FRAGLIST) &&
	    skb_unclone(gso, GFP_ATOMIC)) {
		kfree_skb_reason(gso, SKB_DROP_REASON_NOMEM);
		goto nomem;
	}
	__skb_push(gso, skb->mac_len);
	segs = __skb_gso_segment(gso, 0, false);
	if (IS_ERR_OR_NULL(segs)) {
		kfree_skb_reason(gso, SKB_DROP_REASON_SKB_GSO_SEG);
		goto nomem;
	}
	/* A fragment list's first segment is gso itself. */
	if (segs != gso)
		consume_skb(gso);

	skb_list_walk_safe(segs, seg, next) {
		skb_mark_not_on_list(seg);
		__skb_pull(seg, skb_network_offset(seg));
		if (mcr_parse(seg, &buf, &rx) != MCR_NET_COUNTER_MAX) {
			kfree_skb_reason(seg, SKB_DROP_REASON_IP_INHDR);
			continue;
		}
		mcr_rule_count(rule, rx.len);
		if (outs->count)
			mcr_outputs_xmit(outs, seg, &rx, true);
		else
			consume_skb(seg);
	}
	return;

nomem:
	mcr_outputs_drop(outs, SKB_DROP_REASON_NOMEM);
}

static unsigned int mcr_hook(void *priv, struct sk_buff *skb,
			     const struct nf_hook_state *state)
{
	struct mcr_dev *mdev = priv;
	struct mcr_net *mn = mdev->mn;
	const struct mcr_outputs *outs;
	enum mcr_net_counter counter;
	struct mcr_rule *rule;
	struct mcr_rx_buf buf;
	struct mcr_rx rx;
	bool consume;

	/*
	 * A frame with a VLAN tag belongs to the VLAN's device, whose hook
	 * sees it next, untagged (__netif_receive_skb_core() runs the
	 * ingress hooks before vlan_do_receive()). Priority-tagged frames
	 * (VLAN 0) stay with this device, as the stack keeps them.
	 */
	if (skb_vlan_tag_present(skb) && skb_vlan_tag_get_id(skb))
		return NF_ACCEPT;
	counter = mcr_parse(skb, &buf, &rx);
	if (counter != MCR_NET_COUNTER_MAX) {
		mcr_net_count(mn, counter);
		return NF_ACCEPT;
	}
	/*
	 * Not a router's to forward: the host's own multicast that
	 * ip_mc_output() loops back, frames for another host's MAC (a
	 * promiscuous device, a bridge port), which ip_rcv_core() drops,
	 * martian sources, and IPv6 on a device without IPv6, which
	 * ip6_rcv_core() drops.
	 */
	if (unlikely(skb->pkt_type == PACKET_LOOPBACK ||
		     skb->pkt_type == PACKET_OTHERHOST ||
		     (rx.ipv6 ? mcr_martian_source6(&rx.ip6h->saddr) ||
				mcr_dev_ipv6_disabled(skb->dev) :
				mcr_martian_source(skb, rx.iph->saddr)))) {
		mcr_net_count(mn, MCR_NET_NOT_ROUTABLE);
		return NF_ACCEPT;
	}

	if (likely(!rx.ipv6))
		rule = mcr_dev_lookup(mdev, rx.iph->daddr, rx.iph->saddr,
				      rx.uh->dest);
	else
		rule = mcr_dev_lookup6(mdev, &rx.ip6h->daddr,
				       &rx.ip6h->saddr, rx.uh->dest);
	if (!rule) {
		mcr_net_count(mn, MCR_NET_NO_MATCH);
		return NF_ACCEPT;
	}
	outs = rcu_dereference(rule->outputs);
	consume = READ_ONCE(rule->flags) & MCR_RULE_FLAGS_CONSUME;
	if (unlikely(skb_is_gso(skb))) {
		mcr_relay_segments(rule, outs, skb);
		if (consume)
			consume_skb(skb);
	} else {
		mcr_rule_count(rule, rx.len);
		if (outs->count)
			mcr_outputs_xmit(outs, skb, &rx, consume);
		else if (consume)	/* a rule without outputs: a sink */
			kfree_skb_reason(skb, SKB_DROP_REASON_NETFILTER_DROP);
	}
	return consume ? NF_STOLEN : NF_ACCEPT;
}

int mcr_hook_register(struct mcr_dev *mdev)
{
	struct nf_hook_ops *ops = &mdev->hook_ops;

	ops->hook = mcr_hook;
	ops->pf = NFPROTO_NETDEV;
	ops->hooknum = NF_NETDEV_INGRESS;
	/* After nftables' netdev filter chains at priority 0 by default. */
	ops->priority = 100;
	ops->dev = mdev->dev;
	ops->priv = mdev;
	return nf_register_net_hook(mdev->mn->net, ops);
}

void mcr_hook_unregister(struct mcr_dev *mdev)
{
	nf_unregister_net_hook(mdev->mn->net, &mdev->hook_ops);
}
