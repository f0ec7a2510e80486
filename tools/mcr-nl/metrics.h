/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Counters seen over time and in other formats: the Prometheus text
 * exposition ("stats --prometheus") and the rates of the live view
 * ("stats -w").  Pure, like print.c: writes to the printer's FILE and
 * names devices through its injected function.
 */
#ifndef MCR_NL_METRICS_H
#define MCR_NL_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <time.h>

#include "print.h"
#include "rule.h"

/* Every rule of one reading, in dump order. */
struct mcr_rule_list {
	struct mcr_rule *rules;
	size_t n;
	size_t cap;
};

void mcr_rule_list_init(struct mcr_rule_list *l);
void mcr_rule_list_free(struct mcr_rule_list *l);
/* Appends a deep copy of @rule; returns 0 or -ENOMEM. */
int mcr_rule_list_add(struct mcr_rule_list *l, const struct mcr_rule *rule);

/* One reading of the counters, at @time (seconds, CLOCK_MONOTONIC). */
struct mcr_sample {
	double time;
	bool has_netns;
	struct mcr_netns_stats netns;
	struct mcr_rule_list rules;
};

void mcr_sample_init(struct mcr_sample *s);
void mcr_sample_free(struct mcr_sample *s);

/*
 * Writes @s as a Prometheus label value: backslash, double quote and
 * newline escaped as \\ \" \n (text exposition format 0.0.4), and
 * every byte that is not part of well-formed UTF-8 replaced by U+FFFD.
 */
void mcr_prom_label_value(FILE *out, const char *s);

/*
 * "stats --prometheus": every metric family once, its # HELP and # TYPE
 * lines, then its samples.  The rules must carry their key and counters
 * (a rule-get dump).
 */
void mcr_print_prometheus(struct mcr_printer *pr,
			  const struct mcr_sample *sample);

/*
 * "stats -w": the rates between two readings of a stats dump, rules and
 * outputs matched by rule id and by output position and device.  @prev
 * may be NULL (first reading: counters only, no rates).  @tty: a screen
 * refreshed in place (the caller clears it); otherwise plain lines, one
 * per rule and per output, prefixed with @stamp; JSON: one object per
 * reading, on one line.
 */
void mcr_print_rates(struct mcr_printer *pr, const struct mcr_sample *prev,
		     const struct mcr_sample *cur, bool tty,
		     double interval, const char *stamp);

/* Time stamps of "stats -w": on a terminal, in plain lines, in JSON. */
enum mcr_stamp_form {
	MCR_STAMP_CLOCK,	/* 12:00:02 */
	MCR_STAMP_LOG,		/* 2025-01-01T12:00:02+0000 */
	MCR_STAMP_RFC3339,	/* 2025-01-01T12:00:02+00:00 */
};

void mcr_format_stamp(const struct tm *tm, enum mcr_stamp_form form,
		      char *buf, size_t len);

/* "12.3k", "4.50M": a rate in at most 6 characters, SI prefixes. */
const char *mcr_si_rate(double v, char *buf, size_t len);

#endif /* MCR_NL_METRICS_H */
