// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: IPv6. The headers prepared once per packet (mcr_pkt_init6) and
 * rewritten per output (mcr_rewrite6), with and without extension headers
 * before the UDP header.
 *
 * As in xmit_test.c, expected packets are built independently: the fields
 * are set plainly and the UDP checksum fully recomputed over the IPv6
 * pseudo-header (RFC 8200 8.1) with a byte-wise one's complement sum
 * written here, never with the kernel's csum helpers or the incremental
 * updates under test. A checksum of 0x0000 and one of 0xffff are the same
 * one's complement number, so checksums are compared with that
 * equivalence, and each result is also verified over the whole datagram;
 * IPv6 has no UDP datagram without a checksum, so 0x0000 is never sent.
 */
#include <kunit/test.h>
#include <linux/etherdevice.h>
#include <linux/ipv6.h>
#include <linux/netdevice.h>
#include <linux/rcupdate.h>
#include <linux/skbuff.h>
#include <linux/udp.h>
#include <linux/unaligned.h>
#include <net/addrconf.h>
#include <net/ipv6.h>

#include "csum_util.h"
#include "ip6_util.h"
#include "mcr.h"

#define ORIG_SPORT	4000
#define ORIG_DPORT	5000
#define MAX_PKT		1500
#define HEADROOM	64

static const struct in6_addr orig_saddr = IP6(0x2001, 0xdb8, 1, 0, 0, 0, 0, 1);
static const struct in6_addr orig_daddr = IP6(0xff3e, 0, 0, 0, 0, 0, 0, 0x1234);
/* Another SSM group, a unicast destination, another source. */
static const struct in6_addr grp2 = IP6(0xff3e, 0, 0, 0, 0, 0, 0x8000, 0x99);
static const struct in6_addr uni = IP6(0x2001, 0xdb8, 2, 0, 0, 0, 0, 7);
static const struct in6_addr src2 = IP6(0x2001, 0xdb8, 3, 0xa, 0xb, 0xc, 0xd, 5);

/* ---- independent checksum arithmetic: csum_util.h ---------------------- */

/*
 * The pseudo-header of the packet at pkt: source and destination address,
 * the upper-layer length as 32 bits, three zero bytes and next header 17.
 */
static u32 pseudo_sum6(const u8 *pkt, u32 udp_len)
{
	u32 sum = sum16(pkt + 8, 32, 0);

	return sum + (udp_len >> 16) + (udp_len & 0xffff) + IPPROTO_UDP;
}

/* The UDP checksum with the field taken as 0 (a computed 0 is 0xffff). */
static u16 udp6_csum_full(const u8 *pkt, unsigned int nh_len,
			  unsigned int udp_len)
{
	const u8 *uh = pkt + nh_len;
	u32 sum = pseudo_sum6(pkt, udp_len);
	u16 csum;

	sum = sum16(uh, 6, sum) + sum16(uh + 8, udp_len - 8, 0);
	csum = ~fold(sum) & 0xffff;
	return csum ? csum : 0xffff;
}

/* Whether the datagram, checksum field included, sums to 0xffff. */
static bool udp6_verifies(const u8 *pkt, unsigned int nh_len,
			  unsigned int udp_len)
{
	return fold(sum16(pkt + nh_len, udp_len,
			  pseudo_sum6(pkt, udp_len))) == 0xffff;
}

/* ---- extension headers before UDP -------------------------------------- */

/*
 * The chains a case puts between the IPv6 and the UDP header: a Hop-by-Hop
 * header is 8 bytes with a Router Alert (RFC 2711), as MLD sends it; a
 * Destination Options header of 8 bytes holds a PadN, a longer one an
 * experimental option (RFC 4727) and a PadN. The last is the most the
 * relay takes: MCR_IPV6_EXTHDRS_MAX bytes.
 */
enum { X_NONE, X_DST8, X_HBH8, X_HBH_DST16, X_HBH_DST24, X_HBH_DST128 };

struct ext_chain {
	u8 n;
	u8 type[2];
	u8 len[2];
};

static const struct ext_chain ext_chains[] = {
	[X_NONE] = { 0 },
	[X_DST8] = { 1, { NEXTHDR_DEST }, { 8 } },
	[X_HBH8] = { 1, { NEXTHDR_HOP }, { 8 } },
	[X_HBH_DST16] = { 2, { NEXTHDR_HOP, NEXTHDR_DEST }, { 8, 8 } },
	[X_HBH_DST24] = { 2, { NEXTHDR_HOP, NEXTHDR_DEST }, { 8, 16 } },
	[X_HBH_DST128] = { 2, { NEXTHDR_HOP, NEXTHDR_DEST }, { 8, 120 } },
};

