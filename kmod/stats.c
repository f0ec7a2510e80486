// SPDX-License-Identifier: GPL-2.0
/*
 * mcr: counters. The packet path bumps per-CPU counters without sharing a
 * cache line between CPUs; readers fold them here.
 */
#include "mcr.h"

void mcr_rule_stats_fold(const struct mcr_rule *rule,
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
EXPORT_SYMBOL_IF_KUNIT(mcr_rule_stats_fold);

void mcr_output_stats_fold(const struct mcr_output *out,
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
EXPORT_SYMBOL_IF_KUNIT(mcr_output_stats_fold);

void mcr_net_stats_fold(const struct mcr_net *mn, struct mcr_net_stats *sum)
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
EXPORT_SYMBOL_IF_KUNIT(mcr_net_stats_fold);
