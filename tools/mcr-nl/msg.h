/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Conversion between struct mcr_rule and the attributes of the "mcr"
 * generic netlink family, and decoding of (extended) acks.  Works on
 * messages in memory only, so all of it is unit-testable without the
 * kernel module.
 */
#ifndef MCR_NL_MSG_H
#define MCR_NL_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <netlink/msg.h>

#include "rule.h"

/* Room to allocate for a request carrying @rule (a safe upper bound). */
size_t mcr_msg_rule_size(const struct mcr_rule *rule);

/*
 * Attributes of a rule-new request: the key, name, flags, replace and one
 * nested output attribute per output.  Returns 0 or a negative NLE_ code.
 */
int mcr_msg_put_rule(struct nl_msg *msg, const struct mcr_rule *rule,
		     bool replace);

/*
 * The match key (family, iif, group, port, source; an IPv6 rule's
 * addresses in group-ipv6 and source-ipv6): rule-del by key.
 */
int mcr_msg_put_key(struct nl_msg *msg, const struct mcr_rule *rule);

/*
 * The filter of a rule-get or stats-get dump request (@msg has its
 * header): only the rules on input device @iif; nothing for 0.
 */
int mcr_msg_put_dump_iif(struct nl_msg *msg, uint32_t iif);

/*
 * Decodes a rule-get reply or a monitor notification into @rule (which
 * must be initialised; it is reset first).  Returns 0, -NLE_AF_NOSUPPORT
 * for a rule of another address family than IPv4 and IPv6, or another
 * negative NLE_ code for a malformed message.
 */
int mcr_msg_parse_rule(struct nlmsghdr *nlh, struct mcr_rule *rule);

/*
 * The outputs an output-del notification says left the rule (its
 * removed-output attributes), into @removed's outputs (and its family,
 * that of their addresses).  Returns how many, 0 from a module that does
 * not send them, or a negative libnl error.
 */
int mcr_msg_parse_removed(struct nlmsghdr *nlh, struct mcr_rule *removed);

/* A stats-get reply: namespace counters and/or one rule's counters. */
struct mcr_stats_reply {
	bool has_netns;
	struct mcr_netns_stats netns;
	bool has_rule;
	struct mcr_rule rule;	/* id, stats, outputs' ifindex and stats */
};

void mcr_stats_reply_init(struct mcr_stats_reply *st);
void mcr_stats_reply_free(struct mcr_stats_reply *st);
int mcr_msg_parse_stats(struct nlmsghdr *nlh, struct mcr_stats_reply *st);

/* What the kernel said in an NLMSG_ERROR or NLMSG_DONE message. */
struct mcr_ack {
	int error;		/* 0 or a negative errno */
	char msg[256];		/* NLMSGERR_ATTR_MSG, "" if none */
	bool has_offset;
	uint32_t offset;	/* NLMSGERR_ATTR_OFFS: bad attribute */
	bool has_miss_type;
	uint32_t miss_type;	/* NLMSGERR_ATTR_MISS_TYPE */
	bool has_miss_nest;
	uint32_t miss_nest;	/* NLMSGERR_ATTR_MISS_NEST: its nest */
};

/* Return 0, or a negative NLE_ code if the message is truncated. */
int mcr_msg_parse_ack(const struct nlmsghdr *nlh, struct mcr_ack *ack);
int mcr_msg_parse_done(const struct nlmsghdr *nlh, struct mcr_ack *ack);

/*
 * Formats a failed @ack as "strerror: kernel message (attribute ...)",
 * naming attributes from the request @req that the kernel pointed at
 * (@req may be NULL).
 */
void mcr_ack_format(const struct mcr_ack *ack, const struct nlmsghdr *req,
		    char *buf, size_t len);

#endif /* MCR_NL_MSG_H */
