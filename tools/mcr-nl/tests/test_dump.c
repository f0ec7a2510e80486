// SPDX-License-Identifier: GPL-2.0
/*
 * Tests of dump.c against the fake kernel: rules split over several dump
 * messages come out whole, a failed dump drops its last (maybe partial)
 * rule, and one reading of the counters takes the right requests.
 */
#include <errno.h>
#include <stdlib.h>

#include <netlink/attr.h>
#include <netlink/genl/genl.h>

#include "dump.h"
#include "fake_kernel.h"
#include "harness.h"

/* ---- what the code under test emitted -------------------------------- */

static struct mcr_rule_list emitted;

static void emit(const struct mcr_rule *rule, void *arg)
{
	(void)arg;
	if (mcr_rule_list_add(&emitted, rule))
		abort();
}

/* A part of rule @id: outputs on devices @first .. @first + @n - 1. */
static void part(struct mcr_rule *r, uint32_t id, uint32_t first,
		 unsigned int n)
{
	mcr_rule_init(r);
	r->id = id;
	r->iif = 2;
	while (n--)
		mcr_rule_add_output(r)->ifindex = first++;
}

/* The devices of rule @i's outputs, as "3,4,5". */
static const char *emitted_oifs(size_t i, char *buf, size_t len)
{
	const struct mcr_rule *r = &emitted.rules[i];
	size_t j, n = 0;

	buf[0] = '\0';
	for (j = 0; j < r->n_outputs && n < len; j++)
		n += (size_t)snprintf(buf + n, len - n, "%s%u", j ? "," : "",
				      r->outputs[j].ifindex);
	return buf;
}

/* ---- gathering ------------------------------------------------------- */

static void gather_joins_parts_of_a_rule(void)
{
	struct mcr_gather g;
	struct mcr_rule r;
	char buf[64];

	mcr_rule_list_init(&emitted);
	mcr_gather_init(&g, emit, NULL);
	part(&r, 1, 3, 2);
	CHECK_INT(mcr_gather_add(&g, &r), 0);
	CHECK_INT(r.n_outputs, 0);	/* taken over */
	part(&r, 1, 5, 1);
	CHECK_INT(mcr_gather_add(&g, &r), 0);
	/* Not emitted yet: another part may follow. */
	CHECK_INT(emitted.n, 0);
	part(&r, 2, 7, 1);
	CHECK_INT(mcr_gather_add(&g, &r), 0);
	CHECK_INT(emitted.n, 1);
	part(&r, 3, 8, 1);
	CHECK_INT(mcr_gather_add(&g, &r), 0);
	part(&r, 3, 9, 1);
	CHECK_INT(mcr_gather_add(&g, &r), 0);
	mcr_gather_end(&g, true);
	CHECK_INT(emitted.n, 3);
	CHECK_INT(emitted.rules[0].id, 1);
	CHECK_STR(emitted_oifs(0, buf, sizeof(buf)), "3,4,5");
	CHECK_STR(emitted_oifs(1, buf, sizeof(buf)), "7");
	CHECK_STR(emitted_oifs(2, buf, sizeof(buf)), "8,9");
	mcr_rule_list_free(&emitted);

	/* An incomplete dump: its last rule is dropped, not shown. */
	mcr_gather_init(&g, emit, NULL);
	part(&r, 1, 3, 1);
	CHECK_INT(mcr_gather_add(&g, &r), 0);
	part(&r, 2, 3, 1);
	CHECK_INT(mcr_gather_add(&g, &r), 0);
	mcr_gather_end(&g, false);
	CHECK_INT(emitted.n, 1);
	CHECK_INT(emitted.rules[0].id, 1);
	CHECK(!g.has_pending);
	/* Ending twice emits nothing more. */
	mcr_gather_end(&g, true);
	CHECK_INT(emitted.n, 1);
	mcr_rule_list_free(&emitted);
}

/* ---- dumps ----------------------------------------------------------- */

/*
 * A rule-get reply of rule @id with outputs on @first .. @first + n - 1,
 * each with its counters (packets: 100 times its ifindex).
 */
