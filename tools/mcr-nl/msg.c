// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/netlink.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>

#include "msg.h"

/* Older UAPI headers lack these; the values are ABI. */
#ifndef NLMSGERR_ATTR_MISS_TYPE
#define NLMSGERR_ATTR_MISS_TYPE 5
#define NLMSGERR_ATTR_MISS_NEST 6
#endif
#define MCR_NLMSGERR_ATTR_MAX NLMSGERR_ATTR_MISS_NEST

/*
 * Worst case of one output nest: header (4) + ifindex, group, port, ttl,
 * source (8 each) + source-auto (4) = 48; round up for comfort.  IPv6
 * addresses take 20 bytes each instead of 8: 72.  The rest of a rule
 * (headers, key, name, flags, replace) takes about 180 bytes.
 */
#define OUTPUT_ROOM 64
#define OUTPUT_ROOM_IPV6 96
#define RULE_ROOM 512

size_t mcr_msg_rule_size(const struct mcr_rule *rule)
{
	return RULE_ROOM + rule->n_outputs *
	       (mcr_rule_is_ipv6(rule) ? OUTPUT_ROOM_IPV6 : OUTPUT_ROOM);
}

/* ---- encoding -------------------------------------------------------- */

/*
 * An address: the IPv4 attribute @type4 (u32), or for an IPv6 rule the
 * 16-byte @type6.  Addresses are already in network order: copied as
 * they are.
 */
static int put_addr(struct nl_msg *msg, bool ipv6, int type4, in_addr_t v4,
		    int type6, const struct in6_addr *v6)
{
	if (ipv6)
		return nla_put(msg, type6, sizeof(*v6), v6);
	return nla_put_u32(msg, type4, v4);
}

int mcr_msg_put_key(struct nl_msg *msg, const struct mcr_rule *r)
{
	bool ipv6 = mcr_rule_is_ipv6(r);
	int err;

	err = nla_put_u16(msg, MCR_A_RULE_FAMILY, ipv6 ? AF_INET6 : AF_INET);
	if (!err)
		err = nla_put_u32(msg, MCR_A_RULE_IIF, r->iif);
	if (!err && r->has_group)
		err = put_addr(msg, ipv6, MCR_A_RULE_GROUP, r->group,
			       MCR_A_RULE_GROUP_IPV6, &r->group6);
	/* Always sent, 0 meaning any port, so that the key is explicit. */
	if (!err)
		err = nla_put_u16(msg, MCR_A_RULE_PORT, htons(r->port));
	if (!err && r->has_source)
		err = put_addr(msg, ipv6, MCR_A_RULE_SOURCE, r->source,
			       MCR_A_RULE_SOURCE_IPV6, &r->source6);
	return err;
}

/* An output of a rule of family @ipv6 (its addresses are the rule's). */
static int put_output(struct nl_msg *msg, bool ipv6,
		      const struct mcr_output *o)
{
	struct nlattr *nest;
	int err;

	/* libnl sets NLA_F_NESTED, which strict genetlink validation
	 * requires. */
	nest = nla_nest_start(msg, MCR_A_RULE_OUTPUT);
	if (!nest)
		return -NLE_NOMEM;
	err = nla_put_u32(msg, MCR_A_OUTPUT_IFINDEX, o->ifindex);
	if (!err && o->has_group)
		err = put_addr(msg, ipv6, MCR_A_OUTPUT_GROUP, o->group,
			       MCR_A_OUTPUT_GROUP_IPV6, &o->group6);
	if (!err && o->port)
		err = nla_put_u16(msg, MCR_A_OUTPUT_PORT, htons(o->port));
	if (!err && o->ttl)
		err = nla_put_u8(msg, MCR_A_OUTPUT_TTL, o->ttl);
	if (!err && o->has_source)
		err = put_addr(msg, ipv6, MCR_A_OUTPUT_SOURCE, o->source,
			       MCR_A_OUTPUT_SOURCE_IPV6, &o->source6);
	if (!err && o->source_auto)
		err = nla_put_flag(msg, MCR_A_OUTPUT_SOURCE_AUTO);
	if (!err)
		err = nla_nest_end(msg, nest);
	return err;
}

