// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: match precedence in a device's IPv6 rules (mcr_dev_lookup6), kept
 * apart from its IPv4 ones, as table_test.c checks IPv4's: rules linked
 * with mcr_dev_link_rule() in every insertion order, the expected winner
 * stated per case.
 */
#include <kunit/test.h>
#include <linux/rcupdate.h>

#include "ip6_util.h"
#include "mcr.h"

#define G6	IP6(0xff3e, 0, 0, 0, 0, 0, 0, 0x1234)
#define G6B	IP6(0xff3e, 0, 0, 0, 0, 0, 0, 0x5678)
/* The words of G6 in another order: the same hash, the same bucket. */
#define G6C	IP6(0xff3e, 0, 0, 0x1234, 0, 0, 0, 0)
#define S6	IP6(0x2001, 0xdb8, 1, 0, 0, 0, 0, 1)
#define S6B	IP6(0x2001, 0xdb8, 1, 0, 0, 0, 0, 2)
/* Unlike S6 in one byte only: the last, the first. */
#define S6X	IP6(0x2001, 0xdb8, 1, 0, 0, 0, 0, 0x101)
#define S6Y	IP6(0x3001, 0xdb8, 1, 0, 0, 0, 0, 1)
#define ANY6	IP6(0, 0, 0, 0, 0, 0, 0, 0)
#define PT	cpu_to_be16(5000)
#define PT2	cpu_to_be16(5001)

/* ---- mcr_dev_lookup6 on a hand-built device ---------------------------- */

enum { R_SGP, R_GP, R_SG, R_G, R_S2G, R_G2P, R_GC, N_RULES };

static const struct mcr_key rule_keys6[N_RULES] = {
	[R_SGP] = KEY6(G6, S6, PT),
	[R_GP] = KEY6(G6, ANY6, PT),
	[R_SG] = KEY6(G6, S6, 0),
	[R_G] = KEY6(G6, ANY6, 0),
	[R_S2G] = KEY6(G6, S6B, 0),
	[R_G2P] = KEY6(G6B, ANY6, PT),
	[R_GC] = KEY6(G6C, ANY6, 0),
};

/* Insertion orders: forward, reverse, and two interleavings. */
static const u8 orders6[][N_RULES] = {
	{ R_SGP, R_GP, R_SG, R_G, R_S2G, R_G2P, R_GC },
	{ R_GC, R_G2P, R_S2G, R_G, R_SG, R_GP, R_SGP },
	{ R_G, R_GC, R_SGP, R_S2G, R_GP, R_G2P, R_SG },
	{ R_SG, R_G, R_G2P, R_SGP, R_GC, R_S2G, R_GP },
};

#define NONE	(-1)

struct lookup6_case {
	const char *name;
	struct in6_addr daddr, saddr;
	__be16 dport;
	int want;			/* index into rule_keys6, or NONE */
};

static const struct lookup6_case lookup6_cases[] = {
	{ "S_G_P_hits_SGP", G6, S6, PT, R_SGP },
	{ "other_S_G_P_hits_GP", G6, S6B, PT, R_GP },
	{ "S_last_byte_differs_hits_GP", G6, S6X, PT, R_GP },
	{ "S_first_byte_differs_hits_GP", G6, S6Y, PT, R_GP },
	{ "S_G_other_port_hits_SG", G6, S6, PT2, R_SG },
	{ "S2_G_other_port_hits_S2G", G6, S6B, PT2, R_S2G },
	{ "unknown_S_G_other_port_hits_G", G6, S6X, PT2, R_G },
	{ "G2_port_hits_G2P", G6B, S6, PT, R_G2P },
	{ "G2_other_port_misses", G6B, S6, PT2, NONE },
	{ "same_bucket_group_hits_GC", G6C, S6, PT, R_GC },
	{ "other_group_misses", IP6(0xff3e, 0, 0, 0, 0, 0, 0, 0x1235), S6, PT, NONE },
	{ "group_in_other_scope_misses", IP6(0xff35, 0, 0, 0, 0, 0, 0, 0x1234), S6, PT, NONE },
	{ "source_as_group_misses", S6, G6, PT, NONE },
	{ "any_as_group_misses", ANY6, S6, PT, NONE },
};

