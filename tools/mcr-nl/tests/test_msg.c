// SPDX-License-Identifier: GPL-2.0
/* Tests of msg.c: attribute encoding/decoding and extended acks. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>

#include <linux/netlink.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include "harness.h"
#include "msg.h"

#define FAKE_FAMILY 0x1d

static struct nl_msg *genl_msg(uint8_t cmd, size_t size)
{
	struct nl_msg *m = nlmsg_alloc_size(size);

	if (m && !genlmsg_put(m, 1234, 42, FAKE_FAMILY, 0, 0, cmd,
			      MCR_FAMILY_VERSION)) {
		nlmsg_free(m);
		m = NULL;
	}
	return m;
}

static void sample_rule(struct mcr_rule *r)
{
	struct mcr_output *o;

	mcr_rule_init(r);
	strcpy(r->name, "feedA");
	r->iif = 2;
	r->has_group = true;
	r->group = inet_addr("239.1.1.1");
	r->port = 5000;
	r->has_source = true;
	r->source = inet_addr("10.0.0.1");
	r->flags = MCR_RULE_FLAGS_CONSUME;
	o = mcr_rule_add_output(r);
	o->ifindex = 3;
	o->has_group = true;
	o->group = inet_addr("239.2.2.2");
	o->port = 6000;
	o->ttl = 5;
	o->source_auto = true;
	o = mcr_rule_add_output(r);
	o->ifindex = 4;
	o->has_source = true;
	o->source = inet_addr("192.0.2.1");
}

static struct nlattr *top_attr(struct nl_msg *m, int type)
{
	return nlmsg_find_attr(nlmsg_hdr(m), GENL_HDRLEN, type);
}

static void encode_decode_rule(void)
{
	struct mcr_rule r, back;
	struct nl_msg *m;
	int err;

	sample_rule(&r);
	m = genl_msg(MCR_CMD_RULE_NEW, mcr_msg_rule_size(&r));
	CHECK(m);
	CHECK_INT(mcr_msg_put_rule(m, &r, false), 0);
	CHECK(!top_attr(m, MCR_A_RULE_REPLACE));
	CHECK(!top_attr(m, MCR_A_RULE_ID));
	mcr_rule_init(&back);
	err = mcr_msg_parse_rule(nlmsg_hdr(m), &back);
	nlmsg_free(m);
	CHECK_INT(err, 0);
	CHECK_STR(back.name, "feedA");
	CHECK_INT(back.iif, 2);
	CHECK(back.group == r.group && back.has_group);
	CHECK_INT(back.port, 5000);
	CHECK(back.has_source && back.source == r.source);
	CHECK_INT(back.flags, MCR_RULE_FLAGS_CONSUME);
	CHECK_INT(back.n_outputs, 2);
	CHECK_INT(back.outputs[0].ifindex, 3);
	CHECK(back.outputs[0].has_group &&
	      back.outputs[0].group == r.outputs[0].group);
	CHECK_INT(back.outputs[0].port, 6000);
	CHECK_INT(back.outputs[0].ttl, 5);
	CHECK(back.outputs[0].source_auto && !back.outputs[0].has_source);
	CHECK_INT(back.outputs[1].ifindex, 4);
	CHECK(!back.outputs[1].has_group && !back.outputs[1].port &&
	      !back.outputs[1].ttl && !back.outputs[1].source_auto);
	CHECK(back.outputs[1].has_source &&
	      back.outputs[1].source == r.outputs[1].source);
	CHECK(!back.has_stats && !back.outputs[0].has_stats);
	mcr_rule_free(&back);
	mcr_rule_free(&r);
}

/* Exact wire format: byte orders, sizes, nest flags, what is omitted. */
static void wire_format(void)
{
	struct nlattr *nla, *inner;
	const uint8_t *b;
	struct mcr_rule r;
	struct nl_msg *m;
	int rem, n = 0;

	sample_rule(&r);
	m = genl_msg(MCR_CMD_RULE_NEW, mcr_msg_rule_size(&r));
	CHECK(m);
	CHECK_INT(mcr_msg_put_rule(m, &r, true), 0);
	mcr_rule_free(&r);

	nla = top_attr(m, MCR_A_RULE_FAMILY);
	CHECK(nla && nla_len(nla) == 2 && nla_get_u16(nla) == AF_INET);
	nla = top_attr(m, MCR_A_RULE_GROUP);
	b = nla_data(nla);
	CHECK(nla_len(nla) == 4 && b[0] == 239 && b[1] == 1 && b[3] == 1);
	nla = top_attr(m, MCR_A_RULE_PORT);
	b = nla_data(nla);
	CHECK(nla_len(nla) == 2 && b[0] == 0x13 && b[1] == 0x88);
	nla = top_attr(m, MCR_A_RULE_SOURCE);
	b = nla_data(nla);
	CHECK(nla_len(nla) == 4 && b[0] == 10 && b[3] == 1);
	nla = top_attr(m, MCR_A_RULE_IIF);
	CHECK(nla && nla_len(nla) == 4 && nla_get_u32(nla) == 2);
	nla = top_attr(m, MCR_A_RULE_FLAGS);
	CHECK(nla && nla_len(nla) == 4 && nla_get_u32(nla) == 1);
	nla = top_attr(m, MCR_A_RULE_NAME);
	CHECK(nla && nla_len(nla) == 6 && !memcmp(nla_data(nla), "feedA", 6));
	nla = top_attr(m, MCR_A_RULE_REPLACE);
	CHECK(nla && nla_len(nla) == 0);

	nlmsg_for_each_attr(nla, nlmsg_hdr(m), GENL_HDRLEN, rem) {
		if (nla_type(nla) != MCR_A_RULE_OUTPUT)
			continue;
		n++;
		/* Strict genetlink validation rejects nests without it. */
		CHECK(nla->nla_type & NLA_F_NESTED);
		inner = nla_find(nla_data(nla), nla_len(nla),
				 MCR_A_OUTPUT_PORT);
		if (n == 1) {
			b = nla_data(inner);
			CHECK(nla_len(inner) == 2 && b[0] == 0x17 &&
			      b[1] == 0x70);
			inner = nla_find(nla_data(nla), nla_len(nla),
					 MCR_A_OUTPUT_TTL);
			CHECK(inner && nla_len(inner) == 1 &&
			      nla_get_u8(inner) == 5);
			inner = nla_find(nla_data(nla), nla_len(nla),
					 MCR_A_OUTPUT_SOURCE_AUTO);
			CHECK(inner && nla_len(inner) == 0);
		} else {
			/* Port 0 and no ttl: "keep", so not sent. */
			CHECK(!inner);
			CHECK(!nla_find(nla_data(nla), nla_len(nla),
					MCR_A_OUTPUT_TTL));
			CHECK(!nla_find(nla_data(nla), nla_len(nla),
					MCR_A_OUTPUT_GROUP));
		}
	}
	CHECK_INT(n, 2);
	nlmsg_free(m);
}

/* The key of rule-del: port always there (0 = any), no name/outputs. */
static void key_attributes(void)
{
	struct mcr_rule r;
	struct nl_msg *m;

	sample_rule(&r);
	r.port = 0;
	r.has_source = false;
	m = genl_msg(MCR_CMD_RULE_DEL, 256);
	CHECK(m);
	CHECK_INT(mcr_msg_put_key(m, &r), 0);
	mcr_rule_free(&r);
	CHECK(top_attr(m, MCR_A_RULE_FAMILY));
	CHECK(top_attr(m, MCR_A_RULE_IIF));
	CHECK(top_attr(m, MCR_A_RULE_GROUP));
	CHECK(top_attr(m, MCR_A_RULE_PORT) &&
	      nla_get_u16(top_attr(m, MCR_A_RULE_PORT)) == 0);
	CHECK(!top_attr(m, MCR_A_RULE_SOURCE));
	CHECK(!top_attr(m, MCR_A_RULE_NAME));
	CHECK(!top_attr(m, MCR_A_RULE_OUTPUT));
	CHECK(!top_attr(m, MCR_A_RULE_FLAGS));
	nlmsg_free(m);
}

