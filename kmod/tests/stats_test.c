// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: counter folding and reset. Per-CPU counters are written directly
 * for every possible CPU; the fold must return their sums (64-bit, no
 * truncation) less what they held at the last reset.
 */
#include <kunit/test.h>
#include <linux/percpu.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>

#include "mcr.h"

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

struct fold_case {
	const char *name;
	u64 base;		/* value of CPU n: base * (n + 1) + n */
};

static const struct fold_case fold_cases[] = {
	{ "zero", 0 },
	{ "small", 3 },
	{ "beyond_32_bits", 0x100000001ULL },
	/* Large, but the sum over NR_CPUS (<= 8192 here) stays below 2^64. */
	{ "near_2_to_50", 1ULL << 50 },
};

static void fold_desc(const struct fold_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(fold, fold_cases, fold_desc);

static u64 cpu_value(const struct fold_case *c, int cpu, unsigned int salt)
{
	return c->base * (cpu + 1) + cpu + salt;
}

KUNIT_DEFINE_ACTION_WRAPPER(free_percpu_action, free_percpu, void __percpu *);

#define ALLOC_PCPU(test, type) ({					\
	struct kunit *__t = (test);					\
	type __percpu *__p = netdev_alloc_pcpu_stats(type);		\
	KUNIT_ASSERT_NOT_NULL(__t, __p);				\
	KUNIT_ASSERT_EQ(__t, 0, kunit_add_action_or_reset(__t,		\
			free_percpu_action, (__force void *)__p));	\
	__p;								\
})

static void mcr_rule_stats_fold_test(struct kunit *test)
{
	const struct fold_case *c = test->param_value;
	struct mcr_rule rule = {};
	struct mcr_rule_stats sum = { .packets = 99, .bytes = 99 };
	u64 packets = 0, bytes = 0;
	int cpu;

	rule.stats = ALLOC_PCPU(test, struct mcr_rule_pcpu_stats);
	for_each_possible_cpu(cpu) {
		struct mcr_rule_pcpu_stats *s = per_cpu_ptr(rule.stats, cpu);

		u64_stats_set(&s->packets, cpu_value(c, cpu, 0));
		u64_stats_set(&s->bytes, cpu_value(c, cpu, 1) * 1000);
		packets += cpu_value(c, cpu, 0);
		bytes += cpu_value(c, cpu, 1) * 1000;
	}
	mcr_rule_stats_fold(&rule, &sum);	/* must not add to old sums */
	KUNIT_EXPECT_EQ(test, sum.packets, packets);
	KUNIT_EXPECT_EQ(test, sum.bytes, bytes);
}

static void mcr_output_stats_fold_test(struct kunit *test)
{
	const struct fold_case *c = test->param_value;
	struct mcr_output out = {};
	struct mcr_output_stats sum;
	u64 packets = 0, bytes = 0, drops[MCR_DROP_MAX] = {};
	int cpu, i;

	memset(&sum, 0x5a, sizeof(sum));
	out.stats = ALLOC_PCPU(test, struct mcr_output_pcpu_stats);
	for_each_possible_cpu(cpu) {
		struct mcr_output_pcpu_stats *s = per_cpu_ptr(out.stats, cpu);

		u64_stats_set(&s->packets, cpu_value(c, cpu, 0));
		u64_stats_set(&s->bytes, cpu_value(c, cpu, 7));
		packets += cpu_value(c, cpu, 0);
		bytes += cpu_value(c, cpu, 7);
		for (i = 0; i < MCR_DROP_MAX; i++) {
			u64_stats_set(&s->drops[i], cpu_value(c, cpu, 10 + i));
			drops[i] += cpu_value(c, cpu, 10 + i);
		}
	}
	mcr_output_stats_fold(&out, &sum);
	KUNIT_EXPECT_EQ(test, sum.packets, packets);
	KUNIT_EXPECT_EQ(test, sum.bytes, bytes);
	for (i = 0; i < MCR_DROP_MAX; i++)
		KUNIT_EXPECT_EQ_MSG(test, sum.drops[i], drops[i], "drop reason %d", i);
}

static void mcr_net_stats_fold_test(struct kunit *test)
{
	const struct fold_case *c = test->param_value;
	struct mcr_net *mn;
	struct mcr_net_stats sum;
	u64 want[MCR_NET_COUNTER_MAX] = {};
	int cpu, i;

	mn = kunit_kzalloc(test, sizeof(*mn), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, mn);
	memset(&sum, 0xa5, sizeof(sum));
	mn->stats = ALLOC_PCPU(test, struct mcr_net_pcpu_stats);
	for_each_possible_cpu(cpu) {
		struct mcr_net_pcpu_stats *s = per_cpu_ptr(mn->stats, cpu);

		for (i = 0; i < MCR_NET_COUNTER_MAX; i++) {
			u64_stats_set(&s->counters[i], cpu_value(c, cpu, 3 * i));
			want[i] += cpu_value(c, cpu, 3 * i);
		}
	}
	mcr_net_stats_fold(mn, &sum);
	for (i = 0; i < MCR_NET_COUNTER_MAX; i++)
		KUNIT_EXPECT_EQ_MSG(test, sum.counters[i], want[i], "counter %d", i);
}

