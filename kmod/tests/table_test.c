// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: match precedence. Rules are linked into a hand-built struct mcr_dev
 * with the module's own mcr_dev_link_rule(), in every insertion order, and
 * looked up with mcr_dev_lookup() as the ingress hook does (IPv6 rules:
 * table6_test.c). The expected winner is stated per case, not derived
 * from mcr_key_specificity(), which ranks the keys of both families.
 */
#include <kunit/test.h>
#include <linux/rcupdate.h>

#include "ip6_util.h"
#include "mcr.h"

#define G	cpu_to_be32(0xe9fc0001)	/* 233.252.0.1 */
#define G2	cpu_to_be32(0xe9fc0002)	/* 233.252.0.2 */
#define S	cpu_to_be32(0xc0000201)	/* 192.0.2.1 */
#define S2	cpu_to_be32(0xc0000202)	/* 192.0.2.2 */
#define P	cpu_to_be16(5000)
#define P2	cpu_to_be16(5001)
#define G6	IP6(0xff3e, 0, 0, 0, 0, 0, 0, 0x1234)
#define S6	IP6(0x2001, 0xdb8, 1, 0, 0, 0, 0, 1)
#define U6	IP6(0x2001, 0xdb8, 1, 0, 0, 0, 0, 2)
#define ANY6	IP6(0, 0, 0, 0, 0, 0, 0, 0)

/* ---- mcr_key_specificity ----------------------------------------------- */

struct spec_case {
	const char *name;
	struct mcr_key key;
	unsigned int spec;
};

static const struct spec_case spec_cases[] = {
	{ "S_G_port", { .group.ip = G, .source.ip = S, .port = P }, 3 },
	{ "any_G_port", { .group.ip = G, .source.ip = 0, .port = P }, 2 },
	{ "S_G_any", { .group.ip = G, .source.ip = S, .port = 0 }, 1 },
	{ "any_G_any", { .group.ip = G, .source.ip = 0, .port = 0 }, 0 },
	/* A unicast "group" (multicast-to-unicast input) ranks the same. */
	{ "S_unicast_port", { .group.ip = S2, .source.ip = S, .port = P2 }, 3 },
	/* IPv6 keys rank the same. */
	{ "ipv6_S_G_port", KEY6(G6, S6, P), 3 },
	{ "ipv6_any_G_port", KEY6(G6, ANY6, P), 2 },
	{ "ipv6_S_G_any", KEY6(G6, S6, 0), 1 },
	{ "ipv6_any_G_any", KEY6(G6, ANY6, 0), 0 },
	/* An IPv6 source is one, whichever of its bytes are not zero. */
	{ "ipv6_source_last_byte_only", KEY6(G6, IP6(0, 0, 0, 0, 0, 0, 0, 1), 0), 1 },
	{ "ipv6_source_first_byte_only", KEY6(G6, IP6(0x2000, 0, 0, 0, 0, 0, 0, 0), P), 3 },
	{ "ipv6_source_middle_word_only", KEY6(G6, IP6(0, 0, 0, 0, 1, 0, 0, 0), 0), 1 },
	{ "ipv6_S_unicast_port", KEY6(U6, S6, P2), 3 },
};