/* 1024 outputs with every field: the computed size must be enough. */
static void size_for_1024_outputs(void)
{
	struct mcr_rule r, back;
	struct mcr_output *o;
	struct nl_msg *m;
	unsigned int i;
	int err;

	mcr_rule_init(&r);
	strcpy(r.name, "abcdefghijklmnopqrstuvwxyz01234");
	r.iif = 2;
	r.has_group = r.has_source = true;
	for (i = 0; i < 1024; i++) {
		o = mcr_rule_add_output(&r);
		CHECK(o);
		o->ifindex = 1000 + i;
		o->has_group = o->has_source = o->source_auto = true;
		o->group = htonl(0xef000000 + i);
		o->port = 1;
		o->ttl = 1;
	}
	m = genl_msg(MCR_CMD_RULE_NEW, mcr_msg_rule_size(&r));
	CHECK(m);
	CHECK_INT(mcr_msg_put_rule(m, &r, true), 0);
	CHECK(nlmsg_hdr(m)->nlmsg_len <= mcr_msg_rule_size(&r));
	mcr_rule_init(&back);
	err = mcr_msg_parse_rule(nlmsg_hdr(m), &back);
	nlmsg_free(m);
	CHECK_INT(err, 0);
	CHECK_INT(back.n_outputs, 1024);
	CHECK(back.outputs[1023].group == htonl(0xef000000 + 1023));
	CHECK_INT(back.outputs[1023].ifindex, 2023);
	mcr_rule_free(&back);
	mcr_rule_free(&r);
}

/* u64 counters as the kernel sends them: nla_put_64bit with pads. */
static int put_counter(struct nl_msg *m, int pad, int type, uint64_t v)
{
	int err = nla_put(m, pad, 0, NULL);

	return err ? err : nla_put_u64(m, type, v);
}

static void decode_rule_reply_with_stats(void)
{
	struct nlattr *out, *stats;
	struct mcr_rule r;
	struct nl_msg *m;
	int err;

	m = genl_msg(MCR_CMD_RULE_GET, 4096);
	CHECK(m);
	nla_put_u32(m, MCR_A_RULE_ID, 9);
	nla_put_string(m, MCR_A_RULE_NAME, "x");
	nla_put_u16(m, MCR_A_RULE_FAMILY, AF_INET);
	nla_put_u32(m, MCR_A_RULE_IIF, 2);
	nla_put_u32(m, MCR_A_RULE_GROUP, inet_addr("239.1.1.1"));
	nla_put_u16(m, MCR_A_RULE_PORT, htons(5000));
	nla_put_u32(m, MCR_A_RULE_FLAGS, MCR_RULE_FLAGS_NOJOIN);
	stats = nla_nest_start(m, MCR_A_RULE_STATS);
	put_counter(m, MCR_A_RULE_STATS_PAD, MCR_A_RULE_STATS_PACKETS,
		    1ULL << 40);
	put_counter(m, MCR_A_RULE_STATS_PAD, MCR_A_RULE_STATS_BYTES,
		    UINT64_MAX);
	nla_nest_end(m, stats);
	out = nla_nest_start(m, MCR_A_RULE_OUTPUT);
	nla_put_u32(m, MCR_A_OUTPUT_IFINDEX, 3);
	nla_put_u8(m, MCR_A_OUTPUT_TTL, 9);
	nla_nest_end(m, out);
	/* Each output's counters follow it, as the kernel sends them. */
	stats = nla_nest_start(m, MCR_A_RULE_OUTPUT_STATS);
	put_counter(m, MCR_A_OUTPUT_STATS_PAD, MCR_A_OUTPUT_STATS_PACKETS, 5);
	put_counter(m, MCR_A_OUTPUT_STATS_PAD, MCR_A_OUTPUT_STATS_BYTES, 6);
	put_counter(m, MCR_A_OUTPUT_STATS_PAD, MCR_A_OUTPUT_STATS_DROP_XMIT,
		    7);
	put_counter(m, MCR_A_OUTPUT_STATS_PAD,
		    MCR_A_OUTPUT_STATS_DROP_TOO_BIG, 8);
	put_counter(m, MCR_A_OUTPUT_STATS_PAD, MCR_A_OUTPUT_STATS_DROP_TTL,
		    9);
	put_counter(m, MCR_A_OUTPUT_STATS_PAD,
		    MCR_A_OUTPUT_STATS_DROP_NOMEM, 10);
	nla_nest_end(m, stats);
	out = nla_nest_start(m, MCR_A_RULE_OUTPUT);
	nla_put_u32(m, MCR_A_OUTPUT_IFINDEX, 4);
	nla_nest_end(m, out);
	stats = nla_nest_start(m, MCR_A_RULE_OUTPUT_STATS);
	put_counter(m, MCR_A_OUTPUT_STATS_PAD, MCR_A_OUTPUT_STATS_PACKETS, 11);
	nla_nest_end(m, stats);
	/* An attribute from a newer kernel is ignored. */
	nla_put_u32(m, MCR_A_RULE_MAX + 5, 1);

	mcr_rule_init(&r);
	err = mcr_msg_parse_rule(nlmsg_hdr(m), &r);
	nlmsg_free(m);
	CHECK_INT(err, 0);
	CHECK_INT(r.id, 9);
	CHECK_STR(r.name, "x");
	CHECK_INT(r.port, 5000);
	CHECK(!r.has_source);
	CHECK_INT(r.flags, MCR_RULE_FLAGS_NOJOIN);
	CHECK(r.has_stats);
	CHECK(r.stats.packets == 1ULL << 40);
	CHECK(r.stats.bytes == UINT64_MAX);
	CHECK_INT(r.n_outputs, 2);
	CHECK(r.outputs[0].has_stats);
	CHECK_INT(r.outputs[0].ifindex, 3);
	CHECK_INT(r.outputs[0].ttl, 9);
	CHECK_INT(r.outputs[0].stats.packets, 5);
	CHECK_INT(r.outputs[0].stats.bytes, 6);
	CHECK_INT(r.outputs[0].stats.drop_xmit, 7);
	CHECK_INT(r.outputs[0].stats.drop_too_big, 8);
	CHECK_INT(r.outputs[0].stats.drop_ttl, 9);
	CHECK_INT(r.outputs[0].stats.drop_nomem, 10);
	CHECK(r.outputs[1].has_stats);
	CHECK_INT(r.outputs[1].ifindex, 4);
	CHECK_INT(r.outputs[1].stats.packets, 11);
	CHECK_INT(r.outputs[1].stats.drop_nomem, 0);
	mcr_rule_free(&r);
}

/*
 * A rule message with @n_out outputs (ifindex 3, 4 ...), then @n_stats
 * output-stats (packets 50, 51 ...), not interleaved.
 */
static struct nl_msg *rule_with_counters(int n_out, int n_stats)
{
	struct nl_msg *m = genl_msg(MCR_CMD_RULE_GET, 1024);
	struct nlattr *nest;
	int i;

	nla_put_u32(m, MCR_A_RULE_ID, 9);
	for (i = 0; i < n_out; i++) {
		nest = nla_nest_start(m, MCR_A_RULE_OUTPUT);
		nla_put_u32(m, MCR_A_OUTPUT_IFINDEX, 3 + i);
		nla_nest_end(m, nest);
	}
	for (i = 0; i < n_stats; i++) {
		nest = nla_nest_start(m, MCR_A_RULE_OUTPUT_STATS);
		nla_put_u64(m, MCR_A_OUTPUT_STATS_PACKETS, 50 + i);
		nla_nest_end(m, nest);
	}
	return m;
}