int mcr_msg_put_rule(struct nl_msg *msg, const struct mcr_rule *r,
		     bool replace)
{
	size_t i;
	int err;

	err = mcr_msg_put_key(msg, r);
	if (!err && r->name[0])
		err = nla_put_string(msg, MCR_A_RULE_NAME, r->name);
	if (!err)
		err = nla_put_u32(msg, MCR_A_RULE_FLAGS, r->flags);
	if (!err && replace)
		err = nla_put_flag(msg, MCR_A_RULE_REPLACE);
	for (i = 0; !err && i < r->n_outputs; i++)
		err = put_output(msg, mcr_rule_is_ipv6(r), &r->outputs[i]);
	return err;
}

int mcr_msg_put_dump_iif(struct nl_msg *msg, uint32_t iif)
{
	const struct genlmsghdr *g = nlmsg_data(nlmsg_hdr(msg));

	if (!iif)
		return 0;
	return nla_put_u32(msg, g->cmd == MCR_CMD_STATS_GET ?
			   MCR_A_STATS_IIF : MCR_A_RULE_IIF, iif);
}

/* ---- decoding -------------------------------------------------------- */

/*
 * Short attributes are rejected by nla_parse() through minimum lengths;
 * an IPv6 address must be exactly 16 bytes.
 */
#define IPV6_ADDR_POLICY \
	{ .type = NLA_UNSPEC, .minlen = 16, .maxlen = 16 }

static struct nla_policy rule_policy[MCR_A_RULE_MAX + 1] = {
	[MCR_A_RULE_ID] = { .type = NLA_U32 },
	[MCR_A_RULE_NAME] = { .type = NLA_UNSPEC },
	[MCR_A_RULE_FAMILY] = { .type = NLA_U16 },
	[MCR_A_RULE_IIF] = { .type = NLA_U32 },
	[MCR_A_RULE_GROUP] = { .type = NLA_U32 },
	[MCR_A_RULE_PORT] = { .type = NLA_U16 },
	[MCR_A_RULE_SOURCE] = { .type = NLA_U32 },
	[MCR_A_RULE_FLAGS] = { .type = NLA_U32 },
	[MCR_A_RULE_REPLACE] = { .type = NLA_FLAG },
	[MCR_A_RULE_OUTPUT] = { .type = NLA_NESTED },
	[MCR_A_RULE_REMOVED_OUTPUT] = { .type = NLA_NESTED },
	[MCR_A_RULE_STATS] = { .type = NLA_NESTED },
	[MCR_A_RULE_OUTPUT_STATS] = { .type = NLA_NESTED },
	[MCR_A_RULE_GROUP_IPV6] = IPV6_ADDR_POLICY,
	[MCR_A_RULE_SOURCE_IPV6] = IPV6_ADDR_POLICY,
};

static struct nla_policy output_policy[MCR_A_OUTPUT_MAX + 1] = {
	[MCR_A_OUTPUT_IFINDEX] = { .type = NLA_U32 },
	[MCR_A_OUTPUT_GROUP] = { .type = NLA_U32 },
	[MCR_A_OUTPUT_PORT] = { .type = NLA_U16 },
	[MCR_A_OUTPUT_TTL] = { .type = NLA_U8 },
	[MCR_A_OUTPUT_SOURCE] = { .type = NLA_U32 },
	[MCR_A_OUTPUT_SOURCE_AUTO] = { .type = NLA_FLAG },
	[MCR_A_OUTPUT_GROUP_IPV6] = IPV6_ADDR_POLICY,
	[MCR_A_OUTPUT_SOURCE_IPV6] = IPV6_ADDR_POLICY,
};

static struct nla_policy rule_stats_policy[MCR_A_RULE_STATS_MAX + 1] = {
	[MCR_A_RULE_STATS_PACKETS] = { .type = NLA_U64 },
	[MCR_A_RULE_STATS_BYTES] = { .type = NLA_U64 },
};

static struct nla_policy output_stats_policy[MCR_A_OUTPUT_STATS_MAX + 1] = {
	[MCR_A_OUTPUT_STATS_PACKETS] = { .type = NLA_U64 },
	[MCR_A_OUTPUT_STATS_BYTES] = { .type = NLA_U64 },
	[MCR_A_OUTPUT_STATS_DROP_XMIT] = { .type = NLA_U64 },
	[MCR_A_OUTPUT_STATS_DROP_TOO_BIG] = { .type = NLA_U64 },
	[MCR_A_OUTPUT_STATS_DROP_TTL] = { .type = NLA_U64 },
	[MCR_A_OUTPUT_STATS_DROP_NOMEM] = { .type = NLA_U64 },
};

static struct nla_policy stats_output_policy[MCR_A_STATS_OUTPUT_MAX + 1] = {
	[MCR_A_STATS_OUTPUT_IFINDEX] = { .type = NLA_U32 },
	[MCR_A_STATS_OUTPUT_STATS] = { .type = NLA_NESTED },
};

