// SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause)
/* Do not edit directly, auto-generated from: */
/*	Documentation/netlink/specs/mcr.yaml */
/* YNL-GEN kernel source */

#include <net/netlink.h>
#include <net/genetlink.h>

#include "genl.h"

#include <uapi/linux/mcr.h>

/* Common nested types */
const struct nla_policy mcr_output_nl_policy[MCR_A_OUTPUT_SOURCE_IPV6 + 1] = {
	[MCR_A_OUTPUT_IFINDEX] = NLA_POLICY_MIN(NLA_U32, 1),
	[MCR_A_OUTPUT_GROUP] = { .type = NLA_U32, },
	[MCR_A_OUTPUT_PORT] = { .type = NLA_U16, },
	[MCR_A_OUTPUT_TTL] = NLA_POLICY_MIN(NLA_U8, 1),
	[MCR_A_OUTPUT_SOURCE] = { .type = NLA_U32, },
	[MCR_A_OUTPUT_SOURCE_AUTO] = { .type = NLA_FLAG, },
	[MCR_A_OUTPUT_GROUP_IPV6] = NLA_POLICY_EXACT_LEN(16),
	[MCR_A_OUTPUT_SOURCE_IPV6] = NLA_POLICY_EXACT_LEN(16),
};

/* MCR_CMD_RULE_NEW - do */
static const struct nla_policy mcr_rule_new_nl_policy[MCR_A_RULE_SOURCE_IPV6 + 1] = {
	[MCR_A_RULE_NAME] = { .type = NLA_NUL_STRING, .len = 31, },
	[MCR_A_RULE_FAMILY] = { .type = NLA_U16, },
	[MCR_A_RULE_IIF] = NLA_POLICY_MIN(NLA_U32, 1),
	[MCR_A_RULE_GROUP] = { .type = NLA_U32, },
	[MCR_A_RULE_PORT] = { .type = NLA_U16, },
	[MCR_A_RULE_SOURCE] = { .type = NLA_U32, },
	[MCR_A_RULE_FLAGS] = NLA_POLICY_MASK(NLA_U32, 0x3),
	[MCR_A_RULE_REPLACE] = { .type = NLA_FLAG, },
	[MCR_A_RULE_OUTPUT] = NLA_POLICY_NESTED(mcr_output_nl_policy),
	[MCR_A_RULE_GROUP_IPV6] = NLA_POLICY_EXACT_LEN(16),
	[MCR_A_RULE_SOURCE_IPV6] = NLA_POLICY_EXACT_LEN(16),
};

/* MCR_CMD_RULE_DEL - do */
static const struct nla_policy mcr_rule_del_nl_policy[MCR_A_RULE_SOURCE_IPV6 + 1] = {
	[MCR_A_RULE_ID] = NLA_POLICY_MIN(NLA_U32, 1),
	[MCR_A_RULE_FAMILY] = { .type = NLA_U16, },
	[MCR_A_RULE_IIF] = NLA_POLICY_MIN(NLA_U32, 1),
	[MCR_A_RULE_GROUP] = { .type = NLA_U32, },
	[MCR_A_RULE_PORT] = { .type = NLA_U16, },
	[MCR_A_RULE_SOURCE] = { .type = NLA_U32, },
	[MCR_A_RULE_GROUP_IPV6] = NLA_POLICY_EXACT_LEN(16),
	[MCR_A_RULE_SOURCE_IPV6] = NLA_POLICY_EXACT_LEN(16),
};

/* MCR_CMD_RULE_GET - do */
static const struct nla_policy mcr_rule_get_do_nl_policy[MCR_A_RULE_IIF + 1] = {
	[MCR_A_RULE_ID] = NLA_POLICY_MIN(NLA_U32, 1),
	[MCR_A_RULE_IIF] = NLA_POLICY_MIN(NLA_U32, 1),
};

/* MCR_CMD_RULE_GET - dump */
static const struct nla_policy mcr_rule_get_dump_nl_policy[MCR_A_RULE_IIF + 1] = {
	[MCR_A_RULE_ID] = NLA_POLICY_MIN(NLA_U32, 1),
	[MCR_A_RULE_IIF] = NLA_POLICY_MIN(NLA_U32, 1),
};