/*
 * Counters pair with outputs by order in the message, wherever they sit;
 * none (a notification) leaves the outputs without; another count than
 * one per output is malformed.
 */
static void decode_rule_output_counters(void)
{
	static const int counts[][3] = {	/* outputs, counters, error */
		{ 3, 3, 0 }, { 2, 0, 0 }, { 2, 1, 1 }, { 1, 2, 1 }, { 0, 1, 1 },
	};
	struct mcr_rule r;
	struct nl_msg *m;
	size_t i;
	int err;

	for (i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
		m = rule_with_counters(counts[i][0], counts[i][1]);
		CHECK(m);
		mcr_rule_init(&r);
		err = mcr_msg_parse_rule(nlmsg_hdr(m), &r);
		nlmsg_free(m);
		if (counts[i][2]) {
			CHECK_INT(err, -NLE_INVAL);
			mcr_rule_free(&r);
			continue;
		}
		CHECK_INT(err, 0);
		CHECK_INT(r.n_outputs, counts[i][0]);
		for (int j = 0; j < counts[i][0]; j++) {
			CHECK_INT(r.outputs[j].ifindex, 3 + j);
			CHECK(r.outputs[j].has_stats == !!counts[i][1]);
			CHECK_INT(r.outputs[j].stats.packets,
				  counts[i][1] ? 50 + j : 0);
		}
		mcr_rule_free(&r);
	}
}

static void decode_malformed_rule(void)
{
	struct mcr_rule r;
	struct nl_msg *m;
	char name[40];
	int err;

	/* A u32 attribute of 2 bytes is rejected, not read past. */
	m = genl_msg(MCR_CMD_RULE_GET, 256);
	CHECK(m);
	nla_put_u16(m, MCR_A_RULE_IIF, 2);
	mcr_rule_init(&r);
	err = mcr_msg_parse_rule(nlmsg_hdr(m), &r);
	nlmsg_free(m);
	CHECK(err < 0);
	mcr_rule_free(&r);

	/* A name without NUL, too long: cut to fit. */
	memset(name, 'n', sizeof(name));
	m = genl_msg(MCR_CMD_RULE_GET, 256);
	CHECK(m);
	nla_put(m, MCR_A_RULE_NAME, sizeof(name), name);
	mcr_rule_init(&r);
	err = mcr_msg_parse_rule(nlmsg_hdr(m), &r);
	nlmsg_free(m);
	CHECK_INT(err, 0);
	CHECK_INT(strlen(r.name), MCR_NAME_LEN - 1);
	mcr_rule_free(&r);

	/* Another address family: reported, so that it can be skipped. */
	m = genl_msg(MCR_CMD_RULE_GET, 256);
	CHECK(m);
	nla_put_u16(m, MCR_A_RULE_FAMILY, AF_BRIDGE);
	mcr_rule_init(&r);
	err = mcr_msg_parse_rule(nlmsg_hdr(m), &r);
	nlmsg_free(m);
	CHECK_INT(err, -NLE_AF_NOSUPPORT);
	mcr_rule_free(&r);
}

static void decode_stats_replies(void)
{
	struct mcr_stats_reply st;
	struct nlattr *nest, *out;
	struct nl_msg *m;
	int err;

	m = genl_msg(MCR_CMD_STATS_GET, 1024);
	CHECK(m);
	nest = nla_nest_start(m, MCR_A_STATS_NETNS);
	put_counter(m, MCR_A_NETNS_STATS_PAD, MCR_A_NETNS_STATS_NO_MATCH, 12);
	put_counter(m, MCR_A_NETNS_STATS_PAD, MCR_A_NETNS_STATS_NOT_UDP, 3);
	put_counter(m, MCR_A_NETNS_STATS_PAD, MCR_A_NETNS_STATS_FRAGMENTS, 4);
	put_counter(m, MCR_A_NETNS_STATS_PAD, MCR_A_NETNS_STATS_NOT_ROUTABLE,
		    5);
	put_counter(m, MCR_A_NETNS_STATS_PAD,
		    MCR_A_NETNS_STATS_OUTPUTS_REMOVED, 1);
	nla_put_u32(m, MCR_A_NETNS_STATS_RULES, 2);
	nla_put_u32(m, MCR_A_NETNS_STATS_OUTPUTS, 3);
	nla_put_u32(m, MCR_A_NETNS_STATS_MAX_RULES, 1024);
	nla_put_u32(m, MCR_A_NETNS_STATS_MAX_OUTPUTS, 64);
	nla_nest_end(m, nest);
	mcr_stats_reply_init(&st);
	err = mcr_msg_parse_stats(nlmsg_hdr(m), &st);
	nlmsg_free(m);
	CHECK_INT(err, 0);
	CHECK(st.has_netns && !st.has_rule);
	CHECK_INT(st.netns.no_match, 12);
	CHECK_INT(st.netns.not_udp, 3);
	CHECK_INT(st.netns.fragments, 4);
	CHECK_INT(st.netns.not_routable, 5);
	CHECK_INT(st.netns.outputs_removed, 1);
	CHECK_INT(st.netns.rules, 2);
	CHECK_INT(st.netns.outputs, 3);
	CHECK_INT(st.netns.max_rules, 1024);
	CHECK_INT(st.netns.max_outputs, 64);

	m = genl_msg(MCR_CMD_STATS_GET, 1024);
	CHECK(m);
	nla_put_u32(m, MCR_A_STATS_RULE_ID, 5);
	nla_put_string(m, MCR_A_STATS_RULE_NAME, "feedA");
	nest = nla_nest_start(m, MCR_A_STATS_RULE);
	put_counter(m, MCR_A_RULE_STATS_PAD, MCR_A_RULE_STATS_PACKETS, 100);
	put_counter(m, MCR_A_RULE_STATS_PAD, MCR_A_RULE_STATS_BYTES, 1000);
	nla_nest_end(m, nest);
	for (int i = 0; i < 2; i++) {
		out = nla_nest_start(m, MCR_A_STATS_OUTPUT);
		nla_put_u32(m, MCR_A_STATS_OUTPUT_IFINDEX, 3 + i);
		nest = nla_nest_start(m, MCR_A_STATS_OUTPUT_STATS);
		put_counter(m, MCR_A_OUTPUT_STATS_PAD,
			    MCR_A_OUTPUT_STATS_PACKETS, 50 + i);
		nla_nest_end(m, nest);
		nla_nest_end(m, out);
	}
	err = mcr_msg_parse_stats(nlmsg_hdr(m), &st);
	nlmsg_free(m);
	CHECK_INT(err, 0);
	CHECK(!st.has_netns && st.has_rule);
	CHECK_INT(st.rule.id, 5);
	CHECK_STR(st.rule.name, "feedA");
	CHECK(st.rule.has_stats);
	CHECK_INT(st.rule.stats.packets, 100);
	CHECK_INT(st.rule.stats.bytes, 1000);
	CHECK_INT(st.rule.n_outputs, 2);
	CHECK_INT(st.rule.outputs[1].ifindex, 4);
	CHECK_INT(st.rule.outputs[1].stats.packets, 51);
	CHECK_INT(st.rule.outputs[1].stats.drop_nomem, 0);
	mcr_stats_reply_free(&st);
}

/*
 * An output-del notification: the outputs that remain as output, those
 * that left as removed-output; the rule decodes as it did, and the
 * removed ones apart.  A notification without any (an older module)
 * names none.
 */