static struct nl_msg *rule_part(const struct nlmsghdr *req, uint32_t id,
				uint32_t first, unsigned int n)
{
	struct nl_msg *m = reply(req, MCR_CMD_RULE_GET, NLM_F_MULTI);
	struct nlattr *out;

	nla_put_u32(m, MCR_A_RULE_ID, id);
	nla_put_u32(m, MCR_A_RULE_IIF, 2);
	nla_put_u32(m, MCR_A_RULE_GROUP, htonl(0xef010101));
	while (n--) {
		out = nla_nest_start(m, MCR_A_RULE_OUTPUT);
		nla_put_u32(m, MCR_A_OUTPUT_IFINDEX, first);
		nla_nest_end(m, out);
		out = nla_nest_start(m, MCR_A_RULE_OUTPUT_STATS);
		nla_put_u64(m, MCR_A_OUTPUT_STATS_PACKETS, 100 * first++);
		nla_nest_end(m, out);
	}
	return m;
}

/* Rule 1 in three parts over two datagrams, rule 2, then rule 3 of
 * another address family. */
static void respond_split_dump(const struct nlmsghdr *req)
{
	struct nl_msg *m[3];

	m[0] = rule_part(req, 1, 3, 2);
	m[1] = rule_part(req, 1, 5, 2);
	queue_dgram(m, 2);
	m[0] = rule_part(req, 1, 7, 1);
	m[1] = rule_part(req, 2, 3, 1);
	m[2] = rule_part(req, 3, 3, 1);
	nla_put_u16(m[2], MCR_A_RULE_FAMILY, AF_BRIDGE);
	queue_dgram(m, 3);
	m[0] = done(req, 0, NULL);
	queue_dgram(m, 1);
}

static void dump_rules_split_over_messages(void)
{
	struct mcr_nl nl;
	char buf[64];
	int ret;

	kernel_reset(respond_split_dump);
	mcr_rule_list_init(&emitted);
	CHECK_INT(open_fake(&nl), 0);
	ret = mcr_dump_rules(&nl, mcr_nl_new_request(&nl, MCR_CMD_RULE_GET,
						     NLM_F_DUMP, 64),
			     emit, NULL);
	mcr_nl_close(&nl);
	CHECK_STR(nl.err, "");
	CHECK_INT(ret, 0);
	CHECK(!kernel.recv_underrun);
	CHECK_INT(emitted.n, 2);
	CHECK_INT(emitted.rules[0].id, 1);
	CHECK_STR(emitted_oifs(0, buf, sizeof(buf)), "3,4,5,6,7");
	/* The counters of each part stayed with its outputs. */
	for (size_t i = 0; i < emitted.rules[0].n_outputs; i++)
		CHECK_INT(emitted.rules[0].outputs[i].stats.packets,
			  100 * emitted.rules[0].outputs[i].ifindex);
	CHECK_INT(emitted.rules[1].id, 2);
	CHECK_STR(emitted_oifs(1, buf, sizeof(buf)), "3");
	mcr_rule_list_free(&emitted);
	kernel_reset(NULL);
}

static void respond_dump_failing_mid_rule(const struct nlmsghdr *req)
{
	struct nl_msg *m[3];

	m[0] = rule_part(req, 1, 3, 1);
	m[1] = rule_part(req, 2, 3, 1);
	m[2] = done(req, -EMSGSIZE, "rule too large for a dump message");
	queue_dgram(m, 3);
}

static void dump_failure_drops_the_last_rule(void)
{
	struct mcr_nl nl;
	int ret;

	kernel_reset(respond_dump_failing_mid_rule);
	mcr_rule_list_init(&emitted);
	CHECK_INT(open_fake(&nl), 0);
	ret = mcr_dump_rules(&nl, mcr_nl_new_request(&nl, MCR_CMD_RULE_GET,
						     NLM_F_DUMP, 64),
			     emit, NULL);
	mcr_nl_close(&nl);
	CHECK_INT(ret, -1);
	CHECK_STR(nl.err, "Message too long: rule too large for a dump "
		  "message");
	/* Rule 2 may have had more outputs to come. */
	CHECK_INT(emitted.n, 1);
	CHECK_INT(emitted.rules[0].id, 1);
	mcr_rule_list_free(&emitted);
	kernel_reset(NULL);
}

/* ---- readings -------------------------------------------------------- */

/* Requests the fake kernel saw, by command and flags. */
static char seen[256];

