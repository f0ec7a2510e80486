// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the headers prepared once per packet (mcr_pkt_init) and rewritten
 * per output (mcr_rewrite) on synthetic skbs, how an output's skb is made
 * from them and the received one (mcr_pkt_copy, mcr_pkt_share,
 * mcr_payload_clone with mcr_pkt_chain).
 *
 * Expected packets are built independently: the fields are set plainly and
 * both checksums fully recomputed with a byte-wise one's complement sum
 * written here, never with the kernel's csum helpers or the incremental
 * updates under test. A checksum of 0x0000 and one of 0xffff are the same
 * one's complement number (both verify), so checksums are compared with
 * that equivalence, and each result is also verified over the whole packet.
 */
#include <kunit/test.h>
#include <linux/ip.h>
#include <linux/skbuff.h>
#include <linux/udp.h>
#include <linux/unaligned.h>

#include "csum_util.h"
#include "mcr.h"

#define ORIG_SADDR	0xc0000201	/* 192.0.2.1 */
#define ORIG_DADDR	0xe9fc0001	/* 233.252.0.1 */
#define ORIG_SPORT	4000
#define ORIG_DPORT	5000
#define MAX_PKT		1500
#define HEADROOM	64

/* ---- independent checksum arithmetic: csum_util.h ---------------------- */

static u32 pseudo_sum(const u8 *pkt, unsigned int udp_len)
{
	u32 sum = sum16(pkt + 12, 8, 0);	/* saddr, daddr */

	return sum + IPPROTO_UDP + udp_len;
}

/* The IP header checksum, computed over the header with check = 0. */
static u16 ip_csum_full(const u8 *pkt, unsigned int ihl)
{
	u32 sum = sum16(pkt, 10, 0) + sum16(pkt + 12, ihl - 12, 0);

	return ~fold(sum) & 0xffff;
}

/* The UDP checksum (RFC 768: a computed 0 is sent as 0xffff). */
static u16 udp_csum_full(const u8 *pkt, unsigned int ihl, unsigned int udp_len)
{
	const u8 *uh = pkt + ihl;
	u32 sum = pseudo_sum(pkt, udp_len);
	u16 csum;

	sum = sum16(uh, 6, sum) + sum16(uh + 8, udp_len - 8, 0);
	csum = ~fold(sum) & 0xffff;
	return csum ? csum : 0xffff;
}

/* ---- cases --------------------------------------------------------------- */

struct rw_case {
	const char *name;
	u8 opt_len;		/* IP option bytes, multiple of 4, <= 40 */
	u16 payload_len;
	bool udp_csum;		/* false: the sender sent checksum 0 */
	u8 ip_summed;		/* CHECKSUM_NONE / _COMPLETE / _PARTIAL */
	u8 ttl_in;
	/* the output: 0 keeps the field (ttl 0: decrement) */
	u32 daddr;
	u32 saddr;
	u16 port;
	u8 ttl;
	/*
	 * Tweak the id / the first payload word so that the rewritten
	 * packet's IP / UDP checksum comes out as one's complement zero.
	 */
	bool force_ip_zero;
	bool force_udp_zero;
};

#define N	CHECKSUM_NONE
#define C	CHECKSUM_COMPLETE
#define P	CHECKSUM_PARTIAL
#define UNI	0xc6336407	/* 198.51.100.7: multicast to unicast */
#define G2	0xe9fc0063	/* 233.252.0.99 */
#define SRC2	0xcb007105	/* 203.0.113.5 */