static void decode_removed_outputs(void)
{
	struct mcr_rule r, removed;
	struct nlattr *nest;
	struct nl_msg *m;
	int i;

	m = genl_msg(MCR_CMD_OUTPUT_DEL_NTF, 1024);
	CHECK(m);
	nla_put_u32(m, MCR_A_RULE_ID, 7);
	nla_put_u16(m, MCR_A_RULE_FAMILY, AF_INET);
	nla_put_u32(m, MCR_A_RULE_IIF, 2);
	nla_put_u32(m, MCR_A_RULE_GROUP, inet_addr("239.1.1.1"));
	nest = nla_nest_start(m, MCR_A_RULE_OUTPUT);
	nla_put_u32(m, MCR_A_OUTPUT_IFINDEX, 3);
	nla_nest_end(m, nest);
	for (i = 0; i < 2; i++) {
		nest = nla_nest_start(m, MCR_A_RULE_REMOVED_OUTPUT);
		nla_put_u32(m, MCR_A_OUTPUT_IFINDEX, 4);
		nla_put_u16(m, MCR_A_OUTPUT_PORT, htons(6000 + i));
		nla_nest_end(m, nest);
	}
	mcr_rule_init(&r);
	mcr_rule_init(&removed);
	CHECK_INT(mcr_msg_parse_rule(nlmsg_hdr(m), &r), 0);
	CHECK_INT(r.n_outputs, 1);
	CHECK_INT(r.outputs[0].ifindex, 3);
	CHECK_INT(mcr_msg_parse_removed(nlmsg_hdr(m), &removed), 2);
	nlmsg_free(m);
	CHECK_INT(removed.outputs[0].ifindex, 4);
	CHECK_INT(removed.outputs[0].port, 6000);
	CHECK_INT(removed.outputs[1].port, 6001);
	mcr_rule_free(&r);

	m = genl_msg(MCR_CMD_OUTPUT_DEL_NTF, 256);
	CHECK(m);
	nla_put_u32(m, MCR_A_RULE_ID, 7);
	CHECK_INT(mcr_msg_parse_removed(nlmsg_hdr(m), &removed), 0);
	nlmsg_free(m);
	mcr_rule_free(&removed);
}

/*
 * An NLMSG_ERROR as the kernel builds it: nlmsgerr, the request's payload
 * unless capped, then the TLVs.
 */
struct ack_spec {
	int error;
	bool capped;
	const char *text;
	int offs;		/* -1: none */
	int miss_type;		/* -1: none */
	int miss_nest;		/* -1: none */
};

static struct nl_msg *build_ack(const struct nlmsghdr *req,
				const struct ack_spec *a)
{
	struct nl_msg *m = nlmsg_alloc_size(req->nlmsg_len + 4096);
	struct nlmsghdr *hdr;
	struct nlmsgerr *e;
	int flags = 0;

	if (!m)
		return NULL;
	if (a->capped)
		flags |= NLM_F_CAPPED;
	if (a->text || a->offs >= 0 || a->miss_type >= 0)
		flags |= NLM_F_ACK_TLVS;
	hdr = nlmsg_put(m, 0, req->nlmsg_seq, NLMSG_ERROR, sizeof(*e), flags);
	e = nlmsg_data(hdr);
	e->error = a->error;
	e->msg = *req;
	if (!a->capped)
		nlmsg_append(m, (void *)NLMSG_DATA(req),
			     req->nlmsg_len - NLMSG_HDRLEN, NLMSG_ALIGNTO);
	if (a->text)
		nla_put_string(m, NLMSGERR_ATTR_MSG, a->text);
	if (a->offs >= 0)
		nla_put_u32(m, NLMSGERR_ATTR_OFFS, (uint32_t)a->offs);
	if (a->miss_type >= 0)
		nla_put_u32(m, NLMSGERR_ATTR_MISS_TYPE, (uint32_t)a->miss_type);
	if (a->miss_nest >= 0)
		nla_put_u32(m, NLMSGERR_ATTR_MISS_NEST, (uint32_t)a->miss_nest);
	return m;
}

/* A rule-new request with two outputs, for acks to point into. */
static struct nl_msg *sample_request(void)
{
	struct nl_msg *m;
	struct mcr_rule r;

	sample_rule(&r);
	m = genl_msg(MCR_CMD_RULE_NEW, mcr_msg_rule_size(&r));
	if (m && mcr_msg_put_rule(m, &r, false)) {
		nlmsg_free(m);
		m = NULL;
	}
	mcr_rule_free(&r);
	return m;
}

/* Offset from the request's header of attribute @type (in oif @oif). */
static int offset_of(struct nl_msg *req, int oif, int type)
{
	struct nlmsghdr *nlh = nlmsg_hdr(req);
	struct nlattr *nla, *inner;
	int rem, irem, n = 0;

	nlmsg_for_each_attr(nla, nlh, GENL_HDRLEN, rem) {
		if (!oif && nla_type(nla) == type)
			return (int)((char *)nla - (char *)nlh);
		if (nla_type(nla) != MCR_A_RULE_OUTPUT || ++n != oif)
			continue;
		if (!type)
			return (int)((char *)nla - (char *)nlh);
		nla_for_each_nested(inner, nla, irem)
			if (nla_type(inner) == type)
				return (int)((char *)inner - (char *)nlh);
	}
	return -1;
}

static int format_ack(struct nl_msg *req, const struct ack_spec *a,
		      char *buf, size_t len)
{
	struct nl_msg *ackm = build_ack(nlmsg_hdr(req), a);
	struct mcr_ack ack;
	int err;

	if (!ackm)
		return -1;
	err = mcr_msg_parse_ack(nlmsg_hdr(ackm), &ack);
	nlmsg_free(ackm);
	if (!err)
		mcr_ack_format(&ack, nlmsg_hdr(req), buf, len);
	return err;
}

static void ack_capped_with_message(void)
{
	struct ack_spec a = {
		.error = -EEXIST, .capped = true,
		.text = "rule with this match key exists (use \"rule replace\")",
		.offs = -1, .miss_type = -1, .miss_nest = -1,
	};
	struct nl_msg *req = sample_request();
	char buf[512];
	int err;

	CHECK(req);
	err = format_ack(req, &a, buf, sizeof(buf));
	nlmsg_free(req);
	CHECK_INT(err, 0);
	CHECK_STR(buf, "File exists: rule with this match key exists (use "
		  "\"rule replace\")");
}

static void ack_uncapped_with_offset(void)
{
	struct ack_spec a = {
		.error = -ERANGE, .capped = false,
		.text = "integer out of range",
		.miss_type = -1, .miss_nest = -1,
	};
	struct nl_msg *req = sample_request();
	char buf[512];
	int err;

	CHECK(req);
	a.offs = offset_of(req, 1, MCR_A_OUTPUT_TTL);
	CHECK(a.offs > 0);
	err = format_ack(req, &a, buf, sizeof(buf));
	CHECK_INT(err, 0);
	CHECK_STR(buf, "Numerical result out of range: integer out of range "
		  "(oif #1, attribute \"ttl\")");

	a.offs = offset_of(req, 0, MCR_A_RULE_PORT);
	err = format_ack(req, &a, buf, sizeof(buf));
	CHECK_INT(err, 0);
	CHECK_STR(buf, "Numerical result out of range: integer out of range "
		  "(attribute \"port\")");

	/* The kernel's own messages name top-level attributes already. */
	a.text = "port: reserved";
	err = format_ack(req, &a, buf, sizeof(buf));
	CHECK_INT(err, 0);
	CHECK_STR(buf, "Numerical result out of range: port: reserved");

	a.text = NULL;
	a.offs = offset_of(req, 2, 0);
	err = format_ack(req, &a, buf, sizeof(buf));
	CHECK_INT(err, 0);
	CHECK_STR(buf, "Numerical result out of range: oif #2");

	a.offs = 3;	/* inside a header: no attribute there */
	err = format_ack(req, &a, buf, sizeof(buf));
	nlmsg_free(req);
	CHECK_INT(err, 0);
	CHECK_STR(buf, "Numerical result out of range: attribute at offset 3");
}