static struct nla_policy netns_stats_policy[MCR_A_NETNS_STATS_MAX + 1] = {
	[MCR_A_NETNS_STATS_NO_MATCH] = { .type = NLA_U64 },
	[MCR_A_NETNS_STATS_NOT_UDP] = { .type = NLA_U64 },
	[MCR_A_NETNS_STATS_FRAGMENTS] = { .type = NLA_U64 },
	[MCR_A_NETNS_STATS_NOT_ROUTABLE] = { .type = NLA_U64 },
	[MCR_A_NETNS_STATS_ZERO_CHECKSUM] = { .type = NLA_U64 },
	[MCR_A_NETNS_STATS_OUTPUTS_REMOVED] = { .type = NLA_U64 },
	[MCR_A_NETNS_STATS_RULES] = { .type = NLA_U32 },
	[MCR_A_NETNS_STATS_OUTPUTS] = { .type = NLA_U32 },
	[MCR_A_NETNS_STATS_MAX_RULES] = { .type = NLA_U32 },
	[MCR_A_NETNS_STATS_MAX_OUTPUTS] = { .type = NLA_U32 },
};

static struct nla_policy stats_policy[MCR_A_STATS_MAX + 1] = {
	[MCR_A_STATS_NETNS] = { .type = NLA_NESTED },
	[MCR_A_STATS_RULE_ID] = { .type = NLA_U32 },
	[MCR_A_STATS_RULE] = { .type = NLA_NESTED },
	[MCR_A_STATS_OUTPUT] = { .type = NLA_NESTED },
	[MCR_A_STATS_IIF] = { .type = NLA_U32 },
	[MCR_A_STATS_RULE_NAME] = { .type = NLA_UNSPEC },
};

static uint64_t get_u64(struct nlattr *nla)
{
	return nla ? nla_get_u64(nla) : 0;
}

static uint32_t get_u32(struct nlattr *nla)
{
	return nla ? nla_get_u32(nla) : 0;
}

/* The counters carry pad attributes to align their u64; skipped here. */
static int parse_rule_stats(struct nlattr *nest, struct mcr_rule_stats *s)
{
	struct nlattr *tb[MCR_A_RULE_STATS_MAX + 1];
	int err;

	err = nla_parse_nested(tb, MCR_A_RULE_STATS_MAX, nest,
			       rule_stats_policy);
	if (err)
		return err;
	s->packets = get_u64(tb[MCR_A_RULE_STATS_PACKETS]);
	s->bytes = get_u64(tb[MCR_A_RULE_STATS_BYTES]);
	return 0;
}

static int parse_output_stats(struct nlattr *nest,
			      struct mcr_output_stats *s)
{
	struct nlattr *tb[MCR_A_OUTPUT_STATS_MAX + 1];
	int err;

	err = nla_parse_nested(tb, MCR_A_OUTPUT_STATS_MAX, nest,
			       output_stats_policy);
	if (err)
		return err;
	s->packets = get_u64(tb[MCR_A_OUTPUT_STATS_PACKETS]);
	s->bytes = get_u64(tb[MCR_A_OUTPUT_STATS_BYTES]);
	s->drop_xmit = get_u64(tb[MCR_A_OUTPUT_STATS_DROP_XMIT]);
	s->drop_too_big = get_u64(tb[MCR_A_OUTPUT_STATS_DROP_TOO_BIG]);
	s->drop_ttl = get_u64(tb[MCR_A_OUTPUT_STATS_DROP_TTL]);
	s->drop_nomem = get_u64(tb[MCR_A_OUTPUT_STATS_DROP_NOMEM]);
	return 0;
}

static int parse_netns_stats(struct nlattr *nest, struct mcr_netns_stats *s)
{
	struct nlattr *tb[MCR_A_NETNS_STATS_MAX + 1];
	int err;

	err = nla_parse_nested(tb, MCR_A_NETNS_STATS_MAX, nest,
			       netns_stats_policy);
	if (err)
		return err;
	s->no_match = get_u64(tb[MCR_A_NETNS_STATS_NO_MATCH]);
	s->not_udp = get_u64(tb[MCR_A_NETNS_STATS_NOT_UDP]);
	s->fragments = get_u64(tb[MCR_A_NETNS_STATS_FRAGMENTS]);
	s->not_routable = get_u64(tb[MCR_A_NETNS_STATS_NOT_ROUTABLE]);
	s->zero_checksum = get_u64(tb[MCR_A_NETNS_STATS_ZERO_CHECKSUM]);
	s->outputs_removed = get_u64(tb[MCR_A_NETNS_STATS_OUTPUTS_REMOVED]);
	s->rules = get_u32(tb[MCR_A_NETNS_STATS_RULES]);
	s->outputs = get_u32(tb[MCR_A_NETNS_STATS_OUTPUTS]);
	s->max_rules = get_u32(tb[MCR_A_NETNS_STATS_MAX_RULES]);
	s->max_outputs = get_u32(tb[MCR_A_NETNS_STATS_MAX_OUTPUTS]);
	return 0;
}