/* One extension header of len bytes at h, but its next header field. */
static void put_exthdr(u8 *h, u8 type, unsigned int len)
{
	unsigned int i;

	h[1] = len / 8 - 1;
	if (type == NEXTHDR_HOP) {
		/* Router Alert, MLD (value 0), then PadN of 0 bytes */
		h[2] = 0x05;
		h[3] = 0x02;
		h[4] = 0x00;
		h[5] = 0x00;
		h[6] = 0x01;
		h[7] = 0x00;
	} else if (len == 8) {
		/* PadN of 4 bytes */
		h[2] = 0x01;
		h[3] = 0x04;
		memset(h + 4, 0, 4);
	} else {
		/* experimental option 0x1e (skip if unknown), then PadN */
		h[2] = 0x1e;
		h[3] = len - 6;
		for (i = 4; i < len - 2; i++)
			h[i] = 0xa0 + i;
		h[len - 2] = 0x01;
		h[len - 1] = 0x00;
	}
}

/* ---- the rewrite ------------------------------------------------------- */

struct rw6_case {
	const char *name;
	u8 ext;			/* X_* */
	u16 payload_len;
	u8 ip_summed;		/* CHECKSUM_NONE / _PARTIAL */
	u8 hop_in;
	/* the output: NULL or 0 keeps the field (ttl 0: decrement) */
	const struct in6_addr *daddr;
	const struct in6_addr *saddr;
	u16 port;
	u8 ttl;
	/* rewrite_daddr set even though daddr is the packet's own */
	bool force_daddr;
	/*
	 * Tweak the first payload word (the source port without one) so that
	 * the rewritten datagram's checksum comes out as one's complement
	 * zero: 0x0000 computed, 0xffff sent.
	 */
	bool force_zero;
	u16 head_len;		/* bytes in the skb's head, the rest in a page */
	bool ones;		/* traffic class and flow label all ones */
};

#define N	CHECKSUM_NONE
#define P	CHECKSUM_PARTIAL