static void lookup6_desc(const struct lookup6_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(lookup6, lookup6_cases, lookup6_desc);

/*
 * A zeroed struct mcr_dev with the rules of keys (n of them) linked in the
 * order given (n indexes into keys), as mcr_rule_insert() links them.
 */
static struct mcr_dev *build_dev(struct kunit *test, const struct mcr_key *keys,
				 const u8 *order, unsigned int n,
				 struct mcr_rule **rules)
{
	struct mcr_dev *mdev;
	unsigned int i;

	/* Zeroed hlist heads are empty lists. */
	mdev = kunit_kzalloc(test, sizeof(*mdev), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, mdev);
	for (i = 0; i < n; i++) {
		struct mcr_rule *rule = kunit_kzalloc(test, sizeof(*rule), GFP_KERNEL);

		KUNIT_ASSERT_NOT_NULL(test, rule);
		rule->key = keys[order[i]];
		rule->id = order[i] + 1;
		rule->mdev = mdev;
		rules[order[i]] = rule;
		mcr_dev_link_rule(mdev, rule);
	}
	return mdev;
}

static void mcr_dev_lookup6_test(struct kunit *test)
{
	const struct lookup6_case *c = test->param_value;
	struct mcr_rule *rules[N_RULES];
	unsigned int o;

	for (o = 0; o < ARRAY_SIZE(orders6); o++) {
		struct mcr_dev *mdev = build_dev(test, rule_keys6, orders6[o],
						 N_RULES, rules);
		struct mcr_rule *got;

		rcu_read_lock();
		got = mcr_dev_lookup6(mdev, &c->daddr, &c->saddr, c->dport);
		rcu_read_unlock();
		if (c->want == NONE)
			KUNIT_EXPECT_NULL_MSG(test, got, "insertion order %u: matched rule %u",
					      o, got ? got->id : 0);
		else
			KUNIT_EXPECT_PTR_EQ_MSG(test, got, rules[c->want],
						"insertion order %u: got rule %u, want %u",
						o, got ? got->id : 0, c->want + 1);
	}
}

/* How many rules are linked in heads, checking the order in each bucket. */
static unsigned int count_linked(struct kunit *test, const struct hlist_head *heads)
{
	unsigned int b, linked = 0;

	for (b = 0; b < (1 << MCR_DEV_HASH_BITS); b++) {
		unsigned int last = UINT_MAX;
		struct mcr_rule *r;

		hlist_for_each_entry(r, &heads[b], hash_node) {
			unsigned int spec = mcr_key_specificity(&r->key);

			KUNIT_EXPECT_LE_MSG(test, spec, last, "bucket %u rule %u", b, r->id);
			last = spec;
			linked++;
		}
	}
	return linked;
}

/*
 * IPv6 rules go to the IPv6 table, in buckets where specificity never
 * increases along the list.
 */
static void mcr_dev_link_rule6_order_test(struct kunit *test)
{
	struct mcr_rule *rules[N_RULES];
	unsigned int o;

	for (o = 0; o < ARRAY_SIZE(orders6); o++) {
		struct mcr_dev *mdev = build_dev(test, rule_keys6, orders6[o],
						 N_RULES, rules);

		KUNIT_EXPECT_EQ_MSG(test, count_linked(test, mdev->rules6), N_RULES,
				    "order %u", o);
		KUNIT_EXPECT_EQ_MSG(test, count_linked(test, mdev->rules), 0,
				    "order %u", o);
	}
}

/*
 * IPv4 and IPv6 rules whose addresses have the same leading bytes:
 * 32.1.13.184 (as a multicast-to-unicast input) is 0x20010db8, and its
 * key's bytes are those of 2001:db8::. A family's lookup never matches the
 * other's rules, whichever of them the device has.
 */
enum { F4_G, F4_SGP, F6_G, F6_SGP, N_FRULES };

#define F4_GRP	cpu_to_be32(0x20010db8)		/* 32.1.13.184 */
#define F4_SRC	cpu_to_be32(0x20010db9)		/* 32.1.13.185 */
#define F6_GRP	IP6(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0)
#define F6_SRC	IP6(0x2001, 0xdb9, 0, 0, 0, 0, 0, 0)

static const struct mcr_key family_keys[N_FRULES] = {
	[F4_G] = { .group.ip = F4_GRP, .family = AF_INET },
	[F4_SGP] = { .group.ip = F4_GRP, .source.ip = F4_SRC, .port = PT,
		     .family = AF_INET },
	[F6_G] = KEY6(F6_GRP, ANY6, 0),
	[F6_SGP] = KEY6(F6_GRP, F6_SRC, PT),
};

static void mcr_dev_lookup_family_test(struct kunit *test)
{
	static const u8 orders[][N_FRULES] = {
		{ F4_G, F4_SGP, F6_G, F6_SGP },
		{ F6_SGP, F6_G, F4_SGP, F4_G },
		{ F6_G, F4_G, F6_SGP, F4_SGP },
		{ F4_G, F4_SGP },	/* IPv4 only */
		{ F4_SGP, F4_G },
		{ F6_G, F6_SGP },	/* IPv6 only */
		{ F6_SGP, F6_G },
	};
	static const u8 counts[] = { 4, 4, 4, 2, 2, 2, 2 };
	static const struct in6_addr grp6 = F6_GRP, src6 = F6_SRC;
	static const struct in6_addr other6 = IP6(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0x99);
	struct mcr_rule *rules[N_FRULES];
	struct mcr_rule *sgp4, *g4, *sgp6, *g6;
	bool has4, has6;
	unsigned int o;

	BUILD_BUG_ON(ARRAY_SIZE(counts) != ARRAY_SIZE(orders));
	/* The premise: the two groups' key bytes are the same. */
	KUNIT_ASSERT_MEMEQ(test, &family_keys[F4_G].group, &family_keys[F6_G].group,
			   sizeof(union mcr_addr));

	for (o = 0; o < ARRAY_SIZE(orders); o++) {
		struct mcr_dev *mdev;

		memset(rules, 0, sizeof(rules));
		mdev = build_dev(test, family_keys, orders[o], counts[o], rules);
		has4 = rules[F4_G];
		has6 = rules[F6_G];
		KUNIT_EXPECT_EQ_MSG(test, count_linked(test, mdev->rules), has4 ? 2 : 0,
				    "order %u", o);
		KUNIT_EXPECT_EQ_MSG(test, count_linked(test, mdev->rules6), has6 ? 2 : 0,
				    "order %u", o);

		rcu_read_lock();
		sgp4 = mcr_dev_lookup(mdev, F4_GRP, F4_SRC, PT);
		g4 = mcr_dev_lookup(mdev, F4_GRP, cpu_to_be32(0x0a000001), PT2);
		sgp6 = mcr_dev_lookup6(mdev, &grp6, &src6, PT);
		g6 = mcr_dev_lookup6(mdev, &grp6, &other6, PT2);
		rcu_read_unlock();

		KUNIT_EXPECT_PTR_EQ_MSG(test, sgp4, has4 ? rules[F4_SGP] : NULL,
					"order %u: IPv4 (S,G,port) got rule %u", o,
					sgp4 ? sgp4->id : 0);
		KUNIT_EXPECT_PTR_EQ_MSG(test, g4, has4 ? rules[F4_G] : NULL,
					"order %u: IPv4 (*,G) got rule %u", o,
					g4 ? g4->id : 0);
		KUNIT_EXPECT_PTR_EQ_MSG(test, sgp6, has6 ? rules[F6_SGP] : NULL,
					"order %u: IPv6 (S,G,port) got rule %u", o,
					sgp6 ? sgp6->id : 0);
		KUNIT_EXPECT_PTR_EQ_MSG(test, g6, has6 ? rules[F6_G] : NULL,
					"order %u: IPv6 (*,G) got rule %u", o,
					g6 ? g6->id : 0);
	}
}

/* An empty device matches nothing. */
static void mcr_dev_lookup6_empty_test(struct kunit *test)
{
	static const struct in6_addr g = G6, s = S6;
	struct mcr_dev *mdev = kunit_kzalloc(test, sizeof(*mdev), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, mdev);
	rcu_read_lock();
	KUNIT_EXPECT_NULL(test, mcr_dev_lookup6(mdev, &g, &s, PT));
	rcu_read_unlock();
}

static struct kunit_case mcr_table6_cases[] = {
	KUNIT_CASE_PARAM(mcr_dev_lookup6_test, lookup6_gen_params),
	KUNIT_CASE(mcr_dev_link_rule6_order_test),
	KUNIT_CASE(mcr_dev_lookup_family_test),
	KUNIT_CASE(mcr_dev_lookup6_empty_test),
	{}
};

static struct kunit_suite mcr_table6_suite = {
	.name = "mcr_table6",
	.test_cases = mcr_table6_cases,
};

kunit_test_suite(mcr_table6_suite);