static void spec_desc(const struct spec_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(spec, spec_cases, spec_desc);

static void mcr_key_specificity_test(struct kunit *test)
{
	const struct spec_case *c = test->param_value;

	KUNIT_EXPECT_EQ(test, mcr_key_specificity(&c->key), c->spec);
}

/* The documented order: (S,G,port) > (*,G,port) > (S,G,any) > (*,G,any). */
static void mcr_key_specificity_order_test(struct kunit *test)
{
	const struct mcr_key sgp = { .group.ip = G, .source.ip = S, .port = P };
	const struct mcr_key gp = { .group.ip = G, .port = P };
	const struct mcr_key sg = { .group.ip = G, .source.ip = S };
	const struct mcr_key g = { .group.ip = G };

	KUNIT_EXPECT_GT(test, mcr_key_specificity(&sgp), mcr_key_specificity(&gp));
	KUNIT_EXPECT_GT(test, mcr_key_specificity(&gp), mcr_key_specificity(&sg));
	KUNIT_EXPECT_GT(test, mcr_key_specificity(&sg), mcr_key_specificity(&g));
}

/* ---- mcr_dev_lookup on a hand-built device ----------------------------- */

/* The rules every lookup case runs against. */
enum { R_SGP, R_GP, R_SG, R_G, R_S2G, R_G2P, N_RULES };

static const struct mcr_key rule_keys[N_RULES] = {
	[R_SGP] = { .group.ip = G, .source.ip = S, .port = P },
	[R_GP] = { .group.ip = G, .source.ip = 0, .port = P },
	[R_SG] = { .group.ip = G, .source.ip = S, .port = 0 },
	[R_G] = { .group.ip = G, .source.ip = 0, .port = 0 },
	[R_S2G] = { .group.ip = G, .source.ip = S2, .port = 0 },
	[R_G2P] = { .group.ip = G2, .source.ip = 0, .port = P },
};

/* Insertion orders: forward, reverse, and two interleavings. */
static const u8 orders[][N_RULES] = {
	{ R_SGP, R_GP, R_SG, R_G, R_S2G, R_G2P },
	{ R_G2P, R_S2G, R_G, R_SG, R_GP, R_SGP },
	{ R_G, R_SGP, R_S2G, R_GP, R_G2P, R_SG },
	{ R_SG, R_G, R_G2P, R_SGP, R_S2G, R_GP },
};

#define NONE	(-1)

struct lookup_case {
	const char *name;
	__be32 daddr, saddr;
	__be16 dport;
	int want;			/* index into rule_keys, or NONE */
};

static const struct lookup_case lookup_cases[] = {
	{ "S_G_P_hits_SGP", G, S, P, R_SGP },
	{ "other_S_G_P_hits_GP", G, S2, P, R_GP },
	{ "unknown_S_G_P_hits_GP", G, cpu_to_be32(0x0a000001), P, R_GP },
	{ "S_G_other_port_hits_SG", G, S, P2, R_SG },
	{ "S2_G_other_port_hits_S2G", G, S2, P2, R_S2G },
	{ "unknown_S_G_other_port_hits_G", G, cpu_to_be32(0x0a000001), P2, R_G },
	{ "G2_port_hits_G2P", G2, S, P, R_G2P },
	{ "G2_other_port_misses", G2, S, P2, NONE },
	{ "other_group_misses", cpu_to_be32(0xe9fc0003), S, P, NONE },
	{ "source_as_group_misses", S, G, P, NONE },
};

static void lookup_desc(const struct lookup_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(lookup, lookup_cases, lookup_desc);

static struct mcr_dev *build_dev(struct kunit *test, const u8 *order,
				 struct mcr_rule **rules)
{
	struct mcr_dev *mdev;
	int i;

	/* Zeroed hlist heads are empty lists. */
	mdev = kunit_kzalloc(test, sizeof(*mdev), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, mdev);
	for (i = 0; i < N_RULES; i++) {
		rules[i] = kunit_kzalloc(test, sizeof(*rules[i]), GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, rules[i]);
		rules[i]->key = rule_keys[i];
		rules[i]->id = i + 1;
		rules[i]->mdev = mdev;
	}
	for (i = 0; i < N_RULES; i++)
		mcr_dev_link_rule(mdev, rules[order[i]]);
	return mdev;
}

static void mcr_dev_lookup_test(struct kunit *test)
{
	const struct lookup_case *c = test->param_value;
	struct mcr_rule *rules[N_RULES];
	unsigned int o;

	for (o = 0; o < ARRAY_SIZE(orders); o++) {
		struct mcr_dev *mdev = build_dev(test, orders[o], rules);
		struct mcr_rule *got;

		rcu_read_lock();
		got = mcr_dev_lookup(mdev, c->daddr, c->saddr, c->dport);
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

/* Within a bucket, specificity never increases along the list. */
static void mcr_dev_link_rule_order_test(struct kunit *test)
{
	struct mcr_rule *rules[N_RULES];
	unsigned int o, b;

	for (o = 0; o < ARRAY_SIZE(orders); o++) {
		struct mcr_dev *mdev = build_dev(test, orders[o], rules);
		unsigned int linked = 0;

		for (b = 0; b < ARRAY_SIZE(mdev->rules); b++) {
			unsigned int last = UINT_MAX;
			struct mcr_rule *r;

			hlist_for_each_entry(r, &mdev->rules[b], hash_node) {
				unsigned int spec = mcr_key_specificity(&r->key);

				KUNIT_EXPECT_LE_MSG(test, spec, last,
						    "order %u bucket %u rule %u", o, b, r->id);
				last = spec;
				linked++;
			}
		}
		KUNIT_EXPECT_EQ(test, linked, N_RULES);
	}
}

/* An empty device matches nothing. */
static void mcr_dev_lookup_empty_test(struct kunit *test)
{
	struct mcr_dev *mdev = kunit_kzalloc(test, sizeof(*mdev), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, mdev);
	rcu_read_lock();
	KUNIT_EXPECT_NULL(test, mcr_dev_lookup(mdev, G, S, P));
	rcu_read_unlock();
}

static struct kunit_case mcr_table_cases[] = {
	KUNIT_CASE_PARAM(mcr_key_specificity_test, spec_gen_params),
	KUNIT_CASE(mcr_key_specificity_order_test),
	KUNIT_CASE_PARAM(mcr_dev_lookup_test, lookup_gen_params),
	KUNIT_CASE(mcr_dev_link_rule_order_test),
	KUNIT_CASE(mcr_dev_lookup_empty_test),
	{}
};

static struct kunit_suite mcr_table_suite = {
	.name = "mcr_table",
	.test_cases = mcr_table_cases,
};

kunit_test_suite(mcr_table_suite);