/* The new requests: dumps filtered by input device, stats-reset. */
static void dump_filters_and_stats_reset(void)
{
	struct ack_spec a = {
		.error = -ENODEV, .capped = false, .text = "no such device",
		.miss_type = -1, .miss_nest = -1,
	};
	struct nl_msg *req;
	struct nlattr *tb[MCR_A_STATS_MAX + 1];
	char buf[512];
	int err;

	req = genl_msg(MCR_CMD_RULE_GET, 64);
	CHECK(req);
	CHECK_INT(mcr_msg_put_dump_iif(req, 0), 0);
	CHECK_INT(genlmsg_attrlen(nlmsg_data(nlmsg_hdr(req)), 0), 0);
	CHECK_INT(mcr_msg_put_dump_iif(req, 5), 0);
	err = genlmsg_parse(nlmsg_hdr(req), 0, tb, MCR_A_RULE_MAX, NULL);
	CHECK_INT(err, 0);
	CHECK(tb[MCR_A_RULE_IIF] && nla_get_u32(tb[MCR_A_RULE_IIF]) == 5);
	a.offs = offset_of(req, 0, MCR_A_RULE_IIF);
	err = format_ack(req, &a, buf, sizeof(buf));
	nlmsg_free(req);
	CHECK_INT(err, 0);
	CHECK_STR(buf, "No such device: no such device (attribute \"iif\")");

	req = genl_msg(MCR_CMD_STATS_GET, 64);
	CHECK(req);
	CHECK_INT(mcr_msg_put_dump_iif(req, 7), 0);
	err = genlmsg_parse(nlmsg_hdr(req), 0, tb, MCR_A_STATS_MAX, NULL);
	CHECK_INT(err, 0);
	CHECK(tb[MCR_A_STATS_IIF] && nla_get_u32(tb[MCR_A_STATS_IIF]) == 7);
	a.offs = offset_of(req, 0, MCR_A_STATS_IIF);
	err = format_ack(req, &a, buf, sizeof(buf));
	nlmsg_free(req);
	CHECK_INT(err, 0);
	CHECK_STR(buf, "No such device: no such device (attribute \"iif\")");

	/* stats-reset uses the stats attribute set. */
	req = genl_msg(MCR_CMD_STATS_RESET, 64);
	CHECK(req);
	nla_put_u32(req, MCR_A_STATS_RULE_ID, 9);
	a.error = -ENOENT;
	a.text = "no such rule";
	a.offs = offset_of(req, 0, MCR_A_STATS_RULE_ID);
	err = format_ack(req, &a, buf, sizeof(buf));
	nlmsg_free(req);
	CHECK_INT(err, 0);
	CHECK_STR(buf, "No such file or directory: no such rule (attribute "
		  "\"rule-id\")");
}

static void ack_missing_attribute(void)
{
	struct ack_spec a = {
		.error = -EINVAL, .capped = true, .offs = -1,
		.miss_type = MCR_A_RULE_GROUP, .miss_nest = -1,
	};
	struct nl_msg *req = sample_request();
	char buf[512];
	int err;

	CHECK(req);
	err = format_ack(req, &a, buf, sizeof(buf));
	CHECK_INT(err, 0);
	CHECK_STR(buf, "Invalid argument: missing attribute \"group\"");

	a.text = "missing attribute: group";
	err = format_ack(req, &a, buf, sizeof(buf));
	CHECK_INT(err, 0);
	CHECK_STR(buf, "Invalid argument: missing attribute: group");

	a.miss_type = MCR_A_OUTPUT_IFINDEX;
	a.miss_nest = offset_of(req, 2, 0);
	a.text = NULL;
	err = format_ack(req, &a, buf, sizeof(buf));
	CHECK_INT(err, 0);
	CHECK_STR(buf, "Invalid argument: missing attribute \"ifindex\" in "
		  "oif #2");

	a.text = "output: missing attribute: ifindex";
	err = format_ack(req, &a, buf, sizeof(buf));
	nlmsg_free(req);
	CHECK_INT(err, 0);
	CHECK_STR(buf, "Invalid argument: output: missing attribute: ifindex "
		  "(in oif #2)");
}

static void ack_plain_and_success(void)
{
	struct ack_spec a = {
		.error = -ENOENT, .offs = -1, .miss_type = -1, .miss_nest = -1,
	};
	struct nl_msg *req = sample_request(), *ackm;
	struct mcr_ack ack;
	char buf[512];
	int err;

	CHECK(req);
	err = format_ack(req, &a, buf, sizeof(buf));
	CHECK_INT(err, 0);
	CHECK_STR(buf, "No such file or directory");

	/* Success with a warning. */
	a.error = 0;
	a.capped = true;
	a.text = "ttl ignored";
	ackm = build_ack(nlmsg_hdr(req), &a);
	nlmsg_free(req);
	CHECK(ackm);
	err = mcr_msg_parse_ack(nlmsg_hdr(ackm), &ack);
	nlmsg_free(ackm);
	CHECK_INT(err, 0);
	CHECK_INT(ack.error, 0);
	CHECK_STR(ack.msg, "ttl ignored");
}

static void ack_malformed(void)
{
	struct {
		struct nlmsghdr h;
		struct nlmsgerr e;
		struct nlattr bad;
		char data[4];
	} buf;
	struct mcr_ack ack;

	memset(&buf, 0, sizeof(buf));
	buf.h.nlmsg_type = NLMSG_ERROR;
	buf.h.nlmsg_len = NLMSG_HDRLEN + 8;
	CHECK_INT(mcr_msg_parse_ack(&buf.h, &ack), -NLE_MSG_TRUNC);

	/* A TLV claiming more than there is: the error survives. */
	buf.h.nlmsg_len = sizeof(buf);
	buf.h.nlmsg_flags = NLM_F_CAPPED | NLM_F_ACK_TLVS;
	buf.e.error = -EPERM;
	buf.bad.nla_type = NLMSGERR_ATTR_MSG;
	buf.bad.nla_len = 200;
	CHECK_INT(mcr_msg_parse_ack(&buf.h, &ack), 0);
	CHECK_INT(ack.error, -EPERM);
	CHECK_STR(ack.msg, "");

	/* Not capped, but the embedded length overruns: no TLVs read. */
	buf.h.nlmsg_flags = NLM_F_ACK_TLVS;
	buf.e.msg.nlmsg_len = 10000;
	CHECK_INT(mcr_msg_parse_ack(&buf.h, &ack), 0);
	CHECK_INT(ack.error, -EPERM);
	buf.e.msg.nlmsg_len = 3;
	CHECK_INT(mcr_msg_parse_ack(&buf.h, &ack), 0);
	CHECK_INT(ack.error, -EPERM);
}

static void done_with_error(void)
{
	struct nl_msg *m = nlmsg_alloc();
	struct nlmsghdr *hdr;
	struct mcr_ack ack;
	int error = -EMSGSIZE;

	CHECK(m);
	hdr = nlmsg_put(m, 0, 1, NLMSG_DONE, sizeof(error),
			NLM_F_MULTI | NLM_F_ACK_TLVS);
	memcpy(nlmsg_data(hdr), &error, sizeof(error));
	nla_put_string(m, NLMSGERR_ATTR_MSG, "dump failed");
	CHECK_INT(mcr_msg_parse_done(nlmsg_hdr(m), &ack), 0);
	nlmsg_free(m);
	CHECK_INT(ack.error, -EMSGSIZE);
	CHECK_STR(ack.msg, "dump failed");

	/* An empty NLMSG_DONE (very old kernels) means success. */
	m = nlmsg_alloc();
	CHECK(m);
	nlmsg_put(m, 0, 1, NLMSG_DONE, 0, NLM_F_MULTI);
	CHECK_INT(mcr_msg_parse_done(nlmsg_hdr(m), &ack), 0);
	nlmsg_free(m);
	CHECK_INT(ack.error, 0);
}