/*
 * An address of a rule of family @ipv6: its attribute is @nla4 for IPv4,
 * @nla6 for IPv6 (the policy checked their lengths).  Returns whether
 * there is one.
 */
static bool get_addr(bool ipv6, struct nlattr *nla4, in_addr_t *v4,
		     struct nlattr *nla6, struct in6_addr *v6)
{
	if (ipv6 && nla6)
		memcpy(v6, nla_data(nla6), sizeof(*v6));
	else if (!ipv6 && nla4)
		*v4 = nla_get_u32(nla4);
	else
		return false;
	return true;
}

/* An output nest of a rule message of family @ipv6: its configuration. */
static int parse_output(struct nlattr *nest, bool ipv6, struct mcr_output *o)
{
	struct nlattr *tb[MCR_A_OUTPUT_MAX + 1];
	int err;

	err = nla_parse_nested(tb, MCR_A_OUTPUT_MAX, nest, output_policy);
	if (err)
		return err;
	o->ifindex = get_u32(tb[MCR_A_OUTPUT_IFINDEX]);
	o->has_group = get_addr(ipv6, tb[MCR_A_OUTPUT_GROUP], &o->group,
				tb[MCR_A_OUTPUT_GROUP_IPV6], &o->group6);
	if (tb[MCR_A_OUTPUT_PORT])
		o->port = ntohs(nla_get_u16(tb[MCR_A_OUTPUT_PORT]));
	if (tb[MCR_A_OUTPUT_TTL])
		o->ttl = nla_get_u8(tb[MCR_A_OUTPUT_TTL]);
	o->has_source = get_addr(ipv6, tb[MCR_A_OUTPUT_SOURCE], &o->source,
				 tb[MCR_A_OUTPUT_SOURCE_IPV6], &o->source6);
	o->source_auto = tb[MCR_A_OUTPUT_SOURCE_AUTO] != NULL;
	return 0;
}

/* An output nest of a stats-get reply: its ifindex and counters. */
static int parse_stats_output(struct nlattr *nest, bool ipv6,
			      struct mcr_output *o)
{
	struct nlattr *tb[MCR_A_STATS_OUTPUT_MAX + 1];
	int err;

	(void)ipv6;	/* no address in it */
	err = nla_parse_nested(tb, MCR_A_STATS_OUTPUT_MAX, nest,
			       stats_output_policy);
	if (err)
		return err;
	o->ifindex = get_u32(tb[MCR_A_STATS_OUTPUT_IFINDEX]);
	if (tb[MCR_A_STATS_OUTPUT_STATS]) {
		o->has_stats = true;
		return parse_output_stats(tb[MCR_A_STATS_OUTPUT_STATS],
					  &o->stats);
	}
	return 0;
}

/* Counts the top-level attributes of @type of @nlh. */
static size_t count_attrs(struct nlmsghdr *nlh, int type)
{
	struct nlattr *head = genlmsg_attrdata(nlmsg_data(nlh), 0);
	int len = genlmsg_attrlen(nlmsg_data(nlh), 0);
	struct nlattr *nla;
	size_t count = 0;
	int rem;

	nla_for_each_attr(nla, head, len, rem)
		if (nla_type(nla) == type)
			count++;
	return count;
}

/*
 * Outputs are a multi-attr: nla_parse() keeps only the last one, so walk
 * the top-level attributes for every @type nest.  Their addresses are of
 * @r's family.
 */
static int parse_outputs(struct nlmsghdr *nlh, int type,
			 int (*parse)(struct nlattr *, bool,
				      struct mcr_output *),
			 struct mcr_rule *r)
{
	struct nlattr *head = genlmsg_attrdata(nlmsg_data(nlh), 0);
	int len = genlmsg_attrlen(nlmsg_data(nlh), 0);
	struct nlattr *nla;
	int rem, err;