static void see(const struct nlmsghdr *req)
{
	const struct genlmsghdr *g = nlmsg_data(req);
	/* Room for the attributes of either set. */
	struct nlattr *tb[MCR_A_RULE_MAX + MCR_A_STATS_MAX + 1];
	bool stats = g->cmd == MCR_CMD_STATS_GET;
	size_t n = strlen(seen);

	snprintf(seen + n, sizeof(seen) - n, "%s%s%s", n ? ";" : "",
		 stats ? "stats" : g->cmd == MCR_CMD_RULE_GET ? "rule" :
		 g->cmd == MCR_CMD_RULE_DEL ? "del" : "?",
		 req->nlmsg_flags & NLM_F_DUMP ? " dump" : "");
	n = strlen(seen);
	if (genlmsg_parse((struct nlmsghdr *)req, 0, tb,
			  stats ? MCR_A_STATS_MAX : MCR_A_RULE_MAX, NULL))
		return;
	if (tb[stats ? MCR_A_STATS_RULE_ID : MCR_A_RULE_ID])
		snprintf(seen + n, sizeof(seen) - n, " id %u",
			 nla_get_u32(tb[stats ? MCR_A_STATS_RULE_ID :
					MCR_A_RULE_ID]));
	n = strlen(seen);
	if (tb[stats ? MCR_A_STATS_IIF : MCR_A_RULE_IIF])
		snprintf(seen + n, sizeof(seen) - n, " iif %u",
			 nla_get_u32(tb[stats ? MCR_A_STATS_IIF :
					MCR_A_RULE_IIF]));
	/* A request by id carries nothing else. */
	if (g->cmd == MCR_CMD_RULE_DEL && tb[MCR_A_RULE_FAMILY])
		strncat(seen, " family", sizeof(seen) - strlen(seen) - 1);
}

/* A stats-get reply: rule @id's counters, outputs on @first ... */
static struct nl_msg *stats_part(const struct nlmsghdr *req, uint32_t id,
				 uint32_t first, unsigned int n, int flags)
{
	struct nl_msg *m = reply(req, MCR_CMD_STATS_GET, flags);
	struct nlattr *nest, *out;

	nla_put_u32(m, MCR_A_STATS_RULE_ID, id);
	nest = nla_nest_start(m, MCR_A_STATS_RULE);
	nla_put_u64(m, MCR_A_RULE_STATS_PACKETS, 10 * id);
	nla_put_u64(m, MCR_A_RULE_STATS_BYTES, 1000 * id);
	nla_nest_end(m, nest);
	while (n--) {
		out = nla_nest_start(m, MCR_A_STATS_OUTPUT);
		nla_put_u32(m, MCR_A_STATS_OUTPUT_IFINDEX, first++);
		nest = nla_nest_start(m, MCR_A_STATS_OUTPUT_STATS);
		nla_put_u64(m, MCR_A_OUTPUT_STATS_PACKETS, 10 * id);
		nla_nest_end(m, nest);
		nla_nest_end(m, out);
	}
	return m;
}

/*
 * stats-get without an id: the namespace counters, acked with a warning;
 * a stats-get (or rule-get) dump: rule 4 in two parts, then rule 5.
 */
static void respond_readings(const struct nlmsghdr *req)
{
	const struct genlmsghdr *g = nlmsg_data(req);
	struct nl_msg *m[3];
	struct nlattr *nest;

	see(req);
	if (g->cmd == MCR_CMD_RULE_GET) {
		respond_split_dump(req);
		return;
	}
	if (!(req->nlmsg_flags & NLM_F_DUMP) &&
	    strstr(seen, "stats id") == NULL) {
		m[0] = reply(req, MCR_CMD_STATS_GET, 0);
		nest = nla_nest_start(m[0], MCR_A_STATS_NETNS);
		nla_put_u64(m[0], MCR_A_NETNS_STATS_NO_MATCH, 12);
		nla_put_u32(m[0], MCR_A_NETNS_STATS_RULES, 2);
		nla_nest_end(m[0], nest);
		queue_dgram(m, 1);
		m[0] = ack(req, 0, "counters may be late");
		queue_dgram(m, 1);
		return;
	}
	if (!(req->nlmsg_flags & NLM_F_DUMP)) {
		m[0] = stats_part(req, 4, 3, 1, 0);
		queue_dgram(m, 1);
		m[0] = ack(req, 0, NULL);
		queue_dgram(m, 1);
		return;
	}
	m[0] = stats_part(req, 4, 3, 2, NLM_F_MULTI);
	m[1] = stats_part(req, 4, 5, 1, NLM_F_MULTI);
	m[2] = stats_part(req, 5, 3, 1, NLM_F_MULTI);
	queue_dgram(m, 3);
	m[0] = done(req, 0, NULL);
	queue_dgram(m, 1);
}

