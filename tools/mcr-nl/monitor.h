/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What "monitor" remembers of the rules, to name the output an
 * output-del notification removed: the kernel's notification carries the
 * rule's remaining outputs only.  Pure, so that it is unit-tested.
 */
#ifndef MCR_NL_MONITOR_H
#define MCR_NL_MONITOR_H

#include <stdbool.h>
#include <stdint.h>

#include "metrics.h"	/* struct mcr_rule_list */
#include "rule.h"

struct mcr_monitor {
	struct mcr_rule_list rules;	/* last known outputs of each rule */
};

void mcr_monitor_init(struct mcr_monitor *m);
void mcr_monitor_free(struct mcr_monitor *m);

/* Remembers @rule as it is now (from the dump taken at start). */
int mcr_monitor_learn(struct mcr_monitor *m, const struct mcr_rule *rule);

/*
 * Follows the notification @cmd about @rule.  For an output-del, fills
 * @removed (initialised by the caller) with the outputs the rule had and
 * no longer has, and returns 1 if they are known; 0 when there is nothing
 * to tell (not an output-del, or a rule not seen before); -ENOMEM.
 */
int mcr_monitor_track(struct mcr_monitor *m, uint8_t cmd,
		      const struct mcr_rule *rule, struct mcr_rule *removed);

/*
 * monitor id ID | dev DEV: whether an event about @rule is shown (@id and
 * @iif 0: every event).
 */
bool mcr_monitor_wants(uint32_t id, uint32_t iif, const struct mcr_rule *rule);

/* Same destination and rewrites (counters aside). */
bool mcr_output_same(const struct mcr_output *a, const struct mcr_output *b);

#endif /* MCR_NL_MONITOR_H */
