// SPDX-License-Identifier: GPL-2.0
/*
 * mcr: the "mcr" generic netlink family. Policies and op tables are
 * generated from Documentation/netlink/specs/mcr.yaml into genl.c; this file
 * holds the handlers. Every handler that changes the table holds RTNL,
 * which group membership needs anyway. Readers (gets, dumps, counters),
 * which anyone may send, take only the RCU read lock: rules and output
 * sets are freed after a grace period, and a replace swaps a rule's
 * outputs and name in one store.
 */
#include <linux/rtnetlink.h>
#include <net/genetlink.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/rtnetlink.h>

#include "compat.h"
#include "genl.h"
#include "mcr.h"

/*
 * Worst case size of one output in a rule message: its configuration nest
 * and, with stats, the output-stats nest of its counters that follows it.
 * A stats-get message carries less per output: an output nest holding the
 * ifindex and a nest of the same counters.
 */
static size_t mcr_nl_output_size(bool stats)
{
	size_t size = nla_total_size(0) +		/* OUTPUT nest */
		      nla_total_size(sizeof(u32)) +	/* ifindex */
		      nla_total_size(sizeof(struct in6_addr)) * 2 + /* addrs */
		      nla_total_size(sizeof(u16)) +	/* port */
		      nla_total_size(sizeof(u8)) +	/* ttl */
		      nla_total_size(0);		/* source-auto */

	if (stats)
		size += nla_total_size(0) +		/* OUTPUT_STATS nest */
			nla_total_size_64bit(sizeof(u64)) * (2 + MCR_DROP_MAX);
	return size;
}

/* Worst case size of a rule message; under RCU or RTNL. */
static size_t mcr_nl_rule_size(const struct mcr_rule *rule, bool stats)
{
	const struct mcr_outputs *outs = rcu_dereference_rtnl(rule->outputs);
	size_t size = GENL_HDRLEN +
		      nla_total_size(sizeof(u32)) * 3 +	/* id iif flags */
		      nla_total_size(sizeof(struct in6_addr)) * 2 + /* addrs */
		      nla_total_size(MCR_NAME_LEN) +
		      nla_total_size(sizeof(u16)) * 2;	/* family, port */

	if (stats)
		size += nla_total_size(0) +		/* STATS nest */
			nla_total_size_64bit(sizeof(u64)) * 2;
	return size + outs->count * mcr_nl_output_size(stats);
}

/* The counters of one output, as a nest of attrtype (output-stats set). */
static int mcr_nl_put_output_stats(struct sk_buff *skb, int attrtype,
				   const struct mcr_output *out)
{
	static const int drop_attr[MCR_DROP_MAX] = {
		[MCR_DROP_XMIT] = MCR_A_OUTPUT_STATS_DROP_XMIT,
		[MCR_DROP_TOO_BIG] = MCR_A_OUTPUT_STATS_DROP_TOO_BIG,
		[MCR_DROP_TTL] = MCR_A_OUTPUT_STATS_DROP_TTL,
		[MCR_DROP_NOMEM] = MCR_A_OUTPUT_STATS_DROP_NOMEM,
	};
	struct mcr_output_stats sum;
	struct nlattr *nest;
	int i;

	mcr_output_stats_fold(out, &sum);
	nest = nla_nest_start(skb, attrtype);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u64_64bit(skb, MCR_A_OUTPUT_STATS_PACKETS, sum.packets,
			      MCR_A_OUTPUT_STATS_PAD) ||
	    nla_put_u64_64bit(skb, MCR_A_OUTPUT_STATS_BYTES, sum.bytes,
			      MCR_A_OUTPUT_STATS_PAD))
		goto cancel;
	for (i = 0; i < MCR_DROP_MAX; i++)
		if (nla_put_u64_64bit(skb, drop_attr[i], sum.drops[i],
				      MCR_A_OUTPUT_STATS_PAD))
			goto cancel;
	nla_nest_end(skb, nest);
	return 0;
cancel:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}

/* An address as the attribute of its family, attr or attr6. */
static int mcr_nl_put_addr(struct sk_buff *skb, u8 family, int attr,
			   int attr6, const union mcr_addr *addr)
{
	if (family == AF_INET6)
		return nla_put_in6_addr(skb, attr6, &addr->in6);
	return nla_put_in_addr(skb, attr, addr->ip);
}

/*
 * One output of a rule message, as attrtype (output or removed-output):
 * its configuration nest and, with stats, its counters in the output-stats
 * attribute right after it. Both or neither: the n-th output-stats of a
 * message is that of its n-th output.
 */
static int mcr_nl_put_output(struct sk_buff *skb, int attrtype, u8 family,
			     const struct mcr_output *out, bool stats)
{
	unsigned char *mark = skb_tail_pointer(skb);
	struct nlattr *nest = nla_nest_start(skb, attrtype);

	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(skb, MCR_A_OUTPUT_IFINDEX, out->dev->ifindex) ||
	    (out->rewrite_daddr &&
	     mcr_nl_put_addr(skb, family, MCR_A_OUTPUT_GROUP,
			     MCR_A_OUTPUT_GROUP_IPV6, &out->daddr)) ||
	    (out->port && nla_put_be16(skb, MCR_A_OUTPUT_PORT, out->port)) ||
	    (out->ttl && nla_put_u8(skb, MCR_A_OUTPUT_TTL, out->ttl)) ||
	    (!ipv6_addr_any(&out->saddr.in6) &&
	     mcr_nl_put_addr(skb, family, MCR_A_OUTPUT_SOURCE,
			     MCR_A_OUTPUT_SOURCE_IPV6, &out->saddr)) ||
	    (out->source_auto && nla_put_flag(skb, MCR_A_OUTPUT_SOURCE_AUTO)))
		goto cancel;
	nla_nest_end(skb, nest);
	if (stats &&
	    mcr_nl_put_output_stats(skb, MCR_A_RULE_OUTPUT_STATS, out))
		goto cancel;
	return 0;
cancel:
	nlmsg_trim(skb, mark);
	return -EMSGSIZE;
}