/* MCR_CMD_RULE_FLUSH - do */
static const struct nla_policy mcr_rule_flush_nl_policy[MCR_A_RULE_IIF + 1] = {
	[MCR_A_RULE_IIF] = NLA_POLICY_MIN(NLA_U32, 1),
};

/* MCR_CMD_STATS_GET - do */
static const struct nla_policy mcr_stats_get_do_nl_policy[MCR_A_STATS_IIF + 1] = {
	[MCR_A_STATS_RULE_ID] = NLA_POLICY_MIN(NLA_U32, 1),
	[MCR_A_STATS_IIF] = NLA_POLICY_MIN(NLA_U32, 1),
};

/* MCR_CMD_STATS_GET - dump */
static const struct nla_policy mcr_stats_get_dump_nl_policy[MCR_A_STATS_IIF + 1] = {
	[MCR_A_STATS_RULE_ID] = NLA_POLICY_MIN(NLA_U32, 1),
	[MCR_A_STATS_IIF] = NLA_POLICY_MIN(NLA_U32, 1),
};

/* MCR_CMD_STATS_RESET - do */
static const struct nla_policy mcr_stats_reset_nl_policy[MCR_A_STATS_RULE_ID + 1] = {
	[MCR_A_STATS_RULE_ID] = NLA_POLICY_MIN(NLA_U32, 1),
};

/* Ops table for mcr */
static const struct genl_split_ops mcr_nl_ops[] = {
	{
		.cmd		= MCR_CMD_RULE_NEW,
		.doit		= mcr_nl_rule_new_doit,
		.policy		= mcr_rule_new_nl_policy,
		.maxattr	= MCR_A_RULE_SOURCE_IPV6,
		.flags		= GENL_UNS_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= MCR_CMD_RULE_DEL,
		.doit		= mcr_nl_rule_del_doit,
		.policy		= mcr_rule_del_nl_policy,
		.maxattr	= MCR_A_RULE_SOURCE_IPV6,
		.flags		= GENL_UNS_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= MCR_CMD_RULE_GET,
		.doit		= mcr_nl_rule_get_doit,
		.policy		= mcr_rule_get_do_nl_policy,
		.maxattr	= MCR_A_RULE_IIF,
		.flags		= GENL_CMD_CAP_DO,
	},
	{
		.cmd		= MCR_CMD_RULE_GET,
		.dumpit		= mcr_nl_rule_get_dumpit,
		.policy		= mcr_rule_get_dump_nl_policy,
		.maxattr	= MCR_A_RULE_IIF,
		.flags		= GENL_CMD_CAP_DUMP,
	},
	{
		.cmd		= MCR_CMD_RULE_FLUSH,
		.doit		= mcr_nl_rule_flush_doit,
		.policy		= mcr_rule_flush_nl_policy,
		.maxattr	= MCR_A_RULE_IIF,
		.flags		= GENL_UNS_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= MCR_CMD_STATS_GET,
		.doit		= mcr_nl_stats_get_doit,
		.policy		= mcr_stats_get_do_nl_policy,
		.maxattr	= MCR_A_STATS_IIF,
		.flags		= GENL_CMD_CAP_DO,
	},
	{
		.cmd		= MCR_CMD_STATS_GET,
		.dumpit		= mcr_nl_stats_get_dumpit,
		.policy		= mcr_stats_get_dump_nl_policy,
		.maxattr	= MCR_A_STATS_IIF,
		.flags		= GENL_CMD_CAP_DUMP,
	},
	{
		.cmd		= MCR_CMD_STATS_RESET,
		.doit		= mcr_nl_stats_reset_doit,
		.policy		= mcr_stats_reset_nl_policy,
		.maxattr	= MCR_A_STATS_RULE_ID,
		.flags		= GENL_UNS_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
};

static const struct genl_multicast_group mcr_nl_mcgrps[] = {
	[MCR_NLGRP_MONITOR] = { "monitor", },
};

struct genl_family mcr_nl_family __ro_after_init = {
	.name		= MCR_FAMILY_NAME,
	.version	= MCR_FAMILY_VERSION,
	.netnsok	= true,
	.parallel_ops	= true,
	.module		= THIS_MODULE,
	.split_ops	= mcr_nl_ops,
	.n_split_ops	= ARRAY_SIZE(mcr_nl_ops),
	.mcgrps		= mcr_nl_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(mcr_nl_mcgrps),
};