	if (mcr_rule_reserve_outputs(r, count_attrs(nlh, type)))
		return -NLE_NOMEM;

	nla_for_each_attr(nla, head, len, rem) {
		if (nla_type(nla) != type)
			continue;
		err = parse(nla, mcr_rule_is_ipv6(r), mcr_rule_add_output(r));
		if (err)
			return err;
	}
	return 0;
}

/*
 * The counters of a rule message's outputs (@r holds them, parsed from
 * the same message): the n-th output-stats of a message is that of its
 * n-th output, also in each part of a rule a dump splits.  None, as in a
 * notification, is fine; any other count than one per output is not.
 */
static int parse_rule_output_stats(struct nlmsghdr *nlh, struct mcr_rule *r)
{
	struct nlattr *head = genlmsg_attrdata(nlmsg_data(nlh), 0);
	int len = genlmsg_attrlen(nlmsg_data(nlh), 0);
	size_t count = count_attrs(nlh, MCR_A_RULE_OUTPUT_STATS), i = 0;
	struct nlattr *nla;
	int rem, err;

	if (!count)
		return 0;
	if (count != r->n_outputs)
		return -NLE_INVAL;
	nla_for_each_attr(nla, head, len, rem) {
		if (nla_type(nla) != MCR_A_RULE_OUTPUT_STATS)
			continue;
		r->outputs[i].has_stats = true;
		err = parse_output_stats(nla, &r->outputs[i++].stats);
		if (err)
			return err;
	}
	return 0;
}

/* A rule's name: a bounded copy, not trusting the NUL to be there. */
static void copy_name(char *dst, const struct nlattr *name)
{
	size_t len = strnlen(nla_data(name), (size_t)nla_len(name));

	if (len >= MCR_NAME_LEN)
		len = MCR_NAME_LEN - 1;
	memcpy(dst, nla_data(name), len);
	dst[len] = '\0';
}

/*
 * The family of a rule message, into @r: AF_INET without the attribute
 * (a module older than it).  Returns 0, or -NLE_AF_NOSUPPORT for a family
 * this tool does not know.
 */
static int get_family(struct nlattr *nla, struct mcr_rule *r)
{
	uint16_t family = nla ? nla_get_u16(nla) : AF_INET;

	if (family != AF_INET && family != AF_INET6)
		return -NLE_AF_NOSUPPORT;
	r->family = family;
	return 0;
}

int mcr_msg_parse_rule(struct nlmsghdr *nlh, struct mcr_rule *r)
{
	struct nlattr *tb[MCR_A_RULE_MAX + 1];
	bool ipv6;
	int err;

	mcr_rule_free(r);
	err = genlmsg_parse(nlh, 0, tb, MCR_A_RULE_MAX, rule_policy);
	if (err)
		return err;
	err = get_family(tb[MCR_A_RULE_FAMILY], r);
	if (err)
		return err;
	ipv6 = mcr_rule_is_ipv6(r);

	r->id = get_u32(tb[MCR_A_RULE_ID]);
	if (tb[MCR_A_RULE_NAME])
		copy_name(r->name, tb[MCR_A_RULE_NAME]);
	r->iif = get_u32(tb[MCR_A_RULE_IIF]);
	r->has_group = get_addr(ipv6, tb[MCR_A_RULE_GROUP], &r->group,
				tb[MCR_A_RULE_GROUP_IPV6], &r->group6);
	if (tb[MCR_A_RULE_PORT])
		r->port = ntohs(nla_get_u16(tb[MCR_A_RULE_PORT]));
	r->has_source = get_addr(ipv6, tb[MCR_A_RULE_SOURCE], &r->source,
				 tb[MCR_A_RULE_SOURCE_IPV6], &r->source6);
	r->flags = get_u32(tb[MCR_A_RULE_FLAGS]);
	if (tb[MCR_A_RULE_STATS]) {
		r->has_stats = true;
		err = parse_rule_stats(tb[MCR_A_RULE_STATS], &r->stats);
		if (err)
			return err;
	}
	err = parse_outputs(nlh, MCR_A_RULE_OUTPUT, parse_output, r);
	if (err)
		return err;
	return parse_rule_output_stats(nlh, r);
}

int mcr_msg_parse_removed(struct nlmsghdr *nlh, struct mcr_rule *removed)
{
	struct nlattr *family;
	int err;

	mcr_rule_free(removed);
	/* Their addresses are of the rule's family. */
	family = nlmsg_find_attr(nlh, GENL_HDRLEN, MCR_A_RULE_FAMILY);
	if (family && nla_len(family) < 2)
		return -NLE_INVAL;
	err = get_family(family, removed);
	if (!err)
		err = parse_outputs(nlh, MCR_A_RULE_REMOVED_OUTPUT,
				    parse_output, removed);
	return err ? err : (int)removed->n_outputs;
}