static const struct rw6_case rw6_cases[] = {
	/* name                        ext           pay  sum hop daddr  saddr  port  ttl */
	{ "no_rewrite_hop_decrement",  X_NONE,       100, N, 64, NULL,  NULL,  0,    0 },
	{ "no_rewrite_empty_payload",  X_NONE,         0, N, 64, NULL,  NULL,  0,    0 },
	{ "no_rewrite_partial_odd_1",  X_NONE,         1, P, 64, NULL,  NULL,  0,    0 },
	{ "no_rewrite_dst8_33",        X_DST8,        33, N, 64, NULL,  NULL,  0,    0 },
	{ "daddr_group_odd_33",        X_NONE,        33, N, 64, &grp2, NULL,  0,    0 },
	{ "daddr_unicast_1000",        X_NONE,      1000, N, 64, &uni,  NULL,  0,    0 },
	{ "daddr_group_partial_0",     X_NONE,         0, P, 64, &grp2, NULL,  0,    0 },
	{ "daddr_unicast_partial_1",   X_HBH8,         1, P, 64, &uni,  NULL,  0,    0 },
	{ "saddr_only_1",              X_NONE,         1, N, 64, NULL,  &src2, 0,    0 },
	{ "saddr_only_partial_1000",   X_DST8,      1000, P, 64, NULL,  &src2, 0,    0 },
	{ "port_only_33",              X_NONE,        33, N, 64, NULL,  NULL,  6000, 0 },
	{ "port_only_dst8_0",          X_DST8,         0, N, 64, NULL,  NULL,  6000, 0 },
	{ "port_only_partial_1000",    X_NONE,      1000, P, 64, NULL,  NULL,  6001, 0 },
	{ "hop_set_255",               X_NONE,        33, N, 64, NULL,  NULL,  0,    255 },
	{ "hop_set_1",                 X_NONE,        33, N, 64, NULL,  NULL,  0,    1 },
	{ "hop_in_2_decrement",        X_NONE,        33, N,  2, NULL,  NULL,  0,    0 },
	{ "hop_in_1_kept",             X_NONE,        33, N,  1, NULL,  NULL,  0,    0 },
	{ "hop_in_1_partial_kept",     X_HBH8,         0, P,  1, NULL,  NULL,  0,    0 },
	{ "hop_in_1_set_255",          X_NONE,        33, N,  1, NULL,  NULL,  0,    255 },
	{ "hop_in_255_decrement",      X_NONE,         1, N, 255, NULL, NULL,  0,    0 },
	{ "all_group_1000",            X_NONE,      1000, N, 64, &grp2, &src2, 6000, 9 },
	{ "all_unicast_partial_33",    X_NONE,        33, P, 64, &uni,  &src2, 6001, 255 },
	{ "hbh_ra_all_odd_1",          X_HBH8,         1, N, 64, &grp2, &src2, 6000, 0 },
	{ "dst8_all_partial_1000",     X_DST8,      1000, P,  2, &uni,  &src2, 6000, 0 },
	{ "exthdrs_16_all_33",         X_HBH_DST16,   33, N, 64, &grp2, &src2, 7000, 200 },
	{ "exthdrs_16_all_partial_0",  X_HBH_DST16,    0, P, 64, &uni,  &src2, 7000, 0 },
	{ "exthdrs_24_all_partial_0",  X_HBH_DST24,    0, P,  1, &uni,  &src2, 7000, 0 },
	{ "exthdrs_24_daddr_1000",     X_HBH_DST24, 1000, N, 64, &grp2, NULL,  0,    0 },
	{ "exthdrs_24_port_ttl_1",     X_HBH_DST24,    1, N, 64, NULL,  NULL,  6000, 1 },
	{ "exthdrs_128_all_33",        X_HBH_DST128,  33, N, 64, &grp2, &src2, 6000, 0 },
	{ "exthdrs_128_partial_1000",  X_HBH_DST128, 1000, P, 64, NULL, NULL,  0,    0 },
	/* The headers reach into a page fragment: UDP, extension header. */
	{ "split_udp_hdr_all_33",      X_NONE,        33, N, 64, &grp2, &src2, 6000, 0,
	  .head_len = 44 },
	{ "split_exthdr_partial_1000", X_HBH_DST24, 1000, P, 64, &uni,  &src2, 6000, 0,
	  .head_len = 52 },
	{ "split_128_all_1",           X_HBH_DST128,   1, N, 64, &grp2, &src2, 6000, 3,
	  .head_len = 100 },
	{ "tclass_flow_all_ones",      X_DST8,        33, P, 64, &uni,  &src2, 6000, 0,
	  .ones = true },
	/* Values the packet has already: nothing changes but the hop limit. */
	{ "same_values_noop",          X_NONE,        33, N, 64, &orig_daddr, &orig_saddr,
	  ORIG_DPORT, 64 },
	{ "same_daddr_forced",         X_HBH8,        33, N, 64, &orig_daddr, NULL, 0, 0,
	  .force_daddr = true },
	{ "same_daddr_forced_0xffff",  X_NONE,        40, N, 64, &orig_daddr, NULL, 0, 0,
	  .force_daddr = true, .force_zero = true },
	/* The checksum comes out as one's complement zero: sent as 0xffff. */
	{ "csum_0xffff_no_rewrite",    X_NONE,        40, N, 64, NULL,  NULL,  0,    0,
	  .force_zero = true },
	{ "csum_0xffff_daddr_group",   X_NONE,        40, N, 64, &grp2, NULL,  0,    0,
	  .force_zero = true },
	{ "csum_0xffff_daddr_unicast", X_NONE,        33, N, 64, &uni,  NULL,  0,    0,
	  .force_zero = true },
	{ "csum_0xffff_saddr",         X_DST8,        41, N, 64, NULL,  &src2, 0,    0,
	  .force_zero = true },
	{ "csum_0xffff_port",          X_NONE,        40, N, 64, NULL,  NULL,  6000, 0,
	  .force_zero = true },
	{ "csum_0xffff_empty_payload", X_NONE,         0, N, 64, &grp2, NULL,  0,    0,
	  .force_zero = true },
	{ "csum_0xffff_all_exthdrs",   X_HBH_DST24, 1000, N, 64, &uni,  &src2, 6000, 1,
	  .force_zero = true },
	{ "partial_0xffff_no_rewrite", X_NONE,        40, P, 64, NULL,  NULL,  0,    0,
	  .force_zero = true },
	{ "partial_0xffff_all",        X_HBH8,        33, P, 64, &grp2, &src2, 6000, 0,
	  .force_zero = true },
};