static const struct rw_case rw_cases[] = {
	/* name                          opt  pay  csum  sum ttl  daddr saddr port ttl */
	{ "ttl_decrement_only",           0,  100, true,  N, 64,  0,   0,    0,    0 },
	{ "zero_udp_csum_stays_zero",     0,  100, false, N, 64,  G2,  SRC2, 6000, 0 },
	{ "zero_udp_csum_daddr_only",     0,   17, false, N, 64,  UNI, 0,    0,    0 },
	{ "empty_payload_all_fields",     0,    0, true,  N, 64,  G2,  SRC2, 6000, 0 },
	{ "odd_payload_1_daddr",          0,    1, true,  N, 64,  G2,  0,    0,    0 },
	{ "odd_payload_33_saddr_port",    0,   33, true,  N, 64,  0,   SRC2, 6001, 0 },
	{ "odd_payload_1471_all_fields",  0, 1471, true,  N, 64,  UNI, SRC2, 7000, 9 },
	{ "even_payload_1472_unicast",    0, 1472, true,  N, 64,  UNI, 0,    0,    0 },
	{ "ip_options_4_daddr_ttl_set",   4,   64, true,  N, 64,  G2,  0,    0,    32 },
	{ "ip_options_8_odd_saddr",       8,   45, true,  N, 64,  0,   SRC2, 0,    0 },
	{ "ip_options_40_odd_all",       40,  255, true,  N, 64,  UNI, SRC2, 6000, 0 },
	{ "ip_options_40_zero_udp_csum", 40,   10, false, N, 64,  G2,  SRC2, 6000, 0 },
	{ "ttl_decrement_from_2",         0,   20, true,  N,  2,  0,   0,    0,    0 },
	{ "ttl_decrement_from_255",       0,   20, true,  N, 255, 0,   0,    0,    0 },
	{ "ttl_set_1_from_64",            0,   20, true,  N, 64,  0,   0,    0,    1 },
	{ "ttl_set_255_from_1",           0,   20, true,  N,  1,  0,   0,    0,    255 },
	{ "ttl_set_same_value",           0,   20, true,  N, 64,  0,   0,    0,    64 },
	{ "saddr_port_unchanged_values",  0,   21, true,  N, 64,  0, ORIG_SADDR, ORIG_DPORT, 0 },
	{ "complete_csum_forwarded",      0,   99, true,  C, 64,  G2,  SRC2, 6000, 0 },
	{ "complete_csum_options_zero",  12,   99, false, C, 64,  G2,  SRC2, 6000, 0 },
	{ "partial_completed_all",        0,   17, true,  P, 64,  G2,  SRC2, 6000, 0 },
	{ "partial_completed_unicast",    0,  200, true,  P, 64,  UNI, 0,    0,    7 },
	{ "partial_options_port_only",    8,   33, true,  P, 64,  0,   0,    6002, 0 },
	{ "partial_no_field_rewrite",     0,    1, true,  P, 64,  0,   0,    0,    0 },
	{ "udp_csum_to_0xffff_daddr",     0,   40, true,  N, 64,  G2,  0,    0,    0,
	  .force_udp_zero = true },
	{ "udp_csum_to_0xffff_saddr",     0,   41, true,  N, 64,  0,   SRC2, 0,    0,
	  .force_udp_zero = true },
	{ "udp_csum_to_0xffff_port",      0,   40, true,  N, 64,  0,   0,    6000, 0,
	  .force_udp_zero = true },
	{ "partial_csum_to_0xffff",       4,   40, true,  P, 64,  G2,  SRC2, 6000, 0,
	  .force_udp_zero = true },
	{ "ip_csum_to_zero_ttl_dec",      0,   40, true,  N, 64,  0,   0,    0,    0,
	  .force_ip_zero = true },
	{ "ip_csum_to_zero_ttl_set",      4,   40, true,  N, 64,  G2,  0,    0,    200,
	  .force_ip_zero = true },
};

#undef N
#undef C
#undef P