void mcr_stats_reply_init(struct mcr_stats_reply *st)
{
	memset(st, 0, sizeof(*st));
	mcr_rule_init(&st->rule);
}

void mcr_stats_reply_free(struct mcr_stats_reply *st)
{
	mcr_rule_free(&st->rule);
	mcr_stats_reply_init(st);
}

int mcr_msg_parse_stats(struct nlmsghdr *nlh, struct mcr_stats_reply *st)
{
	struct nlattr *tb[MCR_A_STATS_MAX + 1];
	int err;

	mcr_stats_reply_free(st);
	err = genlmsg_parse(nlh, 0, tb, MCR_A_STATS_MAX, stats_policy);
	if (err)
		return err;
	if (tb[MCR_A_STATS_NETNS]) {
		st->has_netns = true;
		err = parse_netns_stats(tb[MCR_A_STATS_NETNS], &st->netns);
		if (err)
			return err;
	}
	if (!tb[MCR_A_STATS_RULE_ID])
		return 0;
	st->has_rule = true;
	st->rule.id = nla_get_u32(tb[MCR_A_STATS_RULE_ID]);
	if (tb[MCR_A_STATS_RULE_NAME])
		copy_name(st->rule.name, tb[MCR_A_STATS_RULE_NAME]);
	if (tb[MCR_A_STATS_RULE]) {
		st->rule.has_stats = true;
		err = parse_rule_stats(tb[MCR_A_STATS_RULE], &st->rule.stats);
		if (err)
			return err;
	}
	return parse_outputs(nlh, MCR_A_STATS_OUTPUT, parse_stats_output,
			     &st->rule);
}

/* ---- acks ------------------------------------------------------------ */

static int parse_ack_tlvs(const void *start, size_t len, struct mcr_ack *ack)
{
	static struct nla_policy policy[MCR_NLMSGERR_ATTR_MAX + 1] = {
		[NLMSGERR_ATTR_MSG] = { .type = NLA_UNSPEC },
		[NLMSGERR_ATTR_OFFS] = { .type = NLA_U32 },
		[NLMSGERR_ATTR_MISS_TYPE] = { .type = NLA_U32 },
		[NLMSGERR_ATTR_MISS_NEST] = { .type = NLA_U32 },
	};
	struct nlattr *tb[MCR_NLMSGERR_ATTR_MAX + 1];
	struct nlattr *msg;
	size_t n;
	int err;

	err = nla_parse(tb, MCR_NLMSGERR_ATTR_MAX, (struct nlattr *)start,
			(int)len, policy);
	if (err)
		return err;
	msg = tb[NLMSGERR_ATTR_MSG];
	if (msg) {
		n = strnlen(nla_data(msg), (size_t)nla_len(msg));
		if (n >= sizeof(ack->msg))
			n = sizeof(ack->msg) - 1;
		memcpy(ack->msg, nla_data(msg), n);
		ack->msg[n] = '\0';
	}
	if (tb[NLMSGERR_ATTR_OFFS]) {
		ack->has_offset = true;
		ack->offset = nla_get_u32(tb[NLMSGERR_ATTR_OFFS]);
	}
	if (tb[NLMSGERR_ATTR_MISS_TYPE]) {
		ack->has_miss_type = true;
		ack->miss_type = nla_get_u32(tb[NLMSGERR_ATTR_MISS_TYPE]);
	}
	if (tb[NLMSGERR_ATTR_MISS_NEST]) {
		ack->has_miss_nest = true;
		ack->miss_nest = nla_get_u32(tb[NLMSGERR_ATTR_MISS_NEST]);
	}
	return 0;
}

int mcr_msg_parse_ack(const struct nlmsghdr *nlh, struct mcr_ack *ack)
{
	const struct nlmsgerr *e = NLMSG_DATA(nlh);
	size_t payload, off;

	memset(ack, 0, sizeof(*ack));
	if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*e)))
		return -NLE_MSG_TRUNC;
	ack->error = e->error;
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return 0;

	/*
	 * The TLVs follow the nlmsgerr and, unless the kernel capped it
	 * (NETLINK_CAP_ACK, or always for a success ack), a copy of the
	 * request's payload, padded to NLMSG_ALIGNTO.
	 */
	payload = nlh->nlmsg_len - NLMSG_HDRLEN;
	off = sizeof(*e);
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED)) {
		if (e->msg.nlmsg_len < NLMSG_HDRLEN)
			return 0;
		off += NLMSG_ALIGN(e->msg.nlmsg_len - NLMSG_HDRLEN);
	}
	if (off >= payload)
		return 0;
	/* Bad TLVs only lose the details, not the error itself. */
	parse_ack_tlvs((const char *)e + off, payload - off, ack);
	return 0;
}