#undef N
#undef P

static void rw6_desc(const struct rw6_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(rw6, rw6_cases, rw6_desc);

struct pkt6 {
	u8 b[MAX_PKT];
	unsigned int len, nh_len, udp_len;
};

/* Build the packet as sent (orig) and as it must leave (want). */
static void build_pkts6(const struct rw6_case *c, struct pkt6 *orig,
			struct pkt6 *want)
{
	const struct ext_chain *x = &ext_chains[c->ext];
	u8 tclass = c->ones ? 0xff : 0xb9;	/* EF, ECT(1) */
	u32 flow = c->ones ? 0xfffff : 0xabcde;
	unsigned int i, off = sizeof(struct ipv6hdr), w;
	u8 *b = orig->b, *next = b + 6, *uh, *wu;
	u32 sum;

	memset(orig, 0, sizeof(*orig));
	for (i = 0; i < x->n; i++) {
		*next = x->type[i];
		next = b + off;
		put_exthdr(b + off, x->type[i], x->len[i]);
		off += x->len[i];
	}
	*next = IPPROTO_UDP;
	orig->nh_len = off;
	orig->udp_len = 8 + c->payload_len;
	orig->len = off + orig->udp_len;

	b[0] = 0x60 | tclass >> 4;
	b[1] = (tclass & 0xf) << 4 | flow >> 16;
	put_unaligned_be16(flow & 0xffff, b + 2);
	put_unaligned_be16(orig->len - sizeof(struct ipv6hdr), b + 4);
	b[7] = c->hop_in;
	memcpy(b + 8, &orig_saddr, 16);
	memcpy(b + 24, &orig_daddr, 16);
	uh = b + off;
	put_unaligned_be16(ORIG_SPORT, uh);
	put_unaligned_be16(ORIG_DPORT, uh + 2);
	put_unaligned_be16(orig->udp_len, uh + 4);
	for (i = 0; i < c->payload_len; i++)
		uh[8 + i] = (i * 7 + 3) & 0xff;

	/* The rewritten packet, field by field. */
	*want = *orig;
	wu = want->b + off;
	if (c->daddr)
		memcpy(want->b + 24, c->daddr, 16);
	if (c->saddr)
		memcpy(want->b + 8, c->saddr, 16);
	if (c->port)
		put_unaligned_be16(c->port, wu + 2);
	/* An output without a hop limit of its own drops the packet at 1. */
	want->b[7] = c->ttl ?: (c->hop_in > 1 ? c->hop_in - 1 : c->hop_in);

	if (c->force_zero) {
		/* word := ~(sum of the rest of want), in both packets */
		w = c->payload_len >= 2 ? 8 : 0;
		put_unaligned_be16(0, wu + w);
		sum = pseudo_sum6(want->b, want->udp_len);
		sum = sum16(wu, 6, sum) + sum16(wu + 8, want->udp_len - 8, 0);
		put_unaligned_be16(~fold(sum) & 0xffff, wu + w);
		memcpy(uh + w, wu + w, 2);
	}

	if (c->ip_summed == CHECKSUM_PARTIAL)
		/*
		 * What udp6_hwcsum_outgoing() leaves for the device to
		 * finish: ~csum_ipv6_magic(), the folded pseudo-header sum.
		 */
		put_unaligned_be16(fold(pseudo_sum6(b, orig->udp_len)), uh + 6);
	else
		put_unaligned_be16(udp6_csum_full(b, off, orig->udp_len), uh + 6);
	put_unaligned_be16(udp6_csum_full(want->b, off, want->udp_len), wu + 6);
}

KUNIT_DEFINE_ACTION_WRAPPER(kfree_skb_action, kfree_skb, struct sk_buff *);

/* An skb of p, head_len bytes of it in the head and the rest in a page. */
static struct sk_buff *pkt6_skb(struct kunit *test, const struct pkt6 *p,
				u8 ip_summed, unsigned int head_len)
{
	struct sk_buff *skb;
	struct page *page;

	if (!head_len || head_len > p->len)
		head_len = p->len;
	skb = alloc_skb(HEADROOM + head_len, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, kfree_skb_action, skb));
	skb_reserve(skb, HEADROOM);
	skb_put_data(skb, p->b, head_len);
	if (head_len < p->len) {
		page = alloc_page(GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, page);
		memcpy(page_address(page) + 100, p->b + head_len, p->len - head_len);
		skb_add_rx_frag(skb, 0, page, 100, p->len - head_len, PAGE_SIZE);
	}
	KUNIT_ASSERT_EQ(test, skb->len, p->len);
	skb_reset_network_header(skb);
	skb->protocol = htons(ETH_P_IPV6);
	skb->ip_summed = ip_summed;
	if (ip_summed == CHECKSUM_PARTIAL) {
		skb->csum_start = skb_headroom(skb) + p->nh_len;
		skb->csum_offset = offsetof(struct udphdr, check);
	}
	return skb;
}