static void rw_desc(const struct rw_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(rw, rw_cases, rw_desc);

struct pkt {
	u8 b[MAX_PKT];
	unsigned int len, ihl, udp_len;
};

static void put_ip_csum(struct pkt *p)
{
	put_unaligned_be16(0, p->b + 10);
	put_unaligned_be16(ip_csum_full(p->b, p->ihl), p->b + 10);
}

/* Build the packet as sent (orig) and as it must leave (want). */
static void build_pkts(const struct rw_case *c, struct pkt *orig,
		       struct pkt *want)
{
	static const u8 opts[40] = {
		0x94, 0x04, 0x00, 0x00,		/* router alert */
		0x01, 0x01, 0x01, 0x01,		/* NOPs */
		0x44, 0x0c, 0x05, 0x00,		/* timestamp, empty */
		0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00,
		0x01, 0x01, 0x01, 0x01,
		0x01, 0x01, 0x01, 0x01,
		0x01, 0x01, 0x01, 0x01,
		0x01, 0x01, 0x01, 0x01,
		0x01, 0x01, 0x01, 0x00,		/* ..., end of list */
	};
	u8 *b = orig->b, *uh;
	unsigned int i;
	u32 sum;

	memset(orig, 0, sizeof(*orig));
	orig->ihl = 20 + c->opt_len;
	orig->udp_len = 8 + c->payload_len;
	orig->len = orig->ihl + orig->udp_len;

	b[0] = 0x40 | (orig->ihl / 4);
	b[1] = 0x10;					/* tos */
	put_unaligned_be16(orig->len, b + 2);
	put_unaligned_be16(0x1234, b + 4);		/* id */
	put_unaligned_be16(0x4000, b + 6);		/* DF */
	b[8] = c->ttl_in;
	b[9] = IPPROTO_UDP;
	put_unaligned_be32(ORIG_SADDR, b + 12);
	put_unaligned_be32(ORIG_DADDR, b + 16);
	memcpy(b + 20, opts, c->opt_len);
	uh = b + orig->ihl;
	put_unaligned_be16(ORIG_SPORT, uh);
	put_unaligned_be16(ORIG_DPORT, uh + 2);
	put_unaligned_be16(orig->udp_len, uh + 4);
	for (i = 0; i < c->payload_len; i++)
		uh[8 + i] = (i * 7 + 3) & 0xff;

	/* The rewritten packet, field by field. */
	*want = *orig;
	if (c->daddr)
		put_unaligned_be32(c->daddr, want->b + 16);
	if (c->saddr)
		put_unaligned_be32(c->saddr, want->b + 12);
	if (c->port)
		put_unaligned_be16(c->port, want->b + want->ihl + 2);
	want->b[8] = c->ttl ? c->ttl : c->ttl_in - 1;

	if (c->force_ip_zero) {
		/* id := ~(sum of the other words), in both packets */
		put_unaligned_be16(0, want->b + 4);
		sum = sum16(want->b, 10, 0) + sum16(want->b + 12, want->ihl - 12, 0);
		put_unaligned_be16(~fold(sum) & 0xffff, want->b + 4);
		memcpy(orig->b + 4, want->b + 4, 2);
	}
	if (c->force_udp_zero && c->payload_len >= 2) {
		u8 *wu = want->b + want->ihl;

		put_unaligned_be16(0, wu + 8);
		sum = pseudo_sum(want->b, want->udp_len);
		sum = sum16(wu, 6, sum) + sum16(wu + 8, want->udp_len - 8, 0);
		put_unaligned_be16(~fold(sum) & 0xffff, wu + 8);
		memcpy(uh + 8, wu + 8, 2);
	}

	put_ip_csum(orig);
	put_ip_csum(want);
	if (!c->udp_csum) {
		/* both stay 0 */
	} else if (c->ip_summed == CHECKSUM_PARTIAL) {
		/* What a local sender leaves: the folded pseudo-header sum. */
		put_unaligned_be16(fold(pseudo_sum(b, orig->udp_len)),
				   uh + 6);
		put_unaligned_be16(udp_csum_full(want->b, want->ihl, want->udp_len),
				   want->b + want->ihl + 6);
	} else {
		put_unaligned_be16(udp_csum_full(b, orig->ihl, orig->udp_len), uh + 6);
		put_unaligned_be16(udp_csum_full(want->b, want->ihl, want->udp_len),
				   want->b + want->ihl + 6);
	}
}

KUNIT_DEFINE_ACTION_WRAPPER(kfree_skb_action, kfree_skb, struct sk_buff *);

static struct sk_buff *pkt_skb(struct kunit *test, const struct pkt *p,
			       u8 ip_summed)
{
	struct sk_buff *skb = alloc_skb(HEADROOM + p->len, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, skb);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, kfree_skb_action, skb));
	skb_reserve(skb, HEADROOM);
	skb_put_data(skb, p->b, p->len);
	skb->protocol = htons(ETH_P_IP);
	skb->ip_summed = ip_summed;
	if (ip_summed == CHECKSUM_PARTIAL) {
		skb->csum_start = skb_headroom(skb) + p->ihl;
		skb->csum_offset = offsetof(struct udphdr, check);
	} else if (ip_summed == CHECKSUM_COMPLETE) {
		skb->csum = 0x5a5a;	/* stale on purpose: must be dropped */
	}
	return skb;
}