/* One output of a stats-get message: its ifindex and its counters. */
static int mcr_nl_put_stats_output(struct sk_buff *skb,
				   const struct mcr_output *out)
{
	struct nlattr *nest = nla_nest_start(skb, MCR_A_STATS_OUTPUT);

	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(skb, MCR_A_STATS_OUTPUT_IFINDEX, out->dev->ifindex) ||
	    mcr_nl_put_output_stats(skb, MCR_A_STATS_OUTPUT_STATS, out)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int mcr_nl_put_rule_stats(struct sk_buff *skb, int attrtype,
				 const struct mcr_rule *rule)
{
	struct mcr_rule_stats sum;
	struct nlattr *nest;

	mcr_rule_stats_fold(rule, &sum);
	nest = nla_nest_start(skb, attrtype);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u64_64bit(skb, MCR_A_RULE_STATS_PACKETS, sum.packets,
			      MCR_A_RULE_STATS_PAD) ||
	    nla_put_u64_64bit(skb, MCR_A_RULE_STATS_BYTES, sum.bytes,
			      MCR_A_RULE_STATS_PAD)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int mcr_nl_put_rule_key(struct sk_buff *skb, const struct mcr_rule *rule,
			       const struct mcr_outputs *outs)
{
	if (nla_put_u32(skb, MCR_A_RULE_ID, rule->id) ||
	    (outs->name[0] &&
	     nla_put_string(skb, MCR_A_RULE_NAME, outs->name)) ||
	    nla_put_u16(skb, MCR_A_RULE_FAMILY, rule->key.family) ||
	    nla_put_u32(skb, MCR_A_RULE_IIF, rule->mdev->dev->ifindex) ||
	    mcr_nl_put_addr(skb, rule->key.family, MCR_A_RULE_GROUP,
			    MCR_A_RULE_GROUP_IPV6, &rule->key.group) ||
	    nla_put_be16(skb, MCR_A_RULE_PORT, rule->key.port) ||
	    (!ipv6_addr_any(&rule->key.source.in6) &&
	     mcr_nl_put_addr(skb, rule->key.family, MCR_A_RULE_SOURCE,
			     MCR_A_RULE_SOURCE_IPV6, &rule->key.source)) ||
	    nla_put_u32(skb, MCR_A_RULE_FLAGS, READ_ONCE(rule->flags)))
		return -EMSGSIZE;
	return 0;
}

/* What an output-del notification says left: old's outputs on dev. */
struct mcr_nl_removed {
	const struct mcr_outputs *old;
	const struct net_device *dev;
};

/*
 * Fill a rule message starting at output *resume. A rule with more outputs
 * than one dump message holds continues in the next message, which repeats
 * the rule's key: returns 1 and sets *resume then, 0 when complete. A
 * notification is never spread: it alone has removed outputs to put.
 */
static int mcr_nl_fill_rule(struct sk_buff *skb, const struct mcr_rule *rule,
			    u8 cmd, u32 portid, u32 seq, int flags,
			    bool stats, unsigned int *resume,
			    const struct mcr_nl_removed *removed)
{
	const struct mcr_outputs *outs = rcu_dereference_rtnl(rule->outputs);
	unsigned int i;
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &mcr_nl_family, flags, cmd);
	if (!hdr)
		return -EMSGSIZE;
	if (mcr_nl_put_rule_key(skb, rule, outs) ||
	    (stats && mcr_nl_put_rule_stats(skb, MCR_A_RULE_STATS, rule)))
		goto cancel;
	for (i = *resume; i < outs->count; i++) {
		if (mcr_nl_put_output(skb, MCR_A_RULE_OUTPUT, rule->key.family,
				      &outs->out[i], stats)) {
			if (i == *resume || removed)
				goto cancel;
			*resume = i;
			genlmsg_end(skb, hdr);
			return 1;
		}
	}
	for (i = 0; removed && i < removed->old->count; i++)
		if (removed->old->out[i].dev == removed->dev &&
		    mcr_nl_put_output(skb, MCR_A_RULE_REMOVED_OUTPUT,
				      rule->key.family, &removed->old->out[i],
				      false))
			goto cancel;
	*resume = 0;
	genlmsg_end(skb, hdr);
	return 0;
cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

/* Written under RTNL, read by mcr_nl_notify_rule() under RTNL. */
static bool mcr_nl_registered;

/*
 * Tell the monitor group, and with NLM_F_ECHO the requester, that a rule
 * changed (and with removed, which outputs left it). Under RTNL, so the
 * rule cannot change while the message is built. A notification that
 * cannot be built is not dropped silently: listeners get ENOBUFS, as for
 * one that overran their buffer, and know to dump the table again.
 */
static void mcr_nl_notify(struct mcr_net *mn, const struct mcr_rule *rule,
			  u8 cmd, struct genl_info *info,
			  const struct mcr_nl_removed *removed,
			  unsigned int removed_count)
{
	bool echo = info && nlmsg_report(info->nlhdr);
	unsigned int resume = 0;
	struct sk_buff *msg;

	ASSERT_RTNL();
	/* At module exit the family goes first; its groups with it. */
	if (!mcr_nl_registered)
		return;
	if (!echo &&
	    !genl_has_listeners(&mcr_nl_family, mn->net, MCR_NLGRP_MONITOR))
		return;
	msg = genlmsg_new(mcr_nl_rule_size(rule, false) +
			  removed_count * mcr_nl_output_size(false),
			  GFP_KERNEL);
	if (!msg)
		goto lost;
	if (mcr_nl_fill_rule(msg, rule, cmd, info ? info->snd_portid : 0,
			     info ? info->snd_seq : 0, 0, false, &resume,
			     removed)) {
		nlmsg_free(msg);
		goto lost;
	}
	if (info)
		genl_notify(&mcr_nl_family, msg, info, MCR_NLGRP_MONITOR,
			    GFP_KERNEL);
	else
		genlmsg_multicast_netns(&mcr_nl_family, mn->net, msg, 0,
					MCR_NLGRP_MONITOR, GFP_KERNEL);
	return;
lost:
	genl_set_err(&mcr_nl_family, mn->net, 0, MCR_NLGRP_MONITOR, -ENOBUFS);
}

void mcr_nl_notify_rule(struct mcr_net *mn, const struct mcr_rule *rule,
			u8 cmd, struct genl_info *info)
{
	mcr_nl_notify(mn, rule, cmd, info, NULL, 0);
}

void mcr_nl_notify_output_del(struct mcr_net *mn, const struct mcr_rule *rule,
			      const struct mcr_outputs *old,
			      const struct net_device *dev, unsigned int count)
{
	const struct mcr_nl_removed removed = { .old = old, .dev = dev };

	mcr_nl_notify(mn, rule, MCR_CMD_OUTPUT_DEL_NTF, NULL, &removed, count);
}

/* A destination the relay can send to: multicast, or a unicast host. */
static bool mcr_addr_is_dest(__be32 addr)
{
	return !ipv4_is_zeronet(addr) && !ipv4_is_loopback(addr) &&
	       !ipv4_is_lbcast(addr);
}

static bool mcr_addr_is_source(__be32 addr)
{
	return mcr_addr_is_dest(addr) && !ipv4_is_multicast(addr);
}

/*
 * The IPv6 destinations the relay can send to: not ::, loopback or
 * IPv4-mapped, and no multicast scope narrower than the link (reserved
 * scope 0, interface-local: ip6_rcv_core() drops those from a link).
 */
static bool mcr_addr6_is_dest(const struct in6_addr *addr)
{
	int type = ipv6_addr_type(addr);

	if (type & IPV6_ADDR_MULTICAST)
		return IPV6_ADDR_MC_SCOPE(addr) > IPV6_ADDR_SCOPE_NODELOCAL;
	return type != IPV6_ADDR_ANY &&
	       !(type & (IPV6_ADDR_LOOPBACK | IPV6_ADDR_MAPPED));
}

static bool mcr_addr6_is_source(const struct in6_addr *addr)
{
	return mcr_addr6_is_dest(addr) && !ipv6_addr_is_multicast(addr);
}

/*
 * Read the address attribute of the rule's family, attr or attr6, into
 * *addr; refuse one of the other family. Returns the attribute read, NULL
 * when absent, or an ERR_PTR.
 */
static struct nlattr *mcr_nl_get_addr(struct nlattr **tb, u8 family,
				      int attr, int attr6,
				      union mcr_addr *addr,
				      struct netlink_ext_ack *extack)
{
	struct nlattr *other = tb[family == AF_INET6 ? attr : attr6];
	struct nlattr *nla = tb[family == AF_INET6 ? attr6 : attr];

	if (other) {
		if (family == AF_INET6)
			NL_SET_ERR_MSG_ATTR(extack, other,
					    "an IPv4 address in an AF_INET6 rule");
		else
			NL_SET_ERR_MSG_ATTR(extack, other,
					    "an IPv6 address in an AF_INET rule");
		return ERR_PTR(-EINVAL);
	}
	if (!nla)
		return NULL;
	if (family == AF_INET6)
		addr->in6 = nla_get_in6_addr(nla);
	else
		addr->ip = nla_get_in_addr(nla);
	return nla;
}

static bool mcr_dev_is_ipip(const struct net_device *dev)
{
	return dev->rtnl_link_ops && !strcmp(dev->rtnl_link_ops->kind, "ipip");
}

static bool mcr_key_addr_is_dest(u8 family, const union mcr_addr *addr)
{
	return family == AF_INET6 ? mcr_addr6_is_dest(&addr->in6) :
				    mcr_addr_is_dest(addr->ip);
}

static bool mcr_key_addr_is_source(u8 family, const union mcr_addr *addr)
{
	return family == AF_INET6 ? mcr_addr6_is_source(&addr->in6) :
				    mcr_addr_is_source(addr->ip);
}

/*
 * A rule's name is for people, and is printed on their terminals and in
 * metrics that must be UTF-8: well-formed UTF-8 (no overlong form, no
 * surrogate, nothing past U+10FFFF) without control characters (C0, DEL,
 * C1). The policy has made it a NUL-terminated string.
 */
static bool mcr_nl_name_printable(const u8 *s)
{
	unsigned int len, i;
	u32 c;

	for (; *s; s += len) {
		len = 1;
		if (*s < 0x20 || *s == 0x7f)
			return false;
		if (*s < 0x80)
			continue;
		if (*s >= 0xc2 && *s <= 0xdf)
			len = 2;
		else if (*s >= 0xe0 && *s <= 0xef)
			len = 3;
		else if (*s >= 0xf0 && *s <= 0xf4)
			len = 4;
		else
			return false;
		c = *s & (0x7f >> len);
		/* A NUL inside the sequence stops it here too. */
		for (i = 1; i < len; i++) {
			if ((s[i] & 0xc0) != 0x80)
				return false;
			c = c << 6 | (s[i] & 0x3f);
		}
		if ((len == 3 && c < 0x800) || (len == 4 && c < 0x10000) ||
		    (c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff || c < 0xa0)
			return false;
	}
	return true;
}

/*
 * Parse the match key. With need_dev the input device must exist, else a
 * vanished device still names its rules by index.
 */
static int mcr_nl_parse_key(struct genl_info *info, struct mcr_key *key,
			    int *ifindex, struct net_device **dev)
{
	struct netlink_ext_ack *extack = info->extack;
	struct nlattr **tb = info->attrs;
	struct nlattr *nla;
	u16 family;

	if (GENL_REQ_ATTR_CHECK(info, MCR_A_RULE_FAMILY) ||
	    GENL_REQ_ATTR_CHECK(info, MCR_A_RULE_IIF))
		return -EINVAL;
	family = nla_get_u16(tb[MCR_A_RULE_FAMILY]);
	if (family != AF_INET && family != AF_INET6) {
		NL_SET_ERR_MSG_ATTR(extack, tb[MCR_A_RULE_FAMILY],
				    "family: AF_INET or AF_INET6 only");
		return -EAFNOSUPPORT;
	}
	/* ipv6.disable=1 leaves no neighbour table to send IPv6 with. */
	if (family == AF_INET6 && !ipv6_mod_enabled()) {
		NL_SET_ERR_MSG_ATTR(extack, tb[MCR_A_RULE_FAMILY],
				    "family: IPv6 is disabled on this host");
		return -EAFNOSUPPORT;
	}

	memset(key, 0, sizeof(*key));
	key->family = family;
	nla = mcr_nl_get_addr(tb, family, MCR_A_RULE_GROUP,
			      MCR_A_RULE_GROUP_IPV6, &key->group, extack);
	if (IS_ERR(nla))
		return PTR_ERR(nla);
	if (!nla && GENL_REQ_ATTR_CHECK(info, family == AF_INET6 ?
						  MCR_A_RULE_GROUP_IPV6 :
						  MCR_A_RULE_GROUP))
		return -EINVAL;
	if (!mcr_key_addr_is_dest(family, &key->group)) {
		NL_SET_ERR_MSG_ATTR(extack, nla,
				    "group: not a multicast or unicast address");
		return -EINVAL;
	}
	if (tb[MCR_A_RULE_PORT])
		key->port = nla_get_be16(tb[MCR_A_RULE_PORT]);
	nla = mcr_nl_get_addr(tb, family, MCR_A_RULE_SOURCE,
			      MCR_A_RULE_SOURCE_IPV6, &key->source, extack);
	if (IS_ERR(nla))
		return PTR_ERR(nla);
	if (nla && !mcr_key_addr_is_source(family, &key->source)) {
		NL_SET_ERR_MSG_ATTR(extack, nla, "source: not a unicast address");
		return -EINVAL;
	}

	*ifindex = nla_get_u32(tb[MCR_A_RULE_IIF]);
	if (dev) {
		*dev = __dev_get_by_index(genl_info_net(info), *ifindex);
		if (!*dev) {
			NL_SET_ERR_MSG_ATTR(extack, tb[MCR_A_RULE_IIF],
					    "iif: no such device");
			return -ENODEV;
		}
	}
	return 0;
}

static int mcr_nl_parse_output(struct genl_info *info, struct nlattr *attr,
			       const struct net_device *iif,
			       const struct mcr_key *key,
			       struct mcr_output *out)
{
	struct netlink_ext_ack *extack = info->extack;
	struct nlattr *tb[MCR_A_OUTPUT_MAX + 1];
	struct net_device *dev;
	struct nlattr *nla;
	int err;

	/*
	 * The output set holds configuration only: counters, or anything
	 * else, in a request's output nest fail genetlink's strict
	 * validation with "Unknown attribute type" before this runs.
	 */
	err = nla_parse_nested(tb, MCR_A_OUTPUT_MAX, attr,
			       mcr_output_nl_policy, extack);
	if (err)
		return err;
	if (NL_REQ_ATTR_CHECK(extack, attr, tb, MCR_A_OUTPUT_IFINDEX))
		return -EINVAL;

	dev = __dev_get_by_index(genl_info_net(info),
				 nla_get_u32(tb[MCR_A_OUTPUT_IFINDEX]));
	if (!dev) {
		NL_SET_ERR_MSG_ATTR(extack, tb[MCR_A_OUTPUT_IFINDEX],
				    "output: ifindex: no such device");
		return -ENODEV;
	}
	if (dev == iif) {
		NL_SET_ERR_MSG_ATTR(extack, tb[MCR_A_OUTPUT_IFINDEX],
				    "output: ifindex: the input device cannot be an output");
		return -EINVAL;
	}
	/* What is sent to the loopback device comes back in on it. */
	if (dev->flags & IFF_LOOPBACK) {
		NL_SET_ERR_MSG_ATTR(extack, tb[MCR_A_OUTPUT_IFINDEX],
				    "output: ifindex: the loopback device cannot be an output");
		return -EINVAL;
	}
	/*
	 * ipip_tunnel_xmit() frees all but IPv4 and MPLS, as sent: refuse
	 * what would count packets sent that never leave.
	 */
	if (key->family == AF_INET6 && mcr_dev_is_ipip(dev)) {
		NL_SET_ERR_MSG_ATTR(extack, tb[MCR_A_OUTPUT_IFINDEX],
				    "output: ifindex: an ipip device carries no IPv6");
		return -EINVAL;
	}

	out->daddr = key->group;
	nla = mcr_nl_get_addr(tb, key->family, MCR_A_OUTPUT_GROUP,
			      MCR_A_OUTPUT_GROUP_IPV6, &out->daddr, extack);
	if (IS_ERR(nla))
		return PTR_ERR(nla);
	if (nla && !mcr_key_addr_is_dest(key->family, &out->daddr)) {
		NL_SET_ERR_MSG_ATTR(extack, nla,
				    "output: group: not a multicast or unicast address");
		return -EINVAL;
	}
	mcr_output_set_group(out, key->family, &key->group);
	if (tb[MCR_A_OUTPUT_PORT])
		out->port = nla_get_be16(tb[MCR_A_OUTPUT_PORT]);
	if (tb[MCR_A_OUTPUT_TTL])
		out->ttl = nla_get_u8(tb[MCR_A_OUTPUT_TTL]);
	out->source_auto = nla_get_flag(tb[MCR_A_OUTPUT_SOURCE_AUTO]);
	nla = mcr_nl_get_addr(tb, key->family, MCR_A_OUTPUT_SOURCE,
			      MCR_A_OUTPUT_SOURCE_IPV6, &out->saddr, extack);
	if (IS_ERR(nla))
		return PTR_ERR(nla);
	if (nla && out->source_auto) {
		NL_SET_ERR_MSG_ATTR(extack, nla,
				    "output: source and source-auto are exclusive");
		return -EINVAL;
	}
	if (nla && !mcr_key_addr_is_source(key->family, &out->saddr)) {
		NL_SET_ERR_MSG_ATTR(extack, nla,
				    "output: source: not a unicast address");
		return -EINVAL;
	}
	out->rewrites = out->rewrite_daddr || nla || out->source_auto ||
			out->port || out->ttl;
	out->dev = dev;
	return 0;
}

/*
 * Whether two outputs send the same stream to the same place: same device,
 * destination and port after the rewrite (no port rewrite keeps the
 * rule's port, or the received one for any-port rules).
 */
static bool mcr_output_same_stream(const struct mcr_output *a,
				   const struct mcr_output *b,
				   const struct mcr_key *key)
{
	return a->dev == b->dev &&
	       ipv6_addr_equal(&a->daddr.in6, &b->daddr.in6) &&
	       (a->port ?: key->port) == (b->port ?: key->port);
}

static struct mcr_outputs *mcr_nl_parse_outputs(struct genl_info *info,
						const struct net_device *iif,
						const struct mcr_key *key)
{
	struct netlink_ext_ack *extack = info->extack;
	struct mcr_outputs *outs;
	unsigned int n = 0, i, j;
	struct nlattr *attr;
	int rem, err;

	nlmsg_for_each_attr(attr, info->nlhdr, GENL_HDRLEN, rem)
		n += nla_type(attr) == MCR_A_RULE_OUTPUT;
	if (!n) {
		NL_SET_ERR_MSG(extack, "missing attribute: output (at least one)");
		NL_SET_ERR_ATTR_MISS(extack, NULL, MCR_A_RULE_OUTPUT);
		return ERR_PTR(-EINVAL);
	}
	if (n > READ_ONCE(mcr_max_outputs)) {
		NL_SET_ERR_MSG(extack,
			       "output: too many (module parameter max_outputs_per_rule)");
		return ERR_PTR(-E2BIG);
	}

	outs = mcr_outputs_alloc(n);
	if (!outs) {
		NL_SET_ERR_MSG(extack, MCR_NOMEM_MSG);
		return ERR_PTR(-ENOMEM);
	}
	i = 0;
	nlmsg_for_each_attr(attr, info->nlhdr, GENL_HDRLEN, rem) {
		struct mcr_output *out = &outs->out[i];

		if (nla_type(attr) != MCR_A_RULE_OUTPUT)
			continue;
		err = mcr_nl_parse_output(info, attr, iif, key, out);
		if (err)
			goto err;
		for (j = 0; j < i; j++) {
			if (mcr_output_same_stream(&outs->out[j], out, key)) {
				NL_SET_ERR_MSG_ATTR(extack, attr,
						    "output: duplicate of an earlier output (same device, destination and port)");
				err = -EINVAL;
				goto err;
			}
		}
		i++;
	}
	/* Only now take references: the free path puts every entry's. */
	for (i = 0; i < n; i++)
		netdev_hold(outs->out[i].dev, &outs->out[i].dev_tracker,
			    GFP_KERNEL);
	return outs;
err:
	for (j = 0; j < n; j++)
		outs->out[j].dev = NULL;
	mcr_outputs_free(outs);
	return ERR_PTR(err);
}

/*
 * The reply to a rule-new, allocated before the table changes: a rule that
 * was added or replaced must not be answered "out of memory".
 */
static struct sk_buff *mcr_nl_reply_id_new(struct genl_info *info)
{
	struct sk_buff *msg;

	msg = genlmsg_new(nla_total_size(sizeof(u32)), GFP_KERNEL);
	if (!msg)
		return NULL;
	if (!genlmsg_put_reply(msg, info, &mcr_nl_family, 0,
			       info->genlhdr->cmd)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

/* Sends msg, from mcr_nl_reply_id_new(), with the id; allocates nothing. */
static int mcr_nl_reply_id(struct sk_buff *msg, struct genl_info *info, u32 id)
{
	if (nla_put_u32(msg, MCR_A_RULE_ID, id)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	nlmsg_end(msg, nlmsg_hdr(msg));
	return genlmsg_reply(msg, info);
}

static int mcr_nl_rule_replace(struct mcr_net *mn, struct mcr_rule *rule,
			       struct mcr_outputs *outs, struct sk_buff *reply,
			       struct genl_info *info)
{
	struct nlattr **tb = info->attrs;
	u32 flags = tb[MCR_A_RULE_FLAGS] ? nla_get_u32(tb[MCR_A_RULE_FLAGS]) : 0;
	int err;

	if (!tb[MCR_A_RULE_NAME])
		memcpy(outs->name, rcu_dereference_rtnl(rule->outputs)->name,
		       sizeof(outs->name));
	err = mcr_rule_set_outputs(mn, rule, outs);
	if (err) {
		NL_SET_ERR_MSG(info->extack,
			       MCR_NOMEM_MSG);
		mcr_outputs_free(outs);
		nlmsg_free(reply);
		return err;
	}
	WRITE_ONCE(rule->flags, flags);
	mcr_rule_update_join(rule, !(flags & MCR_RULE_FLAGS_NOJOIN));
	mcr_nl_notify_rule(mn, rule, MCR_CMD_RULE_NEW_NTF, info);
	return mcr_nl_reply_id(reply, info, rule->id);
}

int mcr_nl_rule_new_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct mcr_net *mn = mcr_net(genl_info_net(info));
	struct netlink_ext_ack *extack = info->extack;
	struct nlattr **tb = info->attrs;
	struct mcr_outputs *outs;
	struct net_device *dev;
	struct sk_buff *reply;
	struct mcr_rule *rule;
	struct mcr_key key;
	int ifindex, err;

	if (tb[MCR_A_RULE_NAME] &&
	    !mcr_nl_name_printable(nla_data(tb[MCR_A_RULE_NAME]))) {
		NL_SET_ERR_MSG_ATTR(extack, tb[MCR_A_RULE_NAME],
				    "name: printable UTF-8 only, no control characters");
		return -EINVAL;
	}
	rtnl_lock();
	err = mcr_nl_parse_key(info, &key, &ifindex, &dev);
	if (err)
		goto out;
	outs = mcr_nl_parse_outputs(info, dev, &key);
	if (IS_ERR(outs)) {
		err = PTR_ERR(outs);
		goto out;
	}
	if (tb[MCR_A_RULE_NAME])
		nla_strscpy(outs->name, tb[MCR_A_RULE_NAME], sizeof(outs->name));
	reply = mcr_nl_reply_id_new(info);
	if (!reply) {
		NL_SET_ERR_MSG(extack, MCR_NOMEM_MSG);
		err = -ENOMEM;
		goto err_outs;
	}

	rule = mcr_rule_find(mn, ifindex, &key);
	if (rule) {
		if (!nla_get_flag(tb[MCR_A_RULE_REPLACE])) {
			NL_SET_ERR_MSG(extack,
				       "a rule with this match key exists (use replace)");
			err = -EEXIST;
			goto err_reply;
		}
		err = mcr_nl_rule_replace(mn, rule, outs, reply, info);
		goto out;
	}

	if (mn->rule_count >= READ_ONCE(mcr_max_rules)) {
		NL_SET_ERR_MSG(extack, "rule limit reached (module parameter max_rules)");
		err = -ENOSPC;
		goto err_reply;
	}
	rule = mcr_rule_alloc();
	if (!rule) {
		NL_SET_ERR_MSG(extack, MCR_NOMEM_MSG);
		err = -ENOMEM;
		goto err_reply;
	}
	rule->key = key;
	if (tb[MCR_A_RULE_FLAGS])
		rule->flags = nla_get_u32(tb[MCR_A_RULE_FLAGS]);
	RCU_INIT_POINTER(rule->outputs, outs);
	err = mcr_rule_insert(mn, dev, rule, extack);
	if (err) {
		mcr_rule_free(rule);
		nlmsg_free(reply);
		goto out;
	}
	mcr_nl_notify_rule(mn, rule, MCR_CMD_RULE_NEW_NTF, info);
	err = mcr_nl_reply_id(reply, info, rule->id);
	goto out;

err_reply:
	nlmsg_free(reply);
err_outs:
	mcr_outputs_free(outs);
out:
	rtnl_unlock();
	return err;
}

static bool mcr_nl_has_key_attr(struct nlattr **tb)
{
	return tb[MCR_A_RULE_FAMILY] || tb[MCR_A_RULE_IIF] ||
	       tb[MCR_A_RULE_GROUP] || tb[MCR_A_RULE_PORT] ||
	       tb[MCR_A_RULE_SOURCE] || tb[MCR_A_RULE_GROUP_IPV6] ||
	       tb[MCR_A_RULE_SOURCE_IPV6];
}

static struct mcr_rule *mcr_nl_rule_by_id(struct mcr_net *mn,
					  struct genl_info *info)
{
	struct nlattr *attr = info->attrs[MCR_A_RULE_ID];
	struct mcr_rule *rule = xa_load(&mn->rules, nla_get_u32(attr));

	if (!rule)
		NL_SET_ERR_MSG_ATTR(info->extack, attr, "id: no such rule");
	return rule;
}

int mcr_nl_rule_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct mcr_net *mn = mcr_net(genl_info_net(info));
	struct nlattr **tb = info->attrs;
	struct mcr_rule *rule;
	struct mcr_key key;
	int ifindex, err = 0;

	rtnl_lock();
	if (tb[MCR_A_RULE_ID]) {
		if (mcr_nl_has_key_attr(tb)) {
			NL_SET_ERR_MSG_ATTR(info->extack, tb[MCR_A_RULE_ID],
					    "id: give either id or match key");
			err = -EINVAL;
			goto out;
		}
		rule = mcr_nl_rule_by_id(mn, info);
	} else if (!mcr_nl_has_key_attr(tb)) {
		NL_SET_ERR_MSG(info->extack, "missing attribute: id or match key");
		NL_SET_ERR_ATTR_MISS(info->extack, NULL, MCR_A_RULE_ID);
		err = -EINVAL;
		goto out;
	} else {
		err = mcr_nl_parse_key(info, &key, &ifindex, NULL);
		if (err)
			goto out;
		rule = mcr_rule_find(mn, ifindex, &key);
		if (!rule)
			NL_SET_ERR_MSG(info->extack, "no rule with this match key");
	}
	if (!rule) {
		err = -ENOENT;
		goto out;
	}
	mcr_nl_notify_rule(mn, rule, MCR_CMD_RULE_DEL_NTF, info);
	mcr_rule_remove(mn, rule);
out:
	rtnl_unlock();
	return err;
}

/* Fill one rule's message, or its first part: see mcr_nl_fill_rule(). */
typedef int (*mcr_nl_fill_t)(struct sk_buff *skb, const struct mcr_rule *rule,
			     u32 portid, u32 seq, int flags,
			     unsigned int *resume);

static int mcr_nl_fill_rule_get(struct sk_buff *skb,
				const struct mcr_rule *rule, u32 portid,
				u32 seq, int flags, unsigned int *resume)
{
	return mcr_nl_fill_rule(skb, rule, MCR_CMD_RULE_GET, portid, seq,
				flags, true, resume, NULL);
}

/*
 * The reply to a get of rule id, built under RCU. Its size is taken in one
 * read section and the message allocated outside it; if the rule grew or
 * went meanwhile, again, a few times: a rule replaced with more outputs
 * without pause must not keep a reader here. NULL: no such rule.
 */
#define MCR_NL_GET_TRIES	4

static struct sk_buff *mcr_nl_get_reply(struct genl_info *info, u32 id,
					mcr_nl_fill_t fill)
{
	struct mcr_net *mn = mcr_net(genl_info_net(info));
	struct mcr_rule *rule;
	unsigned int resume;
	struct sk_buff *msg;
	unsigned int tries;
	size_t size;
	int err;

	for (tries = 0; tries < MCR_NL_GET_TRIES; tries++) {
		rcu_read_lock();
		rule = xa_load(&mn->rules, id);
		size = rule ? mcr_nl_rule_size(rule, true) : 0;
		rcu_read_unlock();
		if (!rule)
			return NULL;

		msg = genlmsg_new(size, GFP_KERNEL);
		if (!msg)
			return ERR_PTR(-ENOMEM);
		rcu_read_lock();
		rule = xa_load(&mn->rules, id);
		resume = 0;
		err = rule ? fill(msg, rule, info->snd_portid, info->snd_seq,
				  0, &resume) : 1;
		rcu_read_unlock();
		if (!err)
			return msg;
		nlmsg_free(msg);
	}
	NL_SET_ERR_MSG(info->extack,
		       "the rule kept growing while it was read: try again");
	return ERR_PTR(-EAGAIN);
}

/* A get has no use for a dump's filter: say so rather than ignore it. */
static int mcr_nl_refuse_iif(struct genl_info *info, int type)
{
	if (!info->attrs[type])
		return 0;
	NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[type],
			    "iif: only a dump takes it");
	return -EINVAL;
}

int mcr_nl_rule_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, MCR_A_RULE_ID))
		return -EINVAL;
	err = mcr_nl_refuse_iif(info, MCR_A_RULE_IIF);
	if (err)
		return err;
	msg = mcr_nl_get_reply(info, nla_get_u32(info->attrs[MCR_A_RULE_ID]),
			       mcr_nl_fill_rule_get);
	if (!msg) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[MCR_A_RULE_ID],
				    "id: no such rule");
		return -ENOENT;
	}
	if (IS_ERR(msg))
		return PTR_ERR(msg);
	return genlmsg_reply(msg, info);
}
EXPORT_SYMBOL_IF_KUNIT(mcr_nl_rule_get_doit);