static struct pkt6 *pkt6_alloc(struct kunit *test)
{
	struct pkt6 *p = kunit_kzalloc(test, sizeof(*p), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, p);
	return p;
}

/*
 * The packet an output sends: its prepared, rewritten headers followed by
 * the received skb's payload, which no one writes to.
 */
static void mcr_rewrite6_test(struct kunit *test)
{
	const struct rw6_case *c = test->param_value;
	struct pkt6 *orig = pkt6_alloc(test), *want = pkt6_alloc(test);
	union mcr_addr group = {};
	struct mcr_output out = {};
	unsigned int nh_len, udp_len, len, i;
	u16 got_udp, want_udp;
	struct mcr_pkt pkt;
	struct sk_buff *skb;
	u8 ip_summed;
	u8 *got;
	int rc;

	got = kunit_kzalloc(test, MAX_PKT, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, got);
	build_pkts6(c, orig, want);
	nh_len = orig->nh_len;
	udp_len = orig->udp_len;
	len = orig->len;
	/* Self-checks of the builder: the packets are what they claim. */
	KUNIT_ASSERT_EQ(test, nh_len,
			sizeof(struct ipv6hdr) + ext_chains[c->ext].len[0] +
			ext_chains[c->ext].len[1]);
	KUNIT_ASSERT_LE(test, nh_len - sizeof(struct ipv6hdr), MCR_IPV6_EXTHDRS_MAX);
	KUNIT_ASSERT_TRUE(test, udp6_verifies(want->b, nh_len, udp_len));
	if (c->ip_summed != CHECKSUM_PARTIAL)
		KUNIT_ASSERT_TRUE(test, udp6_verifies(orig->b, nh_len, udp_len));
	if (c->force_zero)
		KUNIT_ASSERT_EQ(test, get_unaligned_be16(want->b + nh_len + 6), 0xffff);

	out.daddr.in6 = c->daddr ? *c->daddr : orig_daddr;
	/* As for a rule whose group is the packet's destination. */
	group.in6 = orig_daddr;
	mcr_output_set_group(&out, AF_INET6, &group);
	KUNIT_EXPECT_EQ(test, out.rewrite_daddr,
			c->daddr && !ipv6_addr_equal(c->daddr, &orig_daddr));
	out.rewrite_daddr |= c->force_daddr;
	if (c->saddr)
		out.saddr.in6 = *c->saddr;
	out.port = cpu_to_be16(c->port);
	out.ttl = c->ttl;
	out.rewrites = true;

	skb = pkt6_skb(test, orig, c->ip_summed, c->head_len);
	rc = mcr_pkt_init6(&pkt, skb, ipv6_hdr(skb), nh_len);
	KUNIT_ASSERT_EQ(test, rc, 0);
	KUNIT_EXPECT_EQ(test, pkt.len, len);
	KUNIT_EXPECT_EQ(test, pkt.nh_len, nh_len);
	KUNIT_EXPECT_EQ(test, pkt.hdr_len, nh_len + 8);
	KUNIT_EXPECT_EQ(test, pkt.ttl, c->hop_in);
	KUNIT_EXPECT_TRUE(test, pkt.ipv6);
	/* A pending UDP checksum is finished in the headers. */
	KUNIT_EXPECT_FALSE(test, pkt.inner_csum);

	rcu_read_lock();
	rc = mcr_rewrite6(&out, &pkt.hdrs.ip6h, pkt.nh_len);
	rcu_read_unlock();
	KUNIT_ASSERT_EQ(test, rc, (int)SKB_NOT_DROPPED_YET);

	/* The received packet is left as it came. */
	KUNIT_ASSERT_EQ(test, skb->len, len);
	KUNIT_ASSERT_EQ(test, 0, skb_copy_bits(skb, 0, got, len));
	KUNIT_EXPECT_MEMEQ(test, got, orig->b, len);
	ip_summed = skb->ip_summed;	/* a bit-field: no typeof() */
	KUNIT_EXPECT_EQ(test, ip_summed, c->ip_summed);

	/* got: the output's headers, then the received payload. */
	memcpy(got, pkt.hdrs.bytes, pkt.hdr_len);
	/* Version, traffic class and flow label, bit for bit. */
	KUNIT_EXPECT_MEMEQ(test, got, orig->b, 4);
	KUNIT_EXPECT_EQ(test, got[7], want->b[7]);
	/* Every byte but the UDP checksum field as built. */
	for (i = 0; i < len; i++) {
		if (i == nh_len + 6 || i == nh_len + 7)
			continue;
		KUNIT_EXPECT_EQ_MSG(test, got[i], want->b[i], "byte %u", i);
	}

	got_udp = get_unaligned_be16(got + nh_len + 6);
	want_udp = get_unaligned_be16(want->b + nh_len + 6);
	KUNIT_EXPECT_NE_MSG(test, got_udp, 0,
			    "an IPv6 UDP checksum must not become 0 (\"none\")");
	KUNIT_EXPECT_EQ_MSG(test, norm(got_udp), norm(want_udp),
			    "UDP checksum 0x%04x, recomputed 0x%04x", got_udp, want_udp);
	KUNIT_EXPECT_TRUE_MSG(test, udp6_verifies(got, nh_len, udp_len),
			      "UDP datagram does not verify");
	if (c->force_zero)
		KUNIT_EXPECT_EQ(test, got_udp, 0xffff);
}

