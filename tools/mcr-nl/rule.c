// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rule.h"

void mcr_rule_init(struct mcr_rule *rule)
{
	memset(rule, 0, sizeof(*rule));
}

bool mcr_rule_in_family(const struct mcr_rule *rule, int family)
{
	if (!family)
		return true;
	return mcr_rule_is_ipv6(rule) == (family == AF_INET6);
}

const char *mcr_addr_str(bool ipv6, in_addr_t v4, const struct in6_addr *v6,
			 char *buf)
{
	struct in_addr a = { .s_addr = v4 };

	if (ipv6)
		return inet_ntop(AF_INET6, v6, buf, MCR_ADDR_STRLEN);
	return inet_ntop(AF_INET, &a, buf, MCR_ADDR_STRLEN);
}

void mcr_rule_free(struct mcr_rule *rule)
{
	free(rule->outputs);
	mcr_rule_init(rule);
}

int mcr_rule_reserve_outputs(struct mcr_rule *rule, size_t n)
{
	struct mcr_output *outputs;

	if (n <= rule->cap_outputs)
		return 0;
	if (n > SIZE_MAX / sizeof(*outputs))
		return -ENOMEM;
	outputs = realloc(rule->outputs, n * sizeof(*outputs));
	if (!outputs)
		return -ENOMEM;
	rule->outputs = outputs;
	rule->cap_outputs = n;
	return 0;
}

struct mcr_output *mcr_rule_add_output(struct mcr_rule *rule)
{
	struct mcr_output *out;

	if (rule->n_outputs == rule->cap_outputs &&
	    mcr_rule_reserve_outputs(rule, rule->cap_outputs ?
				     2 * rule->cap_outputs : 4))
		return NULL;
	out = &rule->outputs[rule->n_outputs++];
	memset(out, 0, sizeof(*out));
	return out;
}

int mcr_rule_append_outputs(struct mcr_rule *rule, const struct mcr_rule *part)
{
	if (!part->n_outputs)
		return 0;
	if (mcr_rule_reserve_outputs(rule, rule->n_outputs + part->n_outputs))
		return -ENOMEM;
	memcpy(rule->outputs + rule->n_outputs, part->outputs,
	       part->n_outputs * sizeof(*part->outputs));
	rule->n_outputs += part->n_outputs;
	return 0;
}