/*
 * Dump the rules with fill, all of them, or the one with id, or those on
 * input device iif. A rule cut across messages continues in the next:
 * cb->args[0] is the id of the rule to continue with, cb->args[1] its
 * next output, cb->args[2] the table generation they were taken at,
 * cb->args[3] is set after the first call.
 * Resuming by id neither skips nor repeats a rule that stays in the
 * table; an output index is used only if nothing changed since, else the
 * rule starts again from its first output, so that a message never mixes
 * two output sets. Every message of a dump that raced a change is flagged
 * NLM_F_DUMP_INTR. Read under RCU: a rule seen is not freed before the
 * read section ends.
 */
static int mcr_nl_dump(struct sk_buff *skb, struct netlink_callback *cb,
		       mcr_nl_fill_t fill, int id_type, int iif_type)
{
	struct mcr_net *mn = mcr_net(sock_net(skb->sk));
	struct nlattr **attrs = mcr_dump_attrs(cb);
	bool first = !cb->args[3];
	unsigned int resume = 0, start = 0;
	unsigned long id, last = ULONG_MAX;
	int iif = 0, err = 0;
	struct nlmsghdr *nlh;
	struct mcr_rule *rule;
	u32 gen;

	cb->args[3] = 1;
	if (attrs[id_type]) {
		last = nla_get_u32(attrs[id_type]);
		if (first)
			cb->args[0] = last;
		if (cb->args[0] > last)
			return 0;
	}
	if (attrs[iif_type])
		iif = nla_get_u32(attrs[iif_type]);

	rcu_read_lock();
	if (first && iif && !dev_get_by_index_rcu(sock_net(skb->sk), iif)) {
		rcu_read_unlock();
		NL_SET_ERR_MSG_ATTR(cb->extack, attrs[iif_type],
				    "iif: no such device");
		return -ENODEV;
	}
	gen = READ_ONCE(mn->gen);
	cb->seq = gen;
	xa_for_each_range(&mn->rules, id, rule, cb->args[0], last) {
		if (iif && rule->mdev->dev->ifindex != iif)
			continue;
		start = 0;
		if (id == cb->args[0] && cb->args[2] == gen)
			start = cb->args[1];
		resume = start;
		nlh = (struct nlmsghdr *)skb_tail_pointer(skb);
		err = fill(skb, rule, NETLINK_CB(cb->skb).portid,
			   cb->nlh->nlmsg_seq, NLM_F_MULTI, &resume);
		if (err < 0)
			break;
		nl_dump_check_consistent(cb, nlh);
		if (err)
			break;
	}
	rcu_read_unlock();
	if (err) {
		cb->args[0] = id;
		cb->args[1] = err == 1 ? resume : start;
		cb->args[2] = gen;
	} else {
		cb->args[0] = ULONG_MAX;
	}
	if (err == 1 || (err == -EMSGSIZE && skb->len))
		return skb->len;
	if (!err && first && attrs[id_type] && !skb->len) {
		NL_SET_ERR_MSG_ATTR(cb->extack, attrs[id_type],
				    "id: no such rule");
		return -ENOENT;
	}
	return err;
}