/*
 * A checksum pending anywhere but at the UDP header's (a tunnel's inner
 * one, or a start that is not where the UDP header is) is left to each
 * output: the headers are copied as they are, but for the hop limit.
 */
static void mcr_pkt_init6_inner_csum_test(struct kunit *test)
{
	static const struct rw6_case c = {
		.name = "inner", .ext = X_HBH_DST16, .payload_len = 40,
		.ip_summed = CHECKSUM_NONE, .hop_in = 64,
	};
	static const struct {
		int start;		/* from the UDP header */
		u16 offset;
	} pending[] = {
		{ 8, offsetof(struct udphdr, check) },	/* past UDP */
		{ -16, offsetof(struct udphdr, check) },	/* at the IPv6 header's end */
		{ 0, 0 },				/* not the check field */
	};
	struct pkt6 *orig = pkt6_alloc(test), *want = pkt6_alloc(test);
	struct mcr_pkt pkt;
	struct sk_buff *skb;
	unsigned int i;

	build_pkts6(&c, orig, want);
	for (i = 0; i < ARRAY_SIZE(pending); i++) {
		skb = pkt6_skb(test, orig, CHECKSUM_PARTIAL, 0);
		skb->csum_start += pending[i].start;
		skb->csum_offset = pending[i].offset;
		KUNIT_ASSERT_EQ(test, 0, mcr_pkt_init6(&pkt, skb, ipv6_hdr(skb),
						       orig->nh_len));
		KUNIT_EXPECT_TRUE_MSG(test, pkt.inner_csum, "case %u", i);
		KUNIT_EXPECT_EQ(test, pkt.ttl, 64);
		KUNIT_EXPECT_EQ(test, pkt.hdrs.ip6h.hop_limit, 63);
		KUNIT_EXPECT_MEMEQ(test, pkt.hdrs.bytes, orig->b, 7);
		KUNIT_EXPECT_MEMEQ(test, pkt.hdrs.bytes + 8, orig->b + 8,
				   pkt.hdr_len - 8);
	}
}

/* An skb shorter than the headers it claims: nothing is read past it. */
static void mcr_pkt_init6_short_test(struct kunit *test)
{
	static const struct rw6_case c = {
		.name = "short", .ext = X_HBH8, .payload_len = 40,
		.ip_summed = CHECKSUM_NONE, .hop_in = 64,
	};
	struct pkt6 *orig = pkt6_alloc(test), *want = pkt6_alloc(test);
	struct mcr_pkt pkt;
	struct sk_buff *skb;

	build_pkts6(&c, orig, want);
	orig->len = orig->nh_len + 7;
	skb = pkt6_skb(test, orig, CHECKSUM_NONE, 0);
	KUNIT_EXPECT_EQ(test, mcr_pkt_init6(&pkt, skb, ipv6_hdr(skb), orig->nh_len),
			-EFAULT);
}