/* A dump message carrying rule @id with outputs on @first..@last. */
static struct nl_msg *rule_part(uint32_t id, uint32_t first, uint32_t last)
{
	struct nl_msg *m = genl_msg(MCR_CMD_RULE_GET, 1024);
	struct nlattr *out;
	uint32_t i;

	nla_put_u32(m, MCR_A_RULE_ID, id);
	nla_put_u32(m, MCR_A_RULE_IIF, 2);
	nla_put_u32(m, MCR_A_RULE_GROUP, inet_addr("239.1.1.1"));
	for (i = first; i <= last; i++) {
		out = nla_nest_start(m, MCR_A_RULE_OUTPUT);
		nla_put_u32(m, MCR_A_OUTPUT_IFINDEX, i);
		nla_nest_end(m, out);
		out = nla_nest_start(m, MCR_A_RULE_OUTPUT_STATS);
		nla_put_u64(m, MCR_A_OUTPUT_STATS_PACKETS, 100 * i);
		nla_nest_end(m, out);
	}
	return m;
}

/* A rule split over two dump messages is put back together. */
static void split_rule_reassembled(void)
{
	struct nl_msg *m1 = rule_part(4, 10, 11), *m2 = rule_part(4, 12, 12);
	struct mcr_rule whole, part;
	int err1, err2, err3;

	CHECK(m1 && m2);
	mcr_rule_init(&whole);
	mcr_rule_init(&part);
	err1 = mcr_msg_parse_rule(nlmsg_hdr(m1), &whole);
	err2 = mcr_msg_parse_rule(nlmsg_hdr(m2), &part);
	nlmsg_free(m1);
	nlmsg_free(m2);
	err3 = mcr_rule_append_outputs(&whole, &part);
	mcr_rule_free(&part);
	CHECK_INT(err1, 0);
	CHECK_INT(err2, 0);
	CHECK_INT(err3, 0);
	CHECK_INT(whole.id, 4);
	CHECK_INT(whole.n_outputs, 3);
	CHECK_INT(whole.outputs[0].ifindex, 10);
	CHECK_INT(whole.outputs[2].ifindex, 12);
	/* Each part's counters stay with that part's outputs. */
	for (int j = 0; j < 3; j++) {
		CHECK(whole.outputs[j].has_stats);
		CHECK_INT(whole.outputs[j].stats.packets, 100 * (10 + j));
	}
	mcr_rule_free(&whole);
}

/* ---- IPv6 ------------------------------------------------------------ */

static struct in6_addr ip6(const char *s)
{
	struct in6_addr a;

	if (inet_pton(AF_INET6, s, &a) != 1)
		memset(&a, 0xee, sizeof(a));
	return a;
}

static bool is_ip6(const struct in6_addr *a, const char *s)
{
	struct in6_addr want = ip6(s);

	return IN6_ARE_ADDR_EQUAL(a, &want);
}

/* sample_rule(), its addresses IPv6. */
static void sample_rule_ipv6(struct mcr_rule *r)
{
	sample_rule(r);
	r->family = AF_INET6;
	r->group = r->source = 0;
	r->group6 = ip6("ff3e::1");
	r->source6 = ip6("2001:db8::1");
	r->outputs[0].group = 0;
	r->outputs[0].group6 = ip6("ff3e::2:2");
	r->outputs[1].source = 0;
	r->outputs[1].source6 = ip6("2001:db8:2::1");
}

/*
 * The attributes a request must hold, byte for byte: written here by
 * hand, not by libnl, in host byte order for the headers (as netlink
 * has them) and network order for addresses and ports.
 */
struct wire {
	uint8_t b[512];
	size_t n;
};

static size_t wire_attr(struct wire *w, uint16_t type, const void *data,
			uint16_t len)
{
	const uint16_t hdr[2] = { (uint16_t)(NLA_HDRLEN + len), type };
	size_t at = w->n;

	memcpy(w->b + at, hdr, sizeof(hdr));
	if (len)
		memcpy(w->b + at + NLA_HDRLEN, data, len);
	w->n += NLA_ALIGN(NLA_HDRLEN + len);	/* padding: zeros */
	return at;
}

static void wire_u32(struct wire *w, uint16_t type, uint32_t v)
{
	wire_attr(w, type, &v, sizeof(v));
}

/* A nest ends at the wire's end; returns where it starts. */
static size_t wire_nest(struct wire *w, uint16_t type)
{
	return wire_attr(w, type | NLA_F_NESTED, NULL, 0);
}

static void wire_nest_end(struct wire *w, size_t at)
{
	uint16_t len = (uint16_t)(w->n - at);

	memcpy(w->b + at, &len, sizeof(len));
}

static const uint8_t port_5000[] = { 0x13, 0x88 }, port_6000[] = { 0x17, 0x70 };

/* sample_rule() as rule-new with replace: the bytes of today's tool. */
static void expected_ipv4(struct wire *w)
{
	const uint16_t family = AF_INET;
	const uint8_t ttl = 5;
	size_t nest;

	memset(w, 0, sizeof(*w));
	wire_attr(w, MCR_A_RULE_FAMILY, &family, 2);
	wire_u32(w, MCR_A_RULE_IIF, 2);
	wire_attr(w, MCR_A_RULE_GROUP, (const uint8_t[]){ 239, 1, 1, 1 }, 4);
	wire_attr(w, MCR_A_RULE_PORT, port_5000, 2);
	wire_attr(w, MCR_A_RULE_SOURCE, (const uint8_t[]){ 10, 0, 0, 1 }, 4);
	wire_attr(w, MCR_A_RULE_NAME, "feedA", 6);
	wire_u32(w, MCR_A_RULE_FLAGS, MCR_RULE_FLAGS_CONSUME);
	wire_attr(w, MCR_A_RULE_REPLACE, NULL, 0);
	nest = wire_nest(w, MCR_A_RULE_OUTPUT);
	wire_u32(w, MCR_A_OUTPUT_IFINDEX, 3);
	wire_attr(w, MCR_A_OUTPUT_GROUP, (const uint8_t[]){ 239, 2, 2, 2 }, 4);
	wire_attr(w, MCR_A_OUTPUT_PORT, port_6000, 2);
	wire_attr(w, MCR_A_OUTPUT_TTL, &ttl, 1);
	wire_attr(w, MCR_A_OUTPUT_SOURCE_AUTO, NULL, 0);
	wire_nest_end(w, nest);
	nest = wire_nest(w, MCR_A_RULE_OUTPUT);
	wire_u32(w, MCR_A_OUTPUT_IFINDEX, 4);
	wire_attr(w, MCR_A_OUTPUT_SOURCE, (const uint8_t[]){ 192, 0, 2, 1 },
		  4);
	wire_nest_end(w, nest);
}