int mcr_nl_rule_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	return mcr_nl_dump(skb, cb, mcr_nl_fill_rule_get, MCR_A_RULE_ID,
			   MCR_A_RULE_IIF);
}

int mcr_nl_rule_flush_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct mcr_net *mn = mcr_net(genl_info_net(info));
	struct nlattr *attr = info->attrs[MCR_A_RULE_IIF];
	int ifindex = attr ? nla_get_u32(attr) : 0;

	rtnl_lock();
	if (ifindex && !__dev_get_by_index(genl_info_net(info), ifindex)) {
		rtnl_unlock();
		NL_SET_ERR_MSG_ATTR(info->extack, attr, "iif: no such device");
		return -ENODEV;
	}
	mcr_net_flush(mn, ifindex, true);
	rtnl_unlock();
	return 0;
}

static int mcr_nl_put_netns_stats(struct sk_buff *skb, struct mcr_net *mn)
{
	static const int counter_attr[MCR_NET_COUNTER_MAX] = {
		[MCR_NET_NO_MATCH] = MCR_A_NETNS_STATS_NO_MATCH,
		[MCR_NET_NOT_UDP] = MCR_A_NETNS_STATS_NOT_UDP,
		[MCR_NET_FRAGMENTS] = MCR_A_NETNS_STATS_FRAGMENTS,
		[MCR_NET_NOT_ROUTABLE] = MCR_A_NETNS_STATS_NOT_ROUTABLE,
		[MCR_NET_ZERO_CHECKSUM] = MCR_A_NETNS_STATS_ZERO_CHECKSUM,
	};
	struct mcr_net_stats sum;
	struct nlattr *nest;
	int i;

	mcr_net_stats_fold(mn, &sum);
	nest = nla_nest_start(skb, MCR_A_STATS_NETNS);
	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < MCR_NET_COUNTER_MAX; i++)
		if (nla_put_u64_64bit(skb, counter_attr[i], sum.counters[i],
				      MCR_A_NETNS_STATS_PAD))
			return -EMSGSIZE;
	if (nla_put_u64_64bit(skb, MCR_A_NETNS_STATS_OUTPUTS_REMOVED,
			      READ_ONCE(mn->outputs_removed),
			      MCR_A_NETNS_STATS_PAD) ||
	    nla_put_u32(skb, MCR_A_NETNS_STATS_RULES,
			READ_ONCE(mn->rule_count)) ||
	    nla_put_u32(skb, MCR_A_NETNS_STATS_OUTPUTS,
			READ_ONCE(mn->output_count)) ||
	    nla_put_u32(skb, MCR_A_NETNS_STATS_MAX_RULES,
			READ_ONCE(mcr_max_rules)) ||
	    nla_put_u32(skb, MCR_A_NETNS_STATS_MAX_OUTPUTS,
			READ_ONCE(mcr_max_outputs)))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

