// SPDX-License-Identifier: GPL-2.0
/*
 * mcr: counters. The packet path bumps per-CPU counters without sharing a
 * cache line between CPUs; readers fold them here.
 *
 * A reset cannot write other CPUs' counters while they count: it records
 * what they hold as a base, which readers subtract. Resets run under RTNL;
 * readers may run under RCU only, and read each base word once.
 */
#include <linux/slab.h>

#include "mcr.h"

/* What a counter gained since its base (a reader racing a reset: 0). */
static u64 mcr_since(u64 now, const u64 *base)
{
	u64 b = READ_ONCE(*base);

	return now > b ? now - b : 0;
}

static void mcr_rule_stats_raw(const struct mcr_rule *rule,
			       struct mcr_rule_stats *sum)
{
	int cpu;

	memset(sum, 0, sizeof(*sum));
	for_each_possible_cpu(cpu) {
		const struct mcr_rule_pcpu_stats *s = per_cpu_ptr(rule->stats, cpu);
		unsigned int start;
		u64 packets, bytes;

		do {
			start = u64_stats_fetch_begin(&s->syncp);
			packets = u64_stats_read(&s->packets);
			bytes = u64_stats_read(&s->bytes);
		} while (u64_stats_fetch_retry(&s->syncp, start));
		sum->packets += packets;
		sum->bytes += bytes;
	}
}

void mcr_rule_stats_fold(const struct mcr_rule *rule,
			 struct mcr_rule_stats *sum)
{
	mcr_rule_stats_raw(rule, sum);
	sum->packets = mcr_since(sum->packets, &rule->stats_base.packets);
	sum->bytes = mcr_since(sum->bytes, &rule->stats_base.bytes);
}
EXPORT_SYMBOL_IF_KUNIT(mcr_rule_stats_fold);

void mcr_rule_stats_reset(struct mcr_rule *rule)
{
	struct mcr_rule_stats now;

	ASSERT_RTNL();
	mcr_rule_stats_raw(rule, &now);
	WRITE_ONCE(rule->stats_base.packets, now.packets);
	WRITE_ONCE(rule->stats_base.bytes, now.bytes);
}
EXPORT_SYMBOL_IF_KUNIT(mcr_rule_stats_reset);

static void mcr_output_stats_raw(const struct mcr_output *out,
				 struct mcr_output_stats *sum)
{
	int cpu, i;

	memset(sum, 0, sizeof(*sum));
	for_each_possible_cpu(cpu) {
		const struct mcr_output_pcpu_stats *s = per_cpu_ptr(out->stats, cpu);
		struct mcr_output_stats one;
		unsigned int start;

		do {
			start = u64_stats_fetch_begin(&s->syncp);
			one.packets = u64_stats_read(&s->packets);
			one.bytes = u64_stats_read(&s->bytes);
			for (i = 0; i < MCR_DROP_MAX; i++)
				one.drops[i] = u64_stats_read(&s->drops[i]);
		} while (u64_stats_fetch_retry(&s->syncp, start));
		sum->packets += one.packets;
		sum->bytes += one.bytes;
		for (i = 0; i < MCR_DROP_MAX; i++)
			sum->drops[i] += one.drops[i];
	}
}

void mcr_output_stats_fold(const struct mcr_output *out,
			   struct mcr_output_stats *sum)
{
	/* Pairs with mcr_output_stats_reset(): seen, then read filled. */
	const struct mcr_output_stats *base = smp_load_acquire(&out->stats_base);
	int i;

	mcr_output_stats_raw(out, sum);
	if (!base)
		return;
	sum->packets = mcr_since(sum->packets, &base->packets);
	sum->bytes = mcr_since(sum->bytes, &base->bytes);
	for (i = 0; i < MCR_DROP_MAX; i++)
		sum->drops[i] = mcr_since(sum->drops[i], &base->drops[i]);
}
EXPORT_SYMBOL_IF_KUNIT(mcr_output_stats_fold);

/*
 * An output's base is allocated before its first reset, as most outputs are
 * never reset; it moves with the counters when a replace keeps them. A zero
 * base changes nothing a reader sees: a reset of many outputs allocates all
 * their bases first, and then cannot fail halfway.
 */
int mcr_output_stats_base_alloc(struct mcr_output *out)
{
	struct mcr_output_stats *base;

	ASSERT_RTNL();
	if (out->stats_base)
		return 0;
	base = kzalloc(sizeof(*base), MCR_GFP);
	if (!base)
		return -ENOMEM;
	/* Pairs with mcr_output_stats_fold(): zeroed, then seen. */
	smp_store_release(&out->stats_base, base);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(mcr_output_stats_base_alloc);

/* After mcr_output_stats_base_alloc(). */
void mcr_output_stats_reset(struct mcr_output *out)
{
	struct mcr_output_stats now, *base = out->stats_base;
	int i;

	ASSERT_RTNL();
	mcr_output_stats_raw(out, &now);
	WRITE_ONCE(base->packets, now.packets);
	WRITE_ONCE(base->bytes, now.bytes);
	for (i = 0; i < MCR_DROP_MAX; i++)
		WRITE_ONCE(base->drops[i], now.drops[i]);
}
EXPORT_SYMBOL_IF_KUNIT(mcr_output_stats_reset);

static void mcr_net_stats_raw(const struct mcr_net *mn,
			      struct mcr_net_stats *sum)
{
	int cpu, i;

	memset(sum, 0, sizeof(*sum));
	for_each_possible_cpu(cpu) {
		const struct mcr_net_pcpu_stats *s = per_cpu_ptr(mn->stats, cpu);
		struct mcr_net_stats one;
		unsigned int start;

		do {
			start = u64_stats_fetch_begin(&s->syncp);
			for (i = 0; i < MCR_NET_COUNTER_MAX; i++)
				one.counters[i] = u64_stats_read(&s->counters[i]);
		} while (u64_stats_fetch_retry(&s->syncp, start));
		for (i = 0; i < MCR_NET_COUNTER_MAX; i++)
			sum->counters[i] += one.counters[i];
	}
}

void mcr_net_stats_fold(const struct mcr_net *mn, struct mcr_net_stats *sum)
{
	int i;

	mcr_net_stats_raw(mn, sum);
	for (i = 0; i < MCR_NET_COUNTER_MAX; i++)
		sum->counters[i] = mcr_since(sum->counters[i],
					     &mn->stats_base.counters[i]);
}
EXPORT_SYMBOL_IF_KUNIT(mcr_net_stats_fold);

void mcr_net_stats_reset(struct mcr_net *mn)
{
	struct mcr_net_stats now;
	int i;

	ASSERT_RTNL();
	mcr_net_stats_raw(mn, &now);
	for (i = 0; i < MCR_NET_COUNTER_MAX; i++)
		WRITE_ONCE(mn->stats_base.counters[i], now.counters[i]);
	WRITE_ONCE(mn->outputs_removed, 0);
}