int mcr_msg_parse_done(const struct nlmsghdr *nlh, struct mcr_ack *ack)
{
	size_t payload, off = NLMSG_ALIGN(sizeof(int));
	int error;

	memset(ack, 0, sizeof(*ack));
	if (nlh->nlmsg_len < NLMSG_HDRLEN)
		return -NLE_MSG_TRUNC;
	payload = nlh->nlmsg_len - NLMSG_HDRLEN;
	/* Very old kernels sent an empty NLMSG_DONE. */
	if (payload < sizeof(int))
		return 0;
	memcpy(&error, NLMSG_DATA(nlh), sizeof(error));
	ack->error = error;
	if ((nlh->nlmsg_flags & NLM_F_ACK_TLVS) && off < payload)
		parse_ack_tlvs((const char *)NLMSG_DATA(nlh) + off,
			       payload - off, ack);
	return 0;
}

/* ---- naming the attribute an ack points at ---------------------------- */

static const char *const rule_attr_names[MCR_A_RULE_MAX + 1] = {
	[MCR_A_RULE_ID] = "id",
	[MCR_A_RULE_NAME] = "name",
	[MCR_A_RULE_FAMILY] = "family",
	[MCR_A_RULE_IIF] = "iif",
	[MCR_A_RULE_GROUP] = "group",
	[MCR_A_RULE_PORT] = "port",
	[MCR_A_RULE_SOURCE] = "source",
	[MCR_A_RULE_FLAGS] = "flags",
	[MCR_A_RULE_REPLACE] = "replace",
	[MCR_A_RULE_OUTPUT] = "output",
	[MCR_A_RULE_STATS] = "stats",
	[MCR_A_RULE_OUTPUT_STATS] = "output-stats",
	[MCR_A_RULE_REMOVED_OUTPUT] = "removed-output",
	[MCR_A_RULE_GROUP_IPV6] = "group-ipv6",
	[MCR_A_RULE_SOURCE_IPV6] = "source-ipv6",
};

static const char *const output_attr_names[MCR_A_OUTPUT_MAX + 1] = {
	[MCR_A_OUTPUT_IFINDEX] = "ifindex",
	[MCR_A_OUTPUT_GROUP] = "group",
	[MCR_A_OUTPUT_PORT] = "port",
	[MCR_A_OUTPUT_TTL] = "ttl",
	[MCR_A_OUTPUT_SOURCE] = "source",
	[MCR_A_OUTPUT_SOURCE_AUTO] = "source-auto",
	[MCR_A_OUTPUT_GROUP_IPV6] = "group-ipv6",
	[MCR_A_OUTPUT_SOURCE_IPV6] = "source-ipv6",
};

static const char *const stats_attr_names[MCR_A_STATS_MAX + 1] = {
	[MCR_A_STATS_NETNS] = "netns",
	[MCR_A_STATS_RULE_ID] = "rule-id",
	[MCR_A_STATS_RULE] = "rule",
	[MCR_A_STATS_OUTPUT] = "output",
	[MCR_A_STATS_IIF] = "iif",
	[MCR_A_STATS_RULE_NAME] = "rule-name",
};

/* Attribute names of the set a request's command uses. */
struct attr_set {
	const char *const *names;
	int max;
	int output_type;	/* nest of output attributes */
};

static const struct attr_set rule_set = {
	rule_attr_names, MCR_A_RULE_MAX, MCR_A_RULE_OUTPUT,
};
static const struct attr_set output_set = {
	output_attr_names, MCR_A_OUTPUT_MAX, 0,
};
static const struct attr_set stats_set = {
	stats_attr_names, MCR_A_STATS_MAX, MCR_A_STATS_OUTPUT,
};

static bool request_valid(const struct nlmsghdr *req)
{
	return req && req->nlmsg_len >= NLMSG_HDRLEN + GENL_HDRLEN;
}