/* A rule's counters and its outputs', resumable like mcr_nl_fill_rule(). */
static int mcr_nl_fill_rule_stats(struct sk_buff *skb,
				  const struct mcr_rule *rule, u32 portid,
				  u32 seq, int flags, unsigned int *resume)
{
	const struct mcr_outputs *outs = rcu_dereference_rtnl(rule->outputs);
	unsigned int i;
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &mcr_nl_family, flags,
			  MCR_CMD_STATS_GET);
	if (!hdr)
		return -EMSGSIZE;
	if (nla_put_u32(skb, MCR_A_STATS_RULE_ID, rule->id) ||
	    (outs->name[0] &&
	     nla_put_string(skb, MCR_A_STATS_RULE_NAME, outs->name)) ||
	    mcr_nl_put_rule_stats(skb, MCR_A_STATS_RULE, rule))
		goto cancel;
	for (i = *resume; i < outs->count; i++) {
		if (mcr_nl_put_stats_output(skb, &outs->out[i])) {
			if (i == *resume)
				goto cancel;
			*resume = i;
			genlmsg_end(skb, hdr);
			return 1;
		}
	}
	*resume = 0;
	genlmsg_end(skb, hdr);
	return 0;
cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

int mcr_nl_stats_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct mcr_net *mn = mcr_net(genl_info_net(info));
	struct nlattr *id_attr = info->attrs[MCR_A_STATS_RULE_ID];
	struct sk_buff *msg;
	void *hdr;
	int err;

	err = mcr_nl_refuse_iif(info, MCR_A_STATS_IIF);
	if (err)
		return err;
	if (id_attr) {
		msg = mcr_nl_get_reply(info, nla_get_u32(id_attr),
				       mcr_nl_fill_rule_stats);
		if (!msg) {
			NL_SET_ERR_MSG_ATTR(info->extack, id_attr,
					    "rule-id: no such rule");
			return -ENOENT;
		}
		if (IS_ERR(msg))
			return PTR_ERR(msg);
		return genlmsg_reply(msg, info);
	}

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &mcr_nl_family, 0,
				info->genlhdr->cmd);
	if (!hdr || mcr_nl_put_netns_stats(msg, mn)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}