/*
 * A reset records the counters as a base that reads subtract: zero right
 * after it, then what was counted since; a base ahead of the counters (a
 * read racing a reset) reads as zero, never as a wrapped huge value.
 */
static void mcr_rule_stats_reset_test(struct kunit *test)
{
	const struct fold_case *c = test->param_value;
	struct mcr_rule rule = {};
	struct mcr_rule_pcpu_stats *s;
	struct mcr_rule_stats sum;
	int cpu;

	rule.stats = ALLOC_PCPU(test, struct mcr_rule_pcpu_stats);
	for_each_possible_cpu(cpu) {
		s = per_cpu_ptr(rule.stats, cpu);
		u64_stats_set(&s->packets, cpu_value(c, cpu, 0));
		u64_stats_set(&s->bytes, cpu_value(c, cpu, 1));
	}
	rtnl_lock();
	mcr_rule_stats_reset(&rule);
	rtnl_unlock();
	mcr_rule_stats_fold(&rule, &sum);
	KUNIT_EXPECT_EQ(test, sum.packets, 0);
	KUNIT_EXPECT_EQ(test, sum.bytes, 0);

	s = per_cpu_ptr(rule.stats, cpumask_first(cpu_possible_mask));
	u64_stats_add(&s->packets, 5);
	u64_stats_add(&s->bytes, 500);
	mcr_rule_stats_fold(&rule, &sum);
	KUNIT_EXPECT_EQ(test, sum.packets, 5);
	KUNIT_EXPECT_EQ(test, sum.bytes, 500);

	rule.stats_base.packets = U64_MAX;
	mcr_rule_stats_fold(&rule, &sum);
	KUNIT_EXPECT_EQ(test, sum.packets, 0);
}

KUNIT_DEFINE_ACTION_WRAPPER(kfree_action, kfree, const void *);

static void mcr_output_stats_reset_test(struct kunit *test)
{
	const struct fold_case *c = test->param_value;
	struct mcr_output out = {};
	struct mcr_output_pcpu_stats *s;
	struct mcr_output_stats sum;
	u64 packets = 0, bytes = 0;
	int cpu, i, round;

	out.stats = ALLOC_PCPU(test, struct mcr_output_pcpu_stats);
	for_each_possible_cpu(cpu) {
		s = per_cpu_ptr(out.stats, cpu);
		u64_stats_set(&s->packets, cpu_value(c, cpu, 0));
		u64_stats_set(&s->bytes, cpu_value(c, cpu, 2));
		packets += cpu_value(c, cpu, 0);
		bytes += cpu_value(c, cpu, 2);
		for (i = 0; i < MCR_DROP_MAX; i++)
			u64_stats_set(&s->drops[i], cpu_value(c, cpu, 4 + i));
	}
	/* A new base changes nothing; the first reset uses it, the next too. */
	rtnl_lock();
	KUNIT_ASSERT_EQ(test, mcr_output_stats_base_alloc(&out), 0);
	rtnl_unlock();
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, kfree_action,
						  out.stats_base));
	mcr_output_stats_fold(&out, &sum);
	KUNIT_EXPECT_EQ(test, sum.packets, packets);
	KUNIT_EXPECT_EQ(test, sum.bytes, bytes);
	for (round = 0; round < 2; round++) {
		rtnl_lock();
		mcr_output_stats_reset(&out);
		rtnl_unlock();
		mcr_output_stats_fold(&out, &sum);
		KUNIT_EXPECT_EQ(test, sum.packets, 0);
		KUNIT_EXPECT_EQ(test, sum.bytes, 0);
		for (i = 0; i < MCR_DROP_MAX; i++)
			KUNIT_EXPECT_EQ_MSG(test, sum.drops[i], 0, "drop reason %d", i);

		s = per_cpu_ptr(out.stats, cpumask_last(cpu_possible_mask));
		u64_stats_add(&s->packets, 7);
		u64_stats_add(&s->drops[MCR_DROP_TTL], 3);
		mcr_output_stats_fold(&out, &sum);
		KUNIT_EXPECT_EQ(test, sum.packets, 7);
		KUNIT_EXPECT_EQ(test, sum.bytes, 0);
		KUNIT_EXPECT_EQ(test, sum.drops[MCR_DROP_TTL], 3);
	}
}

static struct kunit_case mcr_stats_cases[] = {
	KUNIT_CASE_PARAM(mcr_rule_stats_fold_test, fold_gen_params),
	KUNIT_CASE_PARAM(mcr_output_stats_fold_test, fold_gen_params),
	KUNIT_CASE_PARAM(mcr_net_stats_fold_test, fold_gen_params),
	KUNIT_CASE_PARAM(mcr_rule_stats_reset_test, fold_gen_params),
	KUNIT_CASE_PARAM(mcr_output_stats_reset_test, fold_gen_params),
	{}
};

static struct kunit_suite mcr_stats_suite = {
	.name = "mcr_stats",
	.test_cases = mcr_stats_cases,
};

kunit_test_suite(mcr_stats_suite);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit tests of mcr: match precedence, rewrite, MAC, counters");
