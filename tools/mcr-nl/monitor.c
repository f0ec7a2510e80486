// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "monitor.h"

void mcr_monitor_init(struct mcr_monitor *m)
{
	mcr_rule_list_init(&m->rules);
}

void mcr_monitor_free(struct mcr_monitor *m)
{
	mcr_rule_list_free(&m->rules);
}

static struct mcr_rule *find(struct mcr_monitor *m, uint32_t id)
{
	size_t i;

	for (i = 0; i < m->rules.n; i++)
		if (m->rules.rules[i].id == id)
			return &m->rules.rules[i];
	return NULL;
}

static void forget(struct mcr_monitor *m, uint32_t id)
{
	struct mcr_rule *r = find(m, id);

	if (!r)
		return;
	mcr_rule_free(r);
	*r = m->rules.rules[--m->rules.n];
}

int mcr_monitor_learn(struct mcr_monitor *m, const struct mcr_rule *rule)
{
	forget(m, rule->id);
	return mcr_rule_list_add(&m->rules, rule) ? -ENOMEM : 0;
}

/* The fields of the other family than the rule's are zero in both. */
bool mcr_output_same(const struct mcr_output *a, const struct mcr_output *b)
{
	return a->ifindex == b->ifindex && a->has_group == b->has_group &&
	       (!a->has_group ||
		(a->group == b->group &&
		 IN6_ARE_ADDR_EQUAL(&a->group6, &b->group6))) &&
	       a->port == b->port && a->ttl == b->ttl &&
	       a->has_source == b->has_source &&
	       (!a->has_source ||
		(a->source == b->source &&
		 IN6_ARE_ADDR_EQUAL(&a->source6, &b->source6))) &&
	       a->source_auto == b->source_auto;
}

/* Appends to @removed the outputs of @before that @after lacks. */
static int subtract(const struct mcr_rule *before,
		    const struct mcr_rule *after, struct mcr_rule *removed)
{
	bool *used = calloc(after->n_outputs + 1, sizeof(*used));
	struct mcr_output *o;
	size_t i, j;

	if (!used)
		return -ENOMEM;
	removed->family = before->family;
	for (i = 0; i < before->n_outputs; i++) {
		for (j = 0; j < after->n_outputs; j++)
			if (!used[j] && mcr_output_same(&before->outputs[i],
							&after->outputs[j]))
				break;
		if (j < after->n_outputs) {
			used[j] = true;
			continue;
		}
		o = mcr_rule_add_output(removed);
		if (!o) {
			free(used);
			return -ENOMEM;
		}
		*o = before->outputs[i];
		o->has_stats = false;
	}
	free(used);
	return 0;
}

int mcr_monitor_track(struct mcr_monitor *m, uint8_t cmd,
		      const struct mcr_rule *rule, struct mcr_rule *removed)
{
	struct mcr_rule *before;
	int err;

	switch (cmd) {
	case MCR_CMD_RULE_DEL_NTF:
		forget(m, rule->id);
		return 0;
	case MCR_CMD_OUTPUT_DEL_NTF:
		before = find(m, rule->id);
		err = before ? subtract(before, rule, removed) : 0;
		if (err)
			return err;
		err = mcr_monitor_learn(m, rule);
		if (err)
			return err;
		/* Nothing missing: the start-up dump already saw the
		 * removal, so which output went is not known. */
		return removed->n_outputs ? 1 : 0;
	case MCR_CMD_RULE_NEW_NTF:
		return mcr_monitor_learn(m, rule);
	default:
		return 0;
	}
}

bool mcr_monitor_wants(uint32_t id, uint32_t iif, const struct mcr_rule *rule)
{
	return (!id || rule->id == id) && (!iif || rule->iif == iif);
}
