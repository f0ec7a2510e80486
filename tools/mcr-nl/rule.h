/* SPDX-License-Identifier: GPL-2.0 */
/*
 * In-memory form of an mcr rule, shared by the parser (words -> rule),
 * the netlink codec (rule <-> attributes) and the printers (rule -> text).
 *
 * Addresses are kept in network byte order (in_addr_t, struct in6_addr),
 * as on the wire and as inet_pton()/inet_ntop() use them; ports are kept
 * in host byte order because they are compared and printed as numbers.
 *
 * A rule is IPv4 or IPv6, its outputs with it: an IPv4 rule's addresses
 * are in the in_addr_t fields, an IPv6 rule's in the *6 ones, and the
 * fields of the other family stay zero.
 */
#ifndef MCR_NL_RULE_H
#define MCR_NL_RULE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

#include <linux/mcr.h>

struct mcr_output_stats {
	uint64_t packets;
	uint64_t bytes;
	uint64_t drop_xmit;
	uint64_t drop_too_big;
	uint64_t drop_ttl;
	uint64_t drop_nomem;
};

struct mcr_rule_stats {
	uint64_t packets;
	uint64_t bytes;
};

struct mcr_netns_stats {
	uint64_t no_match;
	uint64_t not_udp;
	uint64_t fragments;
	uint64_t not_routable;
	uint64_t zero_checksum;
	uint64_t outputs_removed;
	uint32_t rules;
	uint32_t outputs;
	uint32_t max_rules;
	uint32_t max_outputs;
};

struct mcr_output {
	uint32_t ifindex;
	bool has_group;
	in_addr_t group;	/* new destination; absent keeps the matched */
	struct in6_addr group6;
	uint16_t port;		/* new destination port; 0 keeps it */
	uint8_t ttl;		/* 0: decrement the TTL (hop limit) */
	bool has_source;
	in_addr_t source;
	struct in6_addr source6;
	bool source_auto;
	bool has_stats;
	struct mcr_output_stats stats;
};

struct mcr_rule {
	uint32_t id;		/* 0: not assigned (yet) */
	char name[MCR_NAME_LEN];	/* "" when the rule has no name */
	/* AF_INET6, or AF_INET: 0 (a rule built without one) is AF_INET */
	sa_family_t family;
	uint32_t iif;
	bool has_group;
	in_addr_t group;
	struct in6_addr group6;
	uint16_t port;		/* 0 matches any port */
	bool has_source;
	in_addr_t source;	/* only meaningful with has_source */
	struct in6_addr source6;
	uint32_t flags;		/* MCR_RULE_FLAGS_* */
	struct mcr_output *outputs;
	size_t n_outputs;
	size_t cap_outputs;
	bool has_stats;
	struct mcr_rule_stats stats;
};

void mcr_rule_init(struct mcr_rule *rule);
void mcr_rule_free(struct mcr_rule *rule);

static inline bool mcr_rule_is_ipv6(const struct mcr_rule *rule)
{
	return rule->family == AF_INET6;
}

/*
 * Whether @rule is of @family (AF_INET or AF_INET6), as -4 and -6
 * select; @family 0 selects every rule.
 */
bool mcr_rule_in_family(const struct mcr_rule *rule, int family);

/* Room for the text of an address of either family. */
#define MCR_ADDR_STRLEN INET6_ADDRSTRLEN

/*
 * The text of an address of a rule: @v6 when @ipv6, else @v4; written
 * into @buf (MCR_ADDR_STRLEN bytes).
 */
const char *mcr_addr_str(bool ipv6, in_addr_t v4, const struct in6_addr *v6,
			 char *buf);

/* Appends a zeroed output; returns NULL when out of memory. */
struct mcr_output *mcr_rule_add_output(struct mcr_rule *rule);

/* Reserves room for @n outputs in total; returns 0 or -ENOMEM. */
int mcr_rule_reserve_outputs(struct mcr_rule *rule, size_t n);

/*
 * Appends the outputs of @part, a continuation of @rule: a dump splits a
 * rule with more outputs than one message holds over several messages,
 * each repeating the key.  Returns 0 or -ENOMEM.
 */
int mcr_rule_append_outputs(struct mcr_rule *rule,
			    const struct mcr_rule *part);

#endif /* MCR_NL_RULE_H */