static char warnings[256];

static void warn(const char *warning, void *arg)
{
	size_t n = strlen(warnings);

	(void)arg;
	snprintf(warnings + n, sizeof(warnings) - n, "%s|", warning);
}

/* Reads one sample from the fake kernel answering with @respond;
 * returns what mcr_sample_read() did. */
static int read_one_from(void (*respond)(const struct nlmsghdr *req),
			 struct mcr_sampler *sr, struct mcr_nl *nl,
			 struct mcr_sample *s)
{
	int ret;

	kernel_reset(respond);
	seen[0] = '\0';
	warnings[0] = '\0';
	mcr_sample_init(s);
	if (open_fake(nl))
		return -2;
	sr->nl = nl;
	sr->warn = warn;
	ret = mcr_sample_read(sr, s);
	mcr_nl_close(nl);
	return ret;
}

static int read_one(struct mcr_sampler *sr, struct mcr_nl *nl,
		    struct mcr_sample *s)
{
	return read_one_from(respond_readings, sr, nl, s);
}

static void sample_of_every_rule(void)
{
	struct mcr_sampler sr = { 0 };
	struct mcr_sample s;
	struct mcr_nl nl;

	CHECK_INT(read_one(&sr, &nl, &s), 0);
	CHECK_STR(seen, "stats;stats dump");
	CHECK_STR(warnings, "counters may be late|");
	CHECK(s.time > 0);
	CHECK(s.has_netns);
	CHECK_INT(s.netns.no_match, 12);
	CHECK_INT(s.netns.rules, 2);
	CHECK_INT(s.rules.n, 2);
	CHECK_INT(s.rules.rules[0].id, 4);
	CHECK_INT(s.rules.rules[0].n_outputs, 3);
	CHECK(s.rules.rules[0].has_stats);
	CHECK_INT(s.rules.rules[0].stats.bytes, 4000);
	CHECK_INT(s.rules.rules[0].outputs[2].ifindex, 5);
	CHECK_INT(s.rules.rules[0].outputs[2].stats.packets, 40);
	CHECK_INT(s.rules.rules[1].id, 5);
	CHECK(!kernel.recv_underrun);
	mcr_sample_free(&s);
	kernel_reset(NULL);
}

/* One rule, or a device's: no namespace counters, no dump for an id. */
static void sample_of_one_rule_or_device(void)
{
	struct mcr_sampler sr = { .id = 4 };
	struct mcr_sample s;
	struct mcr_nl nl;

	CHECK_INT(read_one(&sr, &nl, &s), 0);
	CHECK_STR(seen, "stats id 4");
	CHECK_STR(warnings, "");
	CHECK(!s.has_netns);
	CHECK_INT(s.rules.n, 1);
	CHECK_INT(s.rules.rules[0].id, 4);
	mcr_sample_free(&s);

	sr = (struct mcr_sampler){ .iif = 2 };
	CHECK_INT(read_one(&sr, &nl, &s), 0);
	CHECK_STR(seen, "stats dump iif 2");
	CHECK(!s.has_netns);
	CHECK_INT(s.rules.n, 2);
	mcr_sample_free(&s);
	kernel_reset(NULL);
}

/* --prometheus: the rules from a rule-get dump, with their keys. */
static void sample_with_keys(void)
{
	struct mcr_sampler sr = { .with_keys = true };
	struct mcr_sample s;
	struct mcr_nl nl;

	CHECK_INT(read_one(&sr, &nl, &s), 0);
	CHECK_STR(seen, "stats;rule dump");
	CHECK(s.has_netns);
	CHECK_INT(s.rules.n, 2);
	CHECK_INT(s.rules.rules[0].n_outputs, 5);
	CHECK(s.rules.rules[0].has_group);
	mcr_sample_free(&s);
	kernel_reset(NULL);
}

static void respond_stats_error(const struct nlmsghdr *req)
{
	struct nl_msg *m = ack(req, -EPERM, NULL);

	see(req);
	queue_dgram(&m, 1);
}