/* mcr_pkt_init() on skb, whose headers are those of p. */
static void pkt_init(struct mcr_pkt *pkt, const struct sk_buff *skb,
		     const struct pkt *p)
{
	mcr_pkt_init(pkt, skb, (const struct iphdr *)skb->data,
		     (const struct udphdr *)(skb->data + p->ihl));
}

/*
 * The packet an output sends: its prepared, rewritten headers followed by
 * the received skb's payload, which no one writes to.
 */
static void mcr_rewrite_test(struct kunit *test)
{
	const struct rw_case *c = test->param_value;
	struct mcr_output out = {};
	struct pkt *orig, *want;
	struct mcr_pkt pkt;
	struct sk_buff *skb;
	u8 *got;
	u16 got_ip, got_udp, want_ip, want_udp;
	unsigned int ihl, i;
	int rc;

	orig = kunit_kzalloc(test, sizeof(*orig), GFP_KERNEL);
	want = kunit_kzalloc(test, sizeof(*want), GFP_KERNEL);
	got = kunit_kzalloc(test, MAX_PKT, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, orig);
	KUNIT_ASSERT_NOT_NULL(test, want);
	KUNIT_ASSERT_NOT_NULL(test, got);
	build_pkts(c, orig, want);
	ihl = orig->ihl;
	/* The input is valid (self-check of the builder). */
	KUNIT_ASSERT_EQ(test, fold(sum16(orig->b, ihl, 0)), 0xffff);

	out.daddr.ip = cpu_to_be32(c->daddr ?: ORIG_DADDR);
	out.rewrite_daddr = c->daddr && c->daddr != ORIG_DADDR;
	out.saddr.ip = cpu_to_be32(c->saddr);
	out.port = cpu_to_be16(c->port);
	out.ttl = c->ttl;

	skb = pkt_skb(test, orig, c->ip_summed);
	pkt_init(&pkt, skb, orig);
	KUNIT_EXPECT_EQ(test, pkt.len, orig->len);
	KUNIT_EXPECT_EQ(test, pkt.nh_len, ihl);
	KUNIT_EXPECT_EQ(test, pkt.hdr_len, ihl + 8);
	KUNIT_EXPECT_EQ(test, pkt.ttl, c->ttl_in);
	/* A pending UDP checksum is finished in the headers. */
	KUNIT_EXPECT_FALSE(test, pkt.inner_csum);
	rcu_read_lock();
	rc = mcr_rewrite(&out, &pkt.hdrs.iph, ihl);
	rcu_read_unlock();
	KUNIT_ASSERT_EQ(test, rc, 0);
	/* The received packet is left as it came. */
	KUNIT_ASSERT_EQ(test, skb->len, orig->len);
	KUNIT_EXPECT_MEMEQ(test, skb->data, orig->b, orig->len);

	memcpy(got, pkt.hdrs.bytes, pkt.hdr_len);
	memcpy(got + pkt.hdr_len, skb->data + pkt.hdr_len, orig->len - pkt.hdr_len);
	/* Every byte but the two checksum fields as built. */
	for (i = 0; i < orig->len; i++) {
		if (i == 10 || i == 11 || i == ihl + 6 || i == ihl + 7)
			continue;
		KUNIT_EXPECT_EQ_MSG(test, got[i], want->b[i], "byte %u", i);
	}

	got_ip = get_unaligned_be16(got + 10);
	want_ip = get_unaligned_be16(want->b + 10);
	KUNIT_EXPECT_EQ_MSG(test, norm(got_ip), norm(want_ip),
			    "IP checksum 0x%04x, recomputed 0x%04x", got_ip, want_ip);
	KUNIT_EXPECT_EQ_MSG(test, fold(sum16(got, ihl, 0)), 0xffff,
			    "IP header does not verify");

	got_udp = get_unaligned_be16(got + ihl + 6);
	want_udp = get_unaligned_be16(want->b + ihl + 6);
	if (!c->udp_csum) {
		KUNIT_EXPECT_EQ_MSG(test, got_udp, 0, "a zero UDP checksum must stay zero");
	} else {
		KUNIT_EXPECT_NE_MSG(test, got_udp, 0,
				    "a UDP checksum must not become 0 (\"none\")");
		KUNIT_EXPECT_EQ_MSG(test, norm(got_udp), norm(want_udp),
				    "UDP checksum 0x%04x, recomputed 0x%04x",
				    got_udp, want_udp);
		KUNIT_EXPECT_EQ_MSG(test,
				    fold(sum16(got + ihl, orig->udp_len,
					       pseudo_sum(got, orig->udp_len))),
				    0xffff, "UDP datagram does not verify");
		if (c->force_udp_zero)
			KUNIT_EXPECT_EQ(test, got_udp, 0xffff);
	}
}

