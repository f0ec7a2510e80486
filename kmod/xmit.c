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
 * An skb whose IP and UDP headers this output owns: a copy of the head
 * (sharing the payload's pages), or for the last output of a consuming rule
 * the original itself, unshared.
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

static int mcr_transmit(const struct mcr_output *out, struct sk_buff *skb)
{
	struct net_device *dev = out->dev;
	struct neighbour *neigh;
	int rc;

	skb->dev = dev;
	skb->protocol = htons(ETH_P_IP);
	skb_clear_tstamp(skb);

	if (out->dmac_valid || !dev->header_ops) {
		if (out->dmac_valid &&
		    dev_hard_header(skb, dev, ETH_P_IP, out->dmac, NULL,
				    skb->len) < 0) {
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

/*
 * Send one copy of skb on out. With last set the caller hands skb over
 * (a consuming rule's last output) and it is used instead of a copy.
 */
void mcr_output_xmit(const struct mcr_output *out, struct sk_buff *skb,
		     const struct iphdr *iph, bool last)
{
	unsigned int len = ntohs(iph->tot_len);
	unsigned int ihl = iph->ihl * 4;
	struct sk_buff *nskb;
	int reason, rc;

	if (!out->ttl && iph->ttl <= 1) {
		reason = MCR_DROP_TTL;
		goto drop_orig;
	}
	if (len > READ_ONCE(out->dev->mtu)) {
		reason = MCR_DROP_TOO_BIG;
		goto drop_orig;
	}
	if (__this_cpu_read(mcr_xmit_recursion) > MCR_XMIT_RECURSION_LIMIT) {
		reason = MCR_DROP_XMIT;
		goto drop_orig;
	}

	nskb = mcr_output_skb(skb, out->dev, ihl + sizeof(struct udphdr), last);
	if (!nskb) {
		mcr_output_drop(out, MCR_DROP_NOMEM);
		return;
	}
	/* Drop the link layer's padding of short frames. */
	if (pskb_trim_rcsum(nskb, len)) {
		reason = MCR_DROP_NOMEM;
		goto drop_copy;
	}
	reason = mcr_rewrite(out, nskb, ihl);
	if (reason)
		goto drop_copy;

	__this_cpu_inc(mcr_xmit_recursion);
	rc = mcr_transmit(out, nskb);
	__this_cpu_dec(mcr_xmit_recursion);
	if (net_xmit_eval(rc))
		mcr_output_drop(out, MCR_DROP_XMIT);
	else
		mcr_output_count(out, len);
	return;

drop_copy:
	kfree_skb(nskb);
	mcr_output_drop(out, reason);
	return;
drop_orig:
	if (last)
		kfree_skb(skb);
	mcr_output_drop(out, reason);
}
