/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/* Do not edit directly, auto-generated from: */
/*	Documentation/netlink/specs/mcr.yaml */
/* YNL-GEN kernel header */

#ifndef _LINUX_MCR_GEN_H
#define _LINUX_MCR_GEN_H

#include <net/netlink.h>
#include <net/genetlink.h>

#include <uapi/linux/mcr.h>

/* Common nested types */
extern const struct nla_policy mcr_output_nl_policy[MCR_A_OUTPUT_SOURCE_IPV6 + 1];

int mcr_nl_rule_new_doit(struct sk_buff *skb, struct genl_info *info);
int mcr_nl_rule_del_doit(struct sk_buff *skb, struct genl_info *info);
int mcr_nl_rule_get_doit(struct sk_buff *skb, struct genl_info *info);
int mcr_nl_rule_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb);
int mcr_nl_rule_flush_doit(struct sk_buff *skb, struct genl_info *info);
int mcr_nl_stats_get_doit(struct sk_buff *skb, struct genl_info *info);
int mcr_nl_stats_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb);
int mcr_nl_stats_reset_doit(struct sk_buff *skb, struct genl_info *info);

enum {
	MCR_NLGRP_MONITOR,
};

extern struct genl_family mcr_nl_family;

#endif /* _LINUX_MCR_GEN_H */