/*
 * A checksum pending past the UDP header (a tunnel's inner one) is left to
 * each output; the UDP checksum is complete already and stays as it is. A
 * TTL of 1 is not decremented: only outputs that set one send the packet.
 */
static void mcr_pkt_init_inner_csum_test(struct kunit *test)
{
	static const struct rw_case c = {
		.name = "inner", .payload_len = 40, .udp_csum = true,
		.ip_summed = CHECKSUM_NONE, .ttl_in = 1,
	};
	struct pkt *orig, *want;
	struct mcr_pkt pkt;
	struct sk_buff *skb;

	orig = kunit_kzalloc(test, sizeof(*orig), GFP_KERNEL);
	want = kunit_kzalloc(test, sizeof(*want), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, orig);
	KUNIT_ASSERT_NOT_NULL(test, want);
	build_pkts(&c, orig, want);
	skb = pkt_skb(test, orig, CHECKSUM_PARTIAL);
	skb->csum_start += 8;
	pkt_init(&pkt, skb, orig);
	KUNIT_EXPECT_TRUE(test, pkt.inner_csum);
	KUNIT_EXPECT_EQ(test, pkt.ttl, 1);
	KUNIT_EXPECT_MEMEQ(test, pkt.hdrs.bytes, orig->b, pkt.hdr_len);
}

/* source auto on a device without IPv4: the output drops, not sends 0. */
static void mcr_rewrite_source_auto_no_addr_test(struct kunit *test)
{
	static const struct rw_case c = {
		.name = "auto", .payload_len = 8, .udp_csum = true,
		.ip_summed = CHECKSUM_NONE, .ttl_in = 64,
	};
	struct mcr_output out = {};
	struct net_device *dev;
	struct pkt *orig, *want;
	struct mcr_pkt pkt;
	struct sk_buff *skb;
	int rc;

	orig = kunit_kzalloc(test, sizeof(*orig), GFP_KERNEL);
	want = kunit_kzalloc(test, sizeof(*want), GFP_KERNEL);
	dev = kunit_kzalloc(test, sizeof(*dev), GFP_KERNEL);	/* no in_device */
	KUNIT_ASSERT_NOT_NULL(test, orig);
	KUNIT_ASSERT_NOT_NULL(test, want);
	KUNIT_ASSERT_NOT_NULL(test, dev);
	build_pkts(&c, orig, want);
	out.dev = dev;
	out.daddr.ip = cpu_to_be32(ORIG_DADDR);
	out.source_auto = true;
	skb = pkt_skb(test, orig, CHECKSUM_NONE);
	pkt_init(&pkt, skb, orig);
	rcu_read_lock();
	rc = mcr_rewrite(&out, &pkt.hdrs.iph, orig->ihl);
	rcu_read_unlock();
	KUNIT_EXPECT_EQ(test, rc, (int)SKB_DROP_REASON_IP_OUTNOROUTES);
}

/* ---- mcr_pkt_copy / mcr_payload_shareable / mcr_pkt_share -------------- */

/*
 * The received skb in several layouts: where its head comes from, how much
 * of the packet the head holds, how the rest is split over page fragments,
 * trailing link-layer padding, and the checksum state.
 */
struct share_case {
	const char *name;
	u16 payload_len;
	u16 head_len;		/* bytes of packet + padding in the head; 0: all */
	u8 nfrags;		/* the rest split over this many pages */
	u8 pad;			/* padding bytes after the IP packet */
	bool frag_head;		/* head from the page fragment cache */
	bool partial;		/* CHECKSUM_PARTIAL ... */
	bool partial_elsewhere;	/* ... starting past the UDP header */
	bool shareable;		/* what mcr_payload_shareable() must say */
};

#define HDRS	28		/* IP + UDP headers, no options */