static void sample_failure(void)
{
	struct mcr_sampler sr = { 0 };
	struct mcr_sample s;
	struct mcr_nl nl;
	int ret;

	kernel_reset(respond_stats_error);
	seen[0] = '\0';
	mcr_sample_init(&s);
	CHECK_INT(open_fake(&nl), 0);
	sr.nl = &nl;
	ret = mcr_sample_read(&sr, &s);
	mcr_nl_close(&nl);
	CHECK_INT(ret, -1);
	CHECK_STR(nl.err, "Operation not permitted");
	/* The rules are not asked for once the first request failed. */
	CHECK_STR(seen, "stats");
	mcr_sample_free(&s);
	kernel_reset(NULL);
}

/* ---- one family: -4, -6 ---------------------------------------------- */

/* Rule @id of @family, with its counters (packets: its id). */
static struct nl_msg *family_rule(const struct nlmsghdr *req, uint32_t id,
				  int family)
{
	struct nl_msg *m = reply(req, MCR_CMD_RULE_GET, NLM_F_MULTI);
	uint8_t group6[16] = { 0xff, 0x3e, [15] = (uint8_t)id };
	struct nlattr *nest;

	nla_put_u32(m, MCR_A_RULE_ID, id);
	nla_put_u16(m, MCR_A_RULE_FAMILY, (uint16_t)family);
	nla_put_u32(m, MCR_A_RULE_IIF, 2);
	if (family == AF_INET6)
		nla_put(m, MCR_A_RULE_GROUP_IPV6, sizeof(group6), group6);
	else
		nla_put_u32(m, MCR_A_RULE_GROUP, htonl(0xef010100 + id));
	nest = nla_nest_start(m, MCR_A_RULE_STATS);
	nla_put_u64(m, MCR_A_RULE_STATS_PACKETS, id);
	nla_nest_end(m, nest);
	nest = nla_nest_start(m, MCR_A_RULE_OUTPUT);
	nla_put_u32(m, MCR_A_OUTPUT_IFINDEX, 3);
	nla_nest_end(m, nest);
	return m;
}

/* Rule-del by id: these ids are gone already, or refused. */
static uint32_t vanished_id, refused_id;

/*
 * A rule-get dump of rules 1 and 4 (IPv4), 2, 3 and 5 (IPv6); a stats-get
 * of the namespace counters; a rule-del acked as the ids above say.
 */
static void respond_mixed_families(const struct nlmsghdr *req)
{
	const struct genlmsghdr *g = nlmsg_data(req);
	struct nlattr *tb[MCR_A_RULE_MAX + 1];
	struct nl_msg *m[5];
	struct nlattr *nest;
	uint32_t id;

	see(req);
	switch (g->cmd) {
	case MCR_CMD_RULE_GET:
		m[0] = family_rule(req, 1, AF_INET);
		m[1] = family_rule(req, 2, AF_INET6);
		m[2] = family_rule(req, 3, AF_INET6);
		queue_dgram(m, 3);
		m[0] = family_rule(req, 4, AF_INET);
		m[1] = family_rule(req, 5, AF_INET6);
		m[2] = done(req, 0, NULL);
		queue_dgram(m, 3);
		return;
	case MCR_CMD_STATS_GET:
		m[0] = reply(req, MCR_CMD_STATS_GET, 0);
		nest = nla_nest_start(m[0], MCR_A_STATS_NETNS);
		nla_put_u64(m[0], MCR_A_NETNS_STATS_ZERO_CHECKSUM, 7);
		nla_nest_end(m[0], nest);
		m[1] = ack(req, 0, NULL);
		queue_dgram(m, 2);
		return;
	default:	/* rule-del */
		genlmsg_parse((struct nlmsghdr *)req, 0, tb, MCR_A_RULE_MAX,
			      NULL);
		id = tb[MCR_A_RULE_ID] ? nla_get_u32(tb[MCR_A_RULE_ID]) : 0;
		if (id == vanished_id)
			m[0] = ack(req, -ENOENT, "id: no such rule");
		else if (id == refused_id)
			m[0] = ack(req, -EPERM, NULL);
		else
			m[0] = ack(req, 0, NULL);
		queue_dgram(m, 1);
	}
}