/* sample_rule_ipv6(): the same with the *-ipv6 attributes. */
static void expected_ipv6(struct wire *w)
{
	static const uint8_t group[16] = { 0xff, 0x3e, [15] = 1 };
	static const uint8_t source[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	static const uint8_t out_group[16] = { 0xff, 0x3e, [13] = 2, [15] = 2 };
	static const uint8_t out_source[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 2,
						[15] = 1 };
	const uint16_t family = AF_INET6;
	const uint8_t ttl = 5;
	size_t nest;

	memset(w, 0, sizeof(*w));
	wire_attr(w, MCR_A_RULE_FAMILY, &family, 2);
	wire_u32(w, MCR_A_RULE_IIF, 2);
	wire_attr(w, MCR_A_RULE_GROUP_IPV6, group, 16);
	wire_attr(w, MCR_A_RULE_PORT, port_5000, 2);
	wire_attr(w, MCR_A_RULE_SOURCE_IPV6, source, 16);
	wire_attr(w, MCR_A_RULE_NAME, "feedA", 6);
	wire_u32(w, MCR_A_RULE_FLAGS, MCR_RULE_FLAGS_CONSUME);
	wire_attr(w, MCR_A_RULE_REPLACE, NULL, 0);
	nest = wire_nest(w, MCR_A_RULE_OUTPUT);
	wire_u32(w, MCR_A_OUTPUT_IFINDEX, 3);
	wire_attr(w, MCR_A_OUTPUT_GROUP_IPV6, out_group, 16);
	wire_attr(w, MCR_A_OUTPUT_PORT, port_6000, 2);
	wire_attr(w, MCR_A_OUTPUT_TTL, &ttl, 1);
	wire_attr(w, MCR_A_OUTPUT_SOURCE_AUTO, NULL, 0);
	wire_nest_end(w, nest);
	nest = wire_nest(w, MCR_A_RULE_OUTPUT);
	wire_u32(w, MCR_A_OUTPUT_IFINDEX, 4);
	wire_attr(w, MCR_A_OUTPUT_SOURCE_IPV6, out_source, 16);
	wire_nest_end(w, nest);
}

/* The attributes of @m (after the genetlink header) are @w's bytes. */
static bool attrs_are(struct nl_msg *m, const struct wire *w)
{
	struct genlmsghdr *g = nlmsg_data(nlmsg_hdr(m));

	return genlmsg_attrlen(g, 0) == (int)w->n &&
	       !memcmp(genlmsg_attrdata(g, 0), w->b, w->n);
}

/* Both families' requests, byte for byte: IPv4 as before IPv6 came. */
static void wire_bytes_both_families(void)
{
	struct mcr_rule r;
	struct nl_msg *m;
	struct wire w;

	sample_rule(&r);
	m = genl_msg(MCR_CMD_RULE_NEW, mcr_msg_rule_size(&r));
	CHECK(m);
	CHECK_INT(mcr_msg_put_rule(m, &r, true), 0);
	mcr_rule_free(&r);
	expected_ipv4(&w);
	CHECK_INT(w.n, 124);
	CHECK(attrs_are(m, &w));
	nlmsg_free(m);

	sample_rule_ipv6(&r);
	m = genl_msg(MCR_CMD_RULE_NEW, mcr_msg_rule_size(&r));
	CHECK(m);
	CHECK_INT(mcr_msg_put_rule(m, &r, true), 0);
	mcr_rule_free(&r);
	expected_ipv6(&w);
	CHECK_INT(w.n, 172);
	CHECK(attrs_are(m, &w));
	nlmsg_free(m);
}

static void encode_decode_rule_ipv6(void)
{
	struct mcr_rule r, back;
	struct nl_msg *m;
	int err;

	sample_rule_ipv6(&r);
	m = genl_msg(MCR_CMD_RULE_NEW, mcr_msg_rule_size(&r));
	CHECK(m);
	CHECK_INT(mcr_msg_put_rule(m, &r, false), 0);
	mcr_rule_init(&back);
	err = mcr_msg_parse_rule(nlmsg_hdr(m), &back);
	nlmsg_free(m);
	mcr_rule_free(&r);
	CHECK_INT(err, 0);
	CHECK_INT(back.family, AF_INET6);
	CHECK(back.has_group && is_ip6(&back.group6, "ff3e::1"));
	CHECK(back.has_source && is_ip6(&back.source6, "2001:db8::1"));
	CHECK(!back.group && !back.source);
	CHECK_INT(back.port, 5000);
	CHECK_INT(back.n_outputs, 2);
	CHECK(back.outputs[0].has_group &&
	      is_ip6(&back.outputs[0].group6, "ff3e::2:2"));
	CHECK(back.outputs[0].source_auto && !back.outputs[0].has_source);
	CHECK(!back.outputs[1].has_group);
	CHECK(back.outputs[1].has_source &&
	      is_ip6(&back.outputs[1].source6, "2001:db8:2::1"));
	mcr_rule_free(&back);
}

/* rule-del by the key of an IPv6 rule. */
static void key_attributes_ipv6(void)
{
	struct mcr_rule r;
	struct nlattr *nla;
	struct nl_msg *m;

	sample_rule_ipv6(&r);
	r.port = 0;
	m = genl_msg(MCR_CMD_RULE_DEL, 256);
	CHECK(m);
	CHECK_INT(mcr_msg_put_key(m, &r), 0);
	mcr_rule_free(&r);
	nla = top_attr(m, MCR_A_RULE_FAMILY);
	CHECK(nla && nla_get_u16(nla) == AF_INET6);
	nla = top_attr(m, MCR_A_RULE_GROUP_IPV6);
	CHECK(nla && nla_len(nla) == 16 && is_ip6(nla_data(nla), "ff3e::1"));
	nla = top_attr(m, MCR_A_RULE_SOURCE_IPV6);
	CHECK(nla && nla_len(nla) == 16 &&
	      is_ip6(nla_data(nla), "2001:db8::1"));
	CHECK(top_attr(m, MCR_A_RULE_PORT));
	CHECK(!top_attr(m, MCR_A_RULE_GROUP));
	CHECK(!top_attr(m, MCR_A_RULE_SOURCE));
	CHECK(!top_attr(m, MCR_A_RULE_OUTPUT));
	nlmsg_free(m);
}

/* 1024 IPv6 outputs with every field: the computed size is enough. */
static void size_for_1024_outputs_ipv6(void)
{
	struct mcr_rule r;
	struct mcr_output *o;
	struct nl_msg *m;
	unsigned int i;

	mcr_rule_init(&r);
	strcpy(r.name, "abcdefghijklmnopqrstuvwxyz01234");
	r.family = AF_INET6;
	r.iif = 2;
	r.has_group = r.has_source = true;
	for (i = 0; i < 1024; i++) {
		o = mcr_rule_add_output(&r);
		CHECK(o);
		o->ifindex = 1000 + i;
		o->has_group = o->has_source = o->source_auto = true;
		o->port = 1;
		o->ttl = 1;
	}
	m = genl_msg(MCR_CMD_RULE_NEW, mcr_msg_rule_size(&r));
	CHECK(m);
	CHECK_INT(mcr_msg_put_rule(m, &r, true), 0);
	CHECK(nlmsg_hdr(m)->nlmsg_len <= mcr_msg_rule_size(&r));
	nlmsg_free(m);
	mcr_rule_free(&r);
}

/* A reply for an IPv6 rule, as the module sends it. */
static struct nl_msg *ipv6_rule_reply(void)
{
	struct in6_addr a;
	struct nlattr *nest;
	struct nl_msg *m;

	m = genl_msg(MCR_CMD_RULE_GET, 1024);
	if (!m)
		return NULL;
	nla_put_u32(m, MCR_A_RULE_ID, 12);
	nla_put_u16(m, MCR_A_RULE_FAMILY, AF_INET6);
	nla_put_u32(m, MCR_A_RULE_IIF, 2);
	a = ip6("ff3e::1");
	nla_put(m, MCR_A_RULE_GROUP_IPV6, 16, &a);
	nla_put_u16(m, MCR_A_RULE_PORT, htons(5000));
	a = ip6("2001:db8::1");
	nla_put(m, MCR_A_RULE_SOURCE_IPV6, 16, &a);
	nest = nla_nest_start(m, MCR_A_RULE_OUTPUT);
	nla_put_u32(m, MCR_A_OUTPUT_IFINDEX, 3);
	a = ip6("ff3e::2");
	nla_put(m, MCR_A_OUTPUT_GROUP_IPV6, 16, &a);
	nla_put_u8(m, MCR_A_OUTPUT_TTL, 4);
	nla_nest_end(m, nest);
	nest = nla_nest_start(m, MCR_A_RULE_OUTPUT_STATS);
	put_counter(m, MCR_A_OUTPUT_STATS_PAD, MCR_A_OUTPUT_STATS_PACKETS, 8);
	nla_nest_end(m, nest);
	return m;
}

static void decode_rule_reply_ipv6(void)
{
	struct mcr_rule r;
	struct nl_msg *m;
	int err;

	m = ipv6_rule_reply();
	CHECK(m);
	mcr_rule_init(&r);
	err = mcr_msg_parse_rule(nlmsg_hdr(m), &r);
	nlmsg_free(m);
	CHECK_INT(err, 0);
	CHECK_INT(r.id, 12);
	CHECK_INT(r.family, AF_INET6);
	CHECK(r.has_group && is_ip6(&r.group6, "ff3e::1"));
	CHECK(r.has_source && is_ip6(&r.source6, "2001:db8::1"));
	CHECK_INT(r.port, 5000);
	CHECK_INT(r.n_outputs, 1);
	CHECK(r.outputs[0].has_group &&
	      is_ip6(&r.outputs[0].group6, "ff3e::2"));
	CHECK(!r.outputs[0].has_source);
	CHECK_INT(r.outputs[0].ttl, 4);
	CHECK(r.outputs[0].has_stats);
	CHECK_INT(r.outputs[0].stats.packets, 8);
	mcr_rule_free(&r);

	/* Only the addresses of the rule's family are read. */
	m = genl_msg(MCR_CMD_RULE_GET, 256);
	CHECK(m);
	nla_put_u16(m, MCR_A_RULE_FAMILY, AF_INET6);
	nla_put_u32(m, MCR_A_RULE_GROUP, inet_addr("239.1.1.1"));
	mcr_rule_init(&r);
	err = mcr_msg_parse_rule(nlmsg_hdr(m), &r);
	nlmsg_free(m);
	CHECK_INT(err, 0);
	CHECK(!r.has_group && !r.group);
	mcr_rule_free(&r);
	m = genl_msg(MCR_CMD_RULE_GET, 256);
	CHECK(m);
	nla_put(m, MCR_A_RULE_GROUP_IPV6, 16, &in6addr_loopback);
	mcr_rule_init(&r);
	err = mcr_msg_parse_rule(nlmsg_hdr(m), &r);
	nlmsg_free(m);
	CHECK_INT(err, 0);
	/* No family: a module from before IPv6. */
	CHECK_INT(r.family, AF_INET);
	CHECK(!r.has_group);
	mcr_rule_free(&r);
}

/* An IPv6 address is 16 bytes, no fewer, no more. */
static void decode_ipv6_address_lengths(void)
{
	static const int lens[] = { 4, 15, 17 };
	struct nlattr *nest;
	struct mcr_rule r;
	struct nl_msg *m;
	uint8_t addr[17] = { 0xff, 0x3e };
	size_t i;
	int err;

	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		m = genl_msg(MCR_CMD_RULE_GET, 256);
		CHECK(m);
		nla_put_u16(m, MCR_A_RULE_FAMILY, AF_INET6);
		nla_put(m, MCR_A_RULE_GROUP_IPV6, lens[i], addr);
		mcr_rule_init(&r);
		err = mcr_msg_parse_rule(nlmsg_hdr(m), &r);
		nlmsg_free(m);
		mcr_rule_free(&r);
		CHECK(err < 0);

		m = genl_msg(MCR_CMD_RULE_GET, 256);
		CHECK(m);
		nla_put_u16(m, MCR_A_RULE_FAMILY, AF_INET6);
		nest = nla_nest_start(m, MCR_A_RULE_OUTPUT);
		nla_put_u32(m, MCR_A_OUTPUT_IFINDEX, 3);
		nla_put(m, MCR_A_OUTPUT_SOURCE_IPV6, lens[i], addr);
		nla_nest_end(m, nest);
		mcr_rule_init(&r);
		err = mcr_msg_parse_rule(nlmsg_hdr(m), &r);
		nlmsg_free(m);
		mcr_rule_free(&r);
		CHECK(err < 0);
	}
}