static const struct share_case share_cases[] = {
	/* name                        pay  head frags pad  frag_head */
	{ "kmalloc_head_linear",       100,    0, 0,   0, false, .shareable = false },
	{ "frag_head_linear",          100,    0, 0,   0, true,  .shareable = true },
	{ "frag_head_linear_1472",    1472,    0, 0,   0, true,  .shareable = true },
	{ "frag_head_empty_payload",     0,    0, 0,   0, true,  .shareable = true },
	{ "frag_head_padded",           10,    0, 0,  18, true,  .shareable = true },
	{ "frag_head_and_2_frags",    1000,  200, 2,   0, true,  .shareable = true },
	{ "head_is_headers_3_frags",   999, HDRS, 3,   0, true,  .shareable = true },
	{ "padding_in_last_frag",      300,  100, 2,  30, true,  .shareable = true },
	{ "padding_is_last_frag",      300,  100, 1,  30, true,  .shareable = true },
	{ "headers_not_linear",        100,   20, 1,   0, true,  .shareable = false },
	{ "kmalloc_head_with_frags",   500,   64, 2,   0, false, .shareable = false },
	{ "partial_csum_at_udp",       333,    0, 0,   0, true,  .partial = true,
	  .shareable = true },
	{ "partial_csum_elsewhere",    333,    0, 0,   0, true,  .partial = true,
	  .partial_elsewhere = true, .shareable = false },
};

#undef HDRS

static void share_desc(const struct share_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(share, share_cases, share_desc);

/* The packet (p, plus c->pad bytes of padding) laid out as c says. */
static struct sk_buff *layout_skb(struct kunit *test,
				  const struct share_case *c,
				  const u8 *bytes, unsigned int total)
{
	unsigned int head_len = c->head_len ?: total;
	unsigned int off, i, size;
	struct sk_buff *skb;
	struct page *page;

	if (c->frag_head) {
		/*
		 * A page of its own, not one from the page fragment cache that
		 * the skbs under test take their heads from too: its reference
		 * count then moves only by what they take from the original.
		 */
		page = alloc_page(GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, page);
		skb = build_skb(page_address(page), PAGE_SIZE);
	} else {
		skb = alloc_skb(HEADROOM + head_len, GFP_KERNEL);
	}
	KUNIT_ASSERT_NOT_NULL(test, skb);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, kfree_skb_action, skb));
	KUNIT_ASSERT_EQ(test, (bool)skb->head_frag, c->frag_head);
	skb_reserve(skb, HEADROOM);
	skb_put_data(skb, bytes, head_len);
	for (off = head_len, i = 0; i < c->nfrags; i++) {
		size = i == c->nfrags - 1 ? total - off : (total - head_len) / c->nfrags;
		page = alloc_page(GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, page);
		/* At an offset, so that one is carried over too. */
		memcpy(page_address(page) + 100 + i, bytes + off, size);
		skb_add_rx_frag(skb, i, page, 100 + i, size, PAGE_SIZE);
		off += size;
	}
	KUNIT_ASSERT_EQ(test, skb->len, total);
	skb->protocol = htons(ETH_P_IP);
	if (c->partial) {
		skb->ip_summed = CHECKSUM_PARTIAL;
		skb->csum_start = skb_headroom(skb) + 20 +
				  (c->partial_elsewhere ? 8 : 0);
		skb->csum_offset = offsetof(struct udphdr, check);
	} else {
		skb->ip_summed = CHECKSUM_COMPLETE;
		skb->csum = 0x5a5a;
	}
	skb->mark = 0x1234;
	skb->priority = 7;
	return skb;
}

/*
 * nskb carries exactly want (len bytes), with the headers private and
 * complete.
 */