/* ---- source auto without an IPv6 address ------------------------------- */

static const struct net_device_ops test_netdev_ops = {};

static void test_netdev_free(void *arg)
{
	struct net_device *dev = arg;

	unregister_netdev(dev);
	free_netdev(dev);
}

/*
 * source auto for destinations whose source comes from the output device
 * alone (multicast, link-local) on dev, which has no IPv6 address: the
 * output drops the packet rather than send it from the received source.
 */
static void expect_source_auto_drops(struct kunit *test,
				     struct net_device *dev)
{
	static const struct rw6_case c = {
		.name = "auto", .payload_len = 8,
		.ip_summed = CHECKSUM_NONE, .hop_in = 64,
	};
	static const struct in6_addr daddrs[] = {
		IP6(0xff3e, 0, 0, 0, 0, 0, 0, 0x1234),	/* the packet's own */
		IP6(0xff02, 0, 0, 0, 0, 0, 0, 0xfb),	/* link-local group */
		IP6(0xfe80, 0, 0, 0, 0, 0, 0, 1),	/* link-local unicast */
	};
	struct pkt6 *orig = pkt6_alloc(test), *want = pkt6_alloc(test);
	union mcr_addr group = { .in6 = daddrs[0] };
	struct mcr_output out = {};
	struct mcr_pkt pkt;
	struct sk_buff *skb;
	unsigned int i;
	int rc;

	build_pkts6(&c, orig, want);
	skb = pkt6_skb(test, orig, CHECKSUM_NONE, 0);
	for (i = 0; i < ARRAY_SIZE(daddrs); i++) {
		KUNIT_ASSERT_EQ(test, 0, mcr_pkt_init6(&pkt, skb, ipv6_hdr(skb),
						       orig->nh_len));
		out.dev = dev;
		out.daddr.in6 = daddrs[i];
		mcr_output_set_group(&out, AF_INET6, &group);
		out.source_auto = true;
		out.rewrites = true;
		rcu_read_lock();
		rc = mcr_rewrite6(&out, &pkt.hdrs.ip6h, pkt.nh_len);
		rcu_read_unlock();
		KUNIT_EXPECT_EQ_MSG(test, rc, (int)SKB_DROP_REASON_IP_OUTNOROUTES,
				    "daddr %pI6c", &daddrs[i]);
	}
}

/* A registered device that is down: IPv6 is on it, with no address yet. */
static void mcr_rewrite6_source_auto_no_addr_test(struct kunit *test)
{
	struct inet6_dev *idev;
	struct net_device *dev;
	int err;

	dev = alloc_netdev(0, "mcrk%d", NET_NAME_ENUM, ether_setup);
	KUNIT_ASSERT_NOT_NULL(test, dev);
	dev->netdev_ops = &test_netdev_ops;
	err = register_netdev(dev);
	if (err)
		free_netdev(dev);
	KUNIT_ASSERT_EQ(test, err, 0);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, test_netdev_free, dev));

	rcu_read_lock();
	idev = __in6_dev_get(dev);
	KUNIT_EXPECT_NOT_NULL(test, idev);
	if (idev)
		KUNIT_EXPECT_TRUE(test, list_empty(&idev->addr_list));
	rcu_read_unlock();
	expect_source_auto_drops(test, dev);
}

/* A device without IPv6 at all (no inet6_dev), as xmit_test.c's. */
static void mcr_rewrite6_source_auto_no_inet6_test(struct kunit *test)
{
	struct net_device *dev = kunit_kzalloc(test, sizeof(*dev), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, dev);
	/* Source selection reads the namespace's address labels. */
	dev_net_set(dev, &init_net);
	expect_source_auto_drops(test, dev);
}

static struct kunit_case mcr_xmit6_cases[] = {
	KUNIT_CASE_PARAM(mcr_rewrite6_test, rw6_gen_params),
	KUNIT_CASE(mcr_pkt_init6_inner_csum_test),
	KUNIT_CASE(mcr_pkt_init6_short_test),
	KUNIT_CASE(mcr_rewrite6_source_auto_no_addr_test),
	KUNIT_CASE(mcr_rewrite6_source_auto_no_inet6_test),
	{}
};

static struct kunit_suite mcr_xmit6_suite = {
	.name = "mcr_xmit6",
	.test_cases = mcr_xmit6_cases,
};

kunit_test_suite(mcr_xmit6_suite);