/* rule flush -6: the IPv6 rules only, one by one, by id. */
static void flush_one_family(void)
{
	struct mcr_nl nl;
	int ret;

	kernel_reset(respond_mixed_families);
	seen[0] = '\0';
	vanished_id = 3;	/* deleted by someone else meanwhile */
	refused_id = 0;
	CHECK_INT(open_fake(&nl), 0);
	ret = mcr_flush_family(&nl, 0, AF_INET6);
	CHECK_STR(nl.err, "");
	CHECK_INT(ret, 0);
	CHECK_STR(seen, "rule dump;del id 2;del id 3;del id 5");
	CHECK(!kernel.recv_underrun);

	/* -4, on one device: the dump is the device's. */
	kernel_reset(respond_mixed_families);
	seen[0] = '\0';
	ret = mcr_flush_family(&nl, 2, AF_INET);
	CHECK_INT(ret, 0);
	CHECK_STR(seen, "rule dump iif 2;del id 1;del id 4");
	mcr_nl_close(&nl);
	kernel_reset(NULL);
}

/* A rule that cannot be deleted stops the flush, named. */
static void flush_one_family_failure(void)
{
	struct mcr_nl nl;
	int ret;

	kernel_reset(respond_mixed_families);
	seen[0] = '\0';
	vanished_id = 0;
	refused_id = 3;
	CHECK_INT(open_fake(&nl), 0);
	ret = mcr_flush_family(&nl, 0, AF_INET6);
	mcr_nl_close(&nl);
	CHECK_INT(ret, -1);
	CHECK_STR(nl.err, "rule 3: Operation not permitted");
	CHECK_STR(seen, "rule dump;del id 2;del id 3");
	refused_id = 0;

	/* The dump fails: nothing is deleted. */
	kernel_reset(respond_stats_error);
	seen[0] = '\0';
	CHECK_INT(open_fake(&nl), 0);
	ret = mcr_flush_family(&nl, 0, AF_INET);
	mcr_nl_close(&nl);
	CHECK_INT(ret, -1);
	CHECK_STR(nl.err, "Operation not permitted");
	CHECK_STR(seen, "rule dump");
	kernel_reset(NULL);
}

/* stats -6, -w, --prometheus: the rules from a rule-get dump, filtered. */
static void sample_of_one_family(void)
{
	struct mcr_sampler sr = { .family = AF_INET6 };
	struct mcr_sample s;
	struct mcr_nl nl;

	CHECK_INT(read_one_from(respond_mixed_families, &sr, &nl, &s), 0);
	CHECK_STR(seen, "stats;rule dump");
	CHECK(s.has_netns);
	CHECK_INT(s.netns.zero_checksum, 7);
	CHECK_INT(s.rules.n, 3);
	CHECK_INT(s.rules.rules[0].id, 2);
	CHECK_INT(s.rules.rules[1].id, 3);
	CHECK_INT(s.rules.rules[2].id, 5);
	CHECK(s.rules.rules[2].has_stats);
	CHECK_INT(s.rules.rules[2].stats.packets, 5);
	mcr_sample_free(&s);

	sr = (struct mcr_sampler){ .family = AF_INET, .iif = 2 };
	CHECK_INT(read_one_from(respond_mixed_families, &sr, &nl, &s), 0);
	CHECK_STR(seen, "rule dump iif 2");
	CHECK(!s.has_netns);
	CHECK_INT(s.rules.n, 2);
	CHECK_INT(s.rules.rules[1].id, 4);
	mcr_sample_free(&s);

	/* One rule: a rule-get dump of it (the fake sends all five). */
	sr = (struct mcr_sampler){ .family = AF_INET6, .id = 2 };
	CHECK_INT(read_one_from(respond_mixed_families, &sr, &nl, &s), 0);
	CHECK_STR(seen, "rule dump id 2");
	CHECK_INT(s.rules.n, 3);
	mcr_sample_free(&s);
	kernel_reset(NULL);
}

const struct test_case dump_tests[] = {
	TEST(gather_joins_parts_of_a_rule),
	TEST(dump_rules_split_over_messages),
	TEST(dump_failure_drops_the_last_rule),
	TEST(sample_of_every_rule),
	TEST(sample_of_one_rule_or_device),
	TEST(sample_with_keys),
	TEST(sample_failure),
	TEST(flush_one_family),
	TEST(flush_one_family_failure),
	TEST(sample_of_one_family),
	TEST_END
};