/* The outputs an output-del names are of the rule's family. */
static void decode_removed_outputs_ipv6(void)
{
	struct mcr_rule removed;
	struct in6_addr a = ip6("ff3e::9");
	struct nlattr *nest;
	struct nl_msg *m;

	m = genl_msg(MCR_CMD_OUTPUT_DEL_NTF, 1024);
	CHECK(m);
	nla_put_u32(m, MCR_A_RULE_ID, 7);
	nla_put_u16(m, MCR_A_RULE_FAMILY, AF_INET6);
	nest = nla_nest_start(m, MCR_A_RULE_REMOVED_OUTPUT);
	nla_put_u32(m, MCR_A_OUTPUT_IFINDEX, 9);
	nla_put(m, MCR_A_OUTPUT_GROUP_IPV6, 16, &a);
	nla_nest_end(m, nest);
	mcr_rule_init(&removed);
	CHECK_INT(mcr_msg_parse_removed(nlmsg_hdr(m), &removed), 1);
	nlmsg_free(m);
	CHECK_INT(removed.family, AF_INET6);
	CHECK_INT(removed.outputs[0].ifindex, 9);
	CHECK(removed.outputs[0].has_group &&
	      is_ip6(&removed.outputs[0].group6, "ff3e::9"));
	mcr_rule_free(&removed);
}

/* An ack pointing at an IPv6 attribute names it. */
static void ack_names_ipv6_attributes(void)
{
	struct ack_spec a = {
		.error = -EINVAL, .capped = false, .text = NULL,
		.miss_type = -1, .miss_nest = -1,
	};
	struct mcr_rule r;
	struct nl_msg *req;
	char buf[512];

	sample_rule_ipv6(&r);
	req = genl_msg(MCR_CMD_RULE_NEW, mcr_msg_rule_size(&r));
	CHECK(req);
	CHECK_INT(mcr_msg_put_rule(req, &r, false), 0);
	mcr_rule_free(&r);
	a.offs = offset_of(req, 0, MCR_A_RULE_GROUP_IPV6);
	CHECK_INT(format_ack(req, &a, buf, sizeof(buf)), 0);
	CHECK_STR(buf, "Invalid argument: attribute \"group-ipv6\"");
	a.offs = offset_of(req, 2, MCR_A_OUTPUT_SOURCE_IPV6);
	a.text = "output: source: not a unicast address";
	CHECK_INT(format_ack(req, &a, buf, sizeof(buf)), 0);
	CHECK_STR(buf, "Invalid argument: output: source: not a unicast "
		  "address (oif #2, attribute \"source-ipv6\")");
	a.text = NULL;
	a.offs = offset_of(req, 1, MCR_A_OUTPUT_GROUP_IPV6);
	CHECK_INT(format_ack(req, &a, buf, sizeof(buf)), 0);
	CHECK_STR(buf, "Invalid argument: oif #1, attribute \"group-ipv6\"");
	nlmsg_free(req);
}

const struct test_case msg_tests[] = {
	TEST(encode_decode_rule),
	TEST(wire_format),
	TEST(key_attributes),
	TEST(size_for_1024_outputs),
	TEST(decode_rule_reply_with_stats),
	TEST(decode_rule_output_counters),
	TEST(decode_malformed_rule),
	TEST(decode_stats_replies),
	TEST(decode_removed_outputs),
	TEST(split_rule_reassembled),
	TEST(ack_capped_with_message),
	TEST(ack_uncapped_with_offset),
	TEST(ack_missing_attribute),
	TEST(dump_filters_and_stats_reset),
	TEST(ack_plain_and_success),
	TEST(ack_malformed),
	TEST(done_with_error),
	TEST(wire_bytes_both_families),
	TEST(encode_decode_rule_ipv6),
	TEST(key_attributes_ipv6),
	TEST(size_for_1024_outputs_ipv6),
	TEST(decode_rule_reply_ipv6),
	TEST(decode_ipv6_address_lengths),
	TEST(decode_removed_outputs_ipv6),
	TEST(ack_names_ipv6_attributes),
	TEST_END
};