EXPORT_SYMBOL_IF_KUNIT(mcr_nl_stats_get_doit);

int mcr_nl_stats_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	return mcr_nl_dump(skb, cb, mcr_nl_fill_rule_stats,
			   MCR_A_STATS_RULE_ID, MCR_A_STATS_IIF);
}

/* The bases of every output of rule, so that its reset cannot fail. */
static int mcr_nl_rule_stats_prepare(struct mcr_rule *rule)
{
	struct mcr_outputs *outs = rcu_dereference_rtnl(rule->outputs);
	unsigned int i;
	int err;

	for (i = 0; i < outs->count; i++) {
		err = mcr_output_stats_base_alloc(&outs->out[i]);
		if (err)
			return err;
	}
	return 0;
}

static void mcr_nl_rule_stats_reset(struct mcr_rule *rule)
{
	struct mcr_outputs *outs = rcu_dereference_rtnl(rule->outputs);
	unsigned int i;

	mcr_rule_stats_reset(rule);
	for (i = 0; i < outs->count; i++)
		mcr_output_stats_reset(&outs->out[i]);
}

/* All of them or, out of memory, none (every base is allocated first). */
int mcr_nl_stats_reset_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct mcr_net *mn = mcr_net(genl_info_net(info));
	struct nlattr *id_attr = info->attrs[MCR_A_STATS_RULE_ID];
	struct mcr_rule *rule;
	unsigned long id;
	int err = 0;

	rtnl_lock();
	if (id_attr) {
		rule = xa_load(&mn->rules, nla_get_u32(id_attr));
		if (!rule) {
			NL_SET_ERR_MSG_ATTR(info->extack, id_attr,
					    "rule-id: no such rule");
			err = -ENOENT;
			goto out;
		}
		err = mcr_nl_rule_stats_prepare(rule);
		if (!err)
			mcr_nl_rule_stats_reset(rule);
		goto out;
	}
	xa_for_each(&mn->rules, id, rule) {
		err = mcr_nl_rule_stats_prepare(rule);
		if (err)
			goto out;
	}
	xa_for_each(&mn->rules, id, rule)
		mcr_nl_rule_stats_reset(rule);
	mcr_net_stats_reset(mn);
out:
	if (err == -ENOMEM)
		NL_SET_ERR_MSG(info->extack,
			       MCR_NOMEM_MSG ": no counter was reset");
	rtnl_unlock();
	return err;
}

int mcr_nl_init(void)
{
	int err = genl_register_family(&mcr_nl_family);

	mcr_nl_registered = !err;
	return err;
}

void mcr_nl_exit(void)
{
	/* Notifications are sent under RTNL: none is under way after this. */
	rtnl_lock();
	mcr_nl_registered = false;
	rtnl_unlock();
	genl_unregister_family(&mcr_nl_family);
}