static void expect_pkt(struct kunit *test, struct sk_buff *nskb,
		       const u8 *want, unsigned int len, unsigned int headroom)
{
	u8 *got = kunit_kzalloc(test, len + 1, GFP_KERNEL);
	u8 ip_summed = nskb->ip_summed;	/* a bit-field: no typeof() */

	KUNIT_ASSERT_NOT_NULL(test, got);
	KUNIT_ASSERT_EQ(test, nskb->len, len);
	KUNIT_ASSERT_EQ(test, 0, skb_copy_bits(nskb, 0, got, len));
	KUNIT_EXPECT_MEMEQ(test, got, want, len);
	KUNIT_EXPECT_GE(test, skb_headroom(nskb), headroom);
	KUNIT_EXPECT_GE(test, skb_headlen(nskb), 28U);
	KUNIT_EXPECT_FALSE(test, skb_cloned(nskb));
	KUNIT_EXPECT_EQ(test, nskb->mark, 0x1234U);
	KUNIT_EXPECT_EQ(test, nskb->priority, 7U);
	/* Neither a pending nor a stale CHECKSUM_COMPLETE travels. */
	KUNIT_EXPECT_EQ(test, ip_summed, CHECKSUM_NONE);
}

static int page_refs(const struct sk_buff *skb, int *refs)
{
	int i, n = 0;

	if (skb->head_frag)
		refs[n++] = page_ref_count(virt_to_head_page(skb->head));
	for (i = 0; i < skb_shinfo(skb)->nr_frags; i++)
		refs[n++] = page_ref_count(skb_frag_page(&skb_shinfo(skb)->frags[i]));
	return n;
}

/*
 * mcr_payload_clone() and mcr_pkt_chain(): private headers (those of want)
 * and a shared fragment list with the rest of skb's bytes, bytes (len of
 * them, then padding), that keeps skb's data marked shared until the last
 * output lets go of it.
 */
static void expect_chain(struct kunit *test, struct sk_buff *skb,
			 const u8 *bytes, const u8 *want, unsigned int len,
			 unsigned int hdr_len)
{
	struct sk_buff *payload, *nskb[2];
	int refs_before[MAX_SKB_FRAGS + 1], refs_after[MAX_SKB_FRAGS + 1];
	bool shares_head;
	int n, i;

	n = page_refs(skb, refs_before);
	payload = mcr_payload_clone(skb, hdr_len, len);
	KUNIT_ASSERT_NOT_NULL(test, payload);
	KUNIT_EXPECT_EQ(test, payload->len, len - hdr_len);
	/*
	 * Where the clone had to pull or trim fragments it has a head of its
	 * own; while it shares skb's, skb must say so.
	 */
	shares_head = payload->head == skb->head;
	KUNIT_EXPECT_EQ(test, skb_cloned(skb), shares_head);

	/* Two outputs, as a rule with two outputs makes them. */
	local_bh_disable();
	nskb[0] = mcr_pkt_chain(48, skb, want, hdr_len, payload);
	nskb[1] = mcr_pkt_chain(48, skb, want, hdr_len, payload);
	local_bh_enable();
	for (i = 0; i < 2; i++) {
		KUNIT_ASSERT_NOT_NULL(test, nskb[i]);
		expect_pkt(test, nskb[i], want, len, 48);
		KUNIT_EXPECT_EQ(test, skb_headlen(nskb[i]), hdr_len);
		KUNIT_EXPECT_EQ(test, nskb[i]->data_len, len - hdr_len);
		KUNIT_EXPECT_PTR_EQ(test, skb_shinfo(nskb[i])->frag_list, payload);
	}
	KUNIT_EXPECT_EQ(test, refcount_read(&payload->users), 3U);

	/* Each one's headers are its own. */
	nskb[0]->data[8] = 1;
	nskb[0]->data[20] = 0xab;
	KUNIT_EXPECT_MEMEQ(test, nskb[1]->data, want, hdr_len);
	KUNIT_EXPECT_MEMEQ(test, skb->data, bytes, min(hdr_len, skb_headlen(skb)));

	/* The data stays marked shared until the last holder is freed. */
	consume_skb(payload);
	kfree_skb(nskb[0]);
	KUNIT_EXPECT_EQ(test, skb_cloned(skb), shares_head);
	kfree_skb(nskb[1]);
	KUNIT_EXPECT_FALSE(test, skb_cloned(skb));
	KUNIT_ASSERT_EQ(test, page_refs(skb, refs_after), n);
	for (i = 0; i < n; i++)
		KUNIT_EXPECT_EQ_MSG(test, refs_after[i], refs_before[i], "page %d", i);
}