static const struct attr_set *request_set(const struct nlmsghdr *req)
{
	const struct genlmsghdr *g;

	if (!request_valid(req))
		return &rule_set;
	g = NLMSG_DATA(req);
	return g->cmd == MCR_CMD_STATS_GET || g->cmd == MCR_CMD_STATS_RESET ?
	       &stats_set : &rule_set;
}

static const char *attr_name(const struct attr_set *set, int type)
{
	if (type > 0 && type <= set->max && set->names[type])
		return set->names[type];
	return "?";
}

/* Where in the request an offset from the ack points. */
struct attr_loc {
	unsigned int oif_nr;	/* 1-based output nest; 0: top level */
	const char *name;	/* NULL: the output nest itself */
};

/*
 * Finds the attribute of @req that starts @offset bytes from its header:
 * a top-level attribute, an output nest, or an attribute inside one.
 */
static bool locate_attr(const struct nlmsghdr *req, uint32_t offset,
			struct attr_loc *loc)
{
	const struct attr_set *set = request_set(req);
	const char *base = (const char *)req;
	struct nlattr *head, *nla, *inner;
	unsigned int oif_nr = 0;
	int rem, irem, len;

	if (!request_valid(req))
		return false;
	head = (struct nlattr *)(base + NLMSG_HDRLEN + GENL_HDRLEN);
	len = (int)(req->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN);

	nla_for_each_attr(nla, head, len, rem) {
		uint32_t at = (uint32_t)((const char *)nla - base);
		bool is_output = nla_type(nla) == set->output_type;

		oif_nr += is_output;
		if (at == offset) {
			loc->oif_nr = is_output ? oif_nr : 0;
			loc->name = is_output ? NULL :
				    attr_name(set, nla_type(nla));
			return true;
		}
		if (!is_output || offset < at ||
		    offset >= at + (uint32_t)nla->nla_len)
			continue;
		nla_for_each_nested(inner, nla, irem) {
			if ((uint32_t)((const char *)inner - base) != offset)
				continue;
			loc->oif_nr = oif_nr;
			loc->name = attr_name(&output_set, nla_type(inner));
			return true;
		}
		return false;
	}
	return false;
}

/* Kernel messages usually start "attr: ...": no need to say it twice. */
static bool msg_names_attr(const char *msg, const char *name)
{
	size_t n = strlen(name);

	return !strncmp(msg, name, n) && msg[n] == ':';
}

/* "attribute "ttl" of oif #2", or "missing ..." for a missing one. */
static void describe_location(const struct mcr_ack *ack,
			      const struct nlmsghdr *req, char *buf,
			      size_t len)
{
	bool has_msg = ack->msg[0] != '\0';
	struct attr_loc loc;
	const char *name;

	buf[0] = '\0';
	if (ack->has_miss_type) {
		bool nested = ack->has_miss_nest &&
			      locate_attr(req, ack->miss_nest, &loc) &&
			      loc.oif_nr && !loc.name;

		name = attr_name(nested ? &output_set : request_set(req),
				 (int)ack->miss_type);
		if (nested && has_msg)
			snprintf(buf, len, "in oif #%u", loc.oif_nr);
		else if (nested)
			snprintf(buf, len, "missing attribute \"%s\" in oif #%u",
				 name, loc.oif_nr);
		else if (!has_msg)
			snprintf(buf, len, "missing attribute \"%s\"", name);
		return;
	}
	if (!ack->has_offset)
		return;
	if (!locate_attr(req, ack->offset, &loc))
		snprintf(buf, len, "attribute at offset %u", ack->offset);
	else if (!loc.oif_nr && !(has_msg && msg_names_attr(ack->msg, loc.name)))
		snprintf(buf, len, "attribute \"%s\"", loc.name);
	else if (loc.oif_nr && loc.name)
		snprintf(buf, len, "oif #%u, attribute \"%s\"", loc.oif_nr,
			 loc.name);
	else if (loc.oif_nr)
		snprintf(buf, len, "oif #%u", loc.oif_nr);
}

void mcr_ack_format(const struct mcr_ack *ack, const struct nlmsghdr *req,
		    char *buf, size_t len)
{
	char where[128];
	int n;

	describe_location(ack, req, where, sizeof(where));
	n = snprintf(buf, len, "%s", strerror(-ack->error));
	if (n < 0 || (size_t)n >= len)
		return;
	if (ack->msg[0] && where[0])
		snprintf(buf + n, len - (size_t)n, ": %s (%s)", ack->msg, where);
	else if (ack->msg[0] || where[0])
		snprintf(buf + n, len - (size_t)n, ": %s",
			 ack->msg[0] ? ack->msg : where);
}