static void mcr_pkt_share_test(struct kunit *test)
{
	static const struct rw_case plain = {
		.name = "plain", .udp_csum = true, .ttl_in = 64,
	};
	const struct share_case *c = test->param_value;
	int refs_before[MAX_SKB_FRAGS + 1], refs_after[MAX_SKB_FRAGS + 1];
	struct pkt *orig, *want;
	struct rw_case rc = plain;
	struct sk_buff *skb, *nskb;
	unsigned int len, total, hdr_len = 28;
	u8 *bytes, *hdrs_want;
	int n, i;

	orig = kunit_kzalloc(test, sizeof(*orig), GFP_KERNEL);
	want = kunit_kzalloc(test, sizeof(*want), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, orig);
	KUNIT_ASSERT_NOT_NULL(test, want);
	rc.payload_len = c->payload_len;
	build_pkts(&rc, orig, want);
	len = orig->len;
	total = len + c->pad;
	bytes = kunit_kzalloc(test, total, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, bytes);
	memcpy(bytes, orig->b, len);
	memset(bytes + len, 0xee, c->pad);
	/*
	 * The packet as outputs send it: headers of their own (here, the
	 * rewritten ones of want, to tell them from skb's), then skb's bytes.
	 */
	hdrs_want = kunit_kzalloc(test, len, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, hdrs_want);
	memcpy(hdrs_want, bytes, len);
	memcpy(hdrs_want, want->b, hdr_len);

	skb = layout_skb(test, c, bytes, total);
	KUNIT_EXPECT_EQ(test, mcr_payload_shareable(skb, hdr_len, 20), c->shareable);

	/*
	 * A private linear copy works for every layout but a stray offset.
	 * The new skbs' heads come from a per-CPU cache: BH context, as in
	 * the hook.
	 */
	local_bh_disable();
	nskb = mcr_pkt_copy(48, skb, hdrs_want, hdr_len, len);
	local_bh_enable();
	KUNIT_ASSERT_NOT_NULL(test, nskb);
	expect_pkt(test, nskb, hdrs_want, len, 48);
	KUNIT_EXPECT_EQ(test, skb_headlen(nskb), len);
	KUNIT_EXPECT_TRUE(test, nskb->head_frag);
	kfree_skb(nskb);
	expect_chain(test, skb, bytes, hdrs_want, len, hdr_len);
	if (!c->shareable)
		return;

	n = page_refs(skb, refs_before);
	local_bh_disable();
	nskb = mcr_pkt_share(48, skb, hdrs_want, hdr_len, len);
	local_bh_enable();
	KUNIT_ASSERT_NOT_NULL(test, nskb);
	expect_pkt(test, nskb, hdrs_want, len, 48);
	KUNIT_EXPECT_EQ(test, skb_headlen(nskb), hdr_len);
	/* Other outputs send the same pages: writers must copy them first. */
	if (skb_shinfo(nskb)->nr_frags)
		KUNIT_EXPECT_TRUE(test, skb_has_shared_frag(nskb));
	/* The headers are this skb's own: writing them leaves the original. */
	nskb->data[8] = 1;
	nskb->data[20] = 0xab;
	KUNIT_EXPECT_MEMEQ(test, skb->data, bytes, hdr_len);
	/* Every page reference taken is given back with the skb. */
	kfree_skb(nskb);
	KUNIT_ASSERT_EQ(test, page_refs(skb, refs_after), n);
	for (i = 0; i < n; i++)
		KUNIT_EXPECT_EQ_MSG(test, refs_after[i], refs_before[i], "page %d", i);
	/* The original is untouched. */
	KUNIT_EXPECT_EQ(test, skb->len, total);
	bytes[8] = 0;
	KUNIT_EXPECT_EQ(test, 0, skb_copy_bits(skb, 0, bytes, total));
	KUNIT_EXPECT_MEMEQ(test, bytes, orig->b, len);
}

static struct kunit_case mcr_xmit_cases[] = {
	KUNIT_CASE_PARAM(mcr_rewrite_test, rw_gen_params),
	KUNIT_CASE(mcr_rewrite_source_auto_no_addr_test),
	KUNIT_CASE(mcr_pkt_init_inner_csum_test),
	KUNIT_CASE_PARAM(mcr_pkt_share_test, share_gen_params),
	{}
};

static struct kunit_suite mcr_xmit_suite = {
	.name = "mcr_xmit",
	.test_cases = mcr_xmit_cases,
};

kunit_test_suite(mcr_xmit_suite);
