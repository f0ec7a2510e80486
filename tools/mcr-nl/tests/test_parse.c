// SPDX-License-Identifier: GPL-2.0
/* Tests of parse.c: command grammar, options, batch line splitting. */
#include <arpa/inet.h>
#include <stdlib.h>

#include "harness.h"
#include "parse.h"

static struct mcr_parser parser = { .ifindex = fake_ifindex };

/* Splits @line like a batch line, then parses it as a command. */
static int parse_line(const char *line, struct mcr_request *req)
{
	struct mcr_words w;
	char err[128];
	int ret;

	memset(req, 0, sizeof(*req));
	if (mcr_split_line(line, &w, err, sizeof(err))) {
		snprintf(parser.err, sizeof(parser.err), "split: %s", err);
		return -2;
	}
	ret = mcr_parse_request(&parser, w.argc, w.argv, req);
	mcr_words_free(&w);
	return ret;
}

static in_addr_t ip(const char *s)
{
	return inet_addr(s);
}

#define CHECK_PARSE_OK(line, req)					\
	do {								\
		int _ret = parse_line(line, req);			\
		if (_ret)						\
			test_fail(__FILE__, __LINE__, "\"%s\": %s",	\
				  line, parser.err);			\
		if (_ret) {						\
			mcr_request_free(req);				\
			return;						\
		}							\
	} while (0)

#define CHECK_PARSE_ERROR(line, msg)					\
	do {								\
		struct mcr_request _req;				\
		int _ret = parse_line(line, &_req);			\
		mcr_request_free(&_req);				\
		CHECK_INT(_ret, -1);					\
		CHECK_STR(parser.err, msg);				\
	} while (0)

static void add_minimal(void)
{
	struct mcr_request req;
	const struct mcr_output *o;

	CHECK_PARSE_OK("rule add iif eth0 group 239.1.1.1 oif eth1", &req);
	CHECK_INT(req.type, MCR_REQ_RULE_ADD);
	CHECK_STR(req.what, "rule add");
	CHECK_INT(req.rule.iif, 2);
	CHECK(req.rule.has_group && req.rule.group == ip("239.1.1.1"));
	CHECK_INT(req.rule.port, 0);
	CHECK(!req.rule.has_source);
	CHECK_INT(req.rule.flags, 0);
	CHECK_STR(req.rule.name, "");
	CHECK_INT(req.rule.n_outputs, 1);
	o = &req.rule.outputs[0];
	CHECK_INT(o->ifindex, 3);
	CHECK(!o->has_group && !o->port && !o->ttl && !o->has_source &&
	      !o->source_auto);
	mcr_request_free(&req);
}

static void add_every_keyword(void)
{
	struct mcr_request req;
	const struct mcr_rule *r = &req.rule;

	CHECK_PARSE_OK("rule add iif eth0 group 239.1.1.1 port 5000 "
		       "source 10.0.0.1 name feedA consume nojoin "
		       "oif eth1 group 239.2.2.2 port 6000 ttl 5 source auto "
		       "oif eth2 source 192.0.2.1 ttl 255 port 0", &req);
	CHECK_INT(r->iif, 2);
	CHECK(r->group == ip("239.1.1.1"));
	CHECK_INT(r->port, 5000);
	CHECK(r->has_source && r->source == ip("10.0.0.1"));
	CHECK_STR(r->name, "feedA");
	CHECK_INT(r->flags, MCR_RULE_FLAGS_CONSUME | MCR_RULE_FLAGS_NOJOIN);
	CHECK_INT(r->n_outputs, 2);
	CHECK_INT(r->outputs[0].ifindex, 3);
	CHECK(r->outputs[0].has_group &&
	      r->outputs[0].group == ip("239.2.2.2"));
	CHECK_INT(r->outputs[0].port, 6000);
	CHECK_INT(r->outputs[0].ttl, 5);
	CHECK(r->outputs[0].source_auto && !r->outputs[0].has_source);
	CHECK_INT(r->outputs[1].ifindex, 4);
	CHECK(!r->outputs[1].has_group);
	CHECK_INT(r->outputs[1].port, 0);
	CHECK_INT(r->outputs[1].ttl, 255);
	CHECK(r->outputs[1].has_source && !r->outputs[1].source_auto &&
	      r->outputs[1].source == ip("192.0.2.1"));
	mcr_request_free(&req);
}

static void add_match_keywords_any_order(void)
{
	struct mcr_request req;

	CHECK_PARSE_OK("rule add nojoin group 239.1.1.1 name x iif eth0 "
		       "oif eth1", &req);
	CHECK_INT(req.rule.iif, 2);
	CHECK_INT(req.rule.flags, MCR_RULE_FLAGS_NOJOIN);
	CHECK_STR(req.rule.name, "x");
	mcr_request_free(&req);
}

static void replace_is_add_with_replace(void)
{
	struct mcr_request req;

	CHECK_PARSE_OK("rule replace iif eth0 group 239.1.1.1 oif eth1 "
		       "oif eth2", &req);
	CHECK_INT(req.type, MCR_REQ_RULE_REPLACE);
	CHECK_STR(req.what, "rule replace");
	CHECK_INT(req.rule.n_outputs, 2);
	mcr_request_free(&req);
}

static void match_port_zero_means_any(void)
{
	struct mcr_request a, b;

	CHECK_PARSE_OK("rule add iif eth0 group 239.1.1.1 port 0 oif eth1",
		       &a);
	CHECK_PARSE_OK("rule add iif eth0 group 239.1.1.1 oif eth1", &b);
	CHECK_INT(a.rule.port, 0);
	CHECK_INT(a.rule.port, b.rule.port);
	mcr_request_free(&a);
	mcr_request_free(&b);
}

static void bad_address(void)
{
	CHECK_PARSE_ERROR("rule add iif eth0 group 239.1.1 oif eth1",
			  "rule add: bad group \"239.1.1\" (expected an IPv4 "
			  "or IPv6 address)");
	CHECK_PARSE_ERROR("rule add iif eth0 group 239.1.1.1 source "
			  "10.0.0.256 oif eth1",
			  "rule add: bad source \"10.0.0.256\" (expected an "
			  "IPv4 or IPv6 address)");
	CHECK_PARSE_ERROR("rule add iif eth0 group 239.1.1.1 oif eth1 "
			  "group foo",
			  "rule add: bad group \"foo\" (expected an IPv4 or "
			  "IPv6 address)");
	CHECK_PARSE_ERROR("rule del iif eth0 group ::1",
			  "rule del: bad group \"::1\" (the loopback "
			  "address)");
}

static void bad_port(void)
{
	struct mcr_request req;

	CHECK_PARSE_ERROR("rule add iif eth0 group 239.1.1.1 port 70000 "
			  "oif eth1",
			  "rule add: bad port \"70000\" (expected 0-65535)");
	CHECK_PARSE_ERROR("rule add iif eth0 group 239.1.1.1 port -1 oif eth1",
			  "rule add: bad port \"-1\" (expected 0-65535)");
	CHECK_PARSE_ERROR("rule add iif eth0 group 239.1.1.1 port 5x oif eth1",
			  "rule add: bad port \"5x\" (expected 0-65535)");
	CHECK_PARSE_ERROR("rule add iif eth0 group 239.1.1.1 port \"\" "
			  "oif eth1",
			  "rule add: bad port \"\" (expected 0-65535)");
	CHECK_PARSE_ERROR("rule add iif eth0 group 239.1.1.1 oif eth1 "
			  "port 65536",
			  "rule add: bad port \"65536\" (expected 0-65535)");
	CHECK_PARSE_OK("rule add iif eth0 group 239.1.1.1 port 65535 "
		       "oif eth1 port 65535", &req);
	CHECK_INT(req.rule.port, 65535);
	CHECK_INT(req.rule.outputs[0].port, 65535);
	mcr_request_free(&req);
}

static void ttl_range(void)
{
	struct mcr_request req;

	CHECK_PARSE_ERROR("rule add iif eth0 group 239.1.1.1 oif eth1 ttl 0",
			  "rule add: bad ttl \"0\" (expected 1-255)");
	CHECK_PARSE_ERROR("rule add iif eth0 group 239.1.1.1 oif eth1 ttl 256",
			  "rule add: bad ttl \"256\" (expected 1-255)");
	CHECK_PARSE_ERROR("rule add iif eth0 group 239.1.1.1 oif eth1 ttl",
			  "rule add: missing value after \"ttl\"");
	CHECK_PARSE_OK("rule add iif eth0 group 239.1.1.1 oif eth1 ttl 1 "
		       "oif eth2 ttl 255", &req);
	CHECK_INT(req.rule.outputs[0].ttl, 1);
	CHECK_INT(req.rule.outputs[1].ttl, 255);
	mcr_request_free(&req);
}

static void missing_required(void)
{
	CHECK_PARSE_ERROR("rule add group 239.1.1.1 oif eth1",
			  "rule add: missing \"iif\"");
	CHECK_PARSE_ERROR("rule add iif eth0 oif eth1",
			  "rule add: missing \"group\"");
	CHECK_PARSE_ERROR("rule add iif eth0 group 239.1.1.1",
			  "rule add: at least one \"oif\" is required");
	CHECK_PARSE_ERROR("rule add", "rule add: missing \"iif\"");
	/* The group was given, but to the output. */
	CHECK_PARSE_ERROR("rule add iif eth0 oif eth1 group 239.1.1.1",
			  "rule add: missing \"group\" (match keywords go "
			  "before the first \"oif\")");
}

static void duplicate_keyword(void)
{
	struct mcr_request req;

	CHECK_PARSE_ERROR("rule add iif eth0 group 239.1.1.1 port 1 port 2 "
			  "oif eth1", "rule add: duplicate \"port\"");
	CHECK_PARSE_ERROR("rule add iif eth0 iif eth1 group 239.1.1.1 "
			  "oif eth1", "rule add: duplicate \"iif\"");
	CHECK_PARSE_ERROR("rule add iif eth0 group 239.1.1.1 consume consume "
			  "oif eth1", "rule add: duplicate \"consume\"");
	CHECK_PARSE_ERROR("rule add iif eth0 group 239.1.1.1 oif eth1 ttl 2 "
			  "ttl 3", "rule add: duplicate \"ttl\" in oif #1");
	CHECK_PARSE_ERROR("rule add iif eth0 group 239.1.1.1 oif eth1 "
			  "oif eth2 source auto source 10.0.0.1",
			  "rule add: duplicate \"source\" in oif #2");
	CHECK_PARSE_ERROR("rule del id 1 id 2", "rule del: duplicate \"id\"");
	CHECK_PARSE_ERROR("stats id 1 id 2", "stats: duplicate \"id\"");
	CHECK_PARSE_ERROR("rule flush iif eth0 iif eth1",
			  "rule flush: duplicate \"iif\"");
	/* The same keyword in two outputs is not a duplicate. */
	CHECK_PARSE_OK("rule add iif eth0 group 239.1.1.1 oif eth1 ttl 2 "
		       "oif eth1 ttl 3", &req);
	mcr_request_free(&req);
}

static void unknown_keyword(void)
{
	CHECK_PARSE_ERROR("rule add iif eth0 group 239.1.1.1 fo oif eth1",
			  "unknown keyword \"fo\" after \"rule add\"");
	CHECK_PARSE_ERROR("rule add iif eth0 group 239.1.1.1 oif eth1 dev x",
			  "unknown keyword \"dev\" after \"rule add\"");
	/* No abbreviations. */
	CHECK_PARSE_ERROR("rule add iif eth0 grp 239.1.1.1 oif eth1",
			  "unknown keyword \"grp\" after \"rule add\"");
	CHECK_PARSE_ERROR("rule a", "unknown keyword \"a\" after \"rule\"");
	CHECK_PARSE_ERROR("rule lis", "unknown keyword \"lis\" after "
			  "\"rule\"");
	CHECK_PARSE_ERROR("route show", "unknown command \"route\" (try "
			  "\"mcr-nl help\")");
	CHECK_PARSE_ERROR("rule show -j", "unknown keyword \"-j\" after "
			  "\"rule show\" (options go before the command, as "
			  "in \"mcr-nl -j rule show\")");
	/* "mcr-nl -j rule save" fails too: no hint to it. */
	CHECK_PARSE_ERROR("rule save -j", "unknown keyword \"-j\" after "
			  "\"rule save\"");
}

static void oif_without_device(void)
{
	CHECK_PARSE_ERROR("rule add iif eth0 group 239.1.1.1 oif",
			  "rule add: missing device after \"oif\"");
	CHECK_PARSE_ERROR("rule add iif eth0 group 239.1.1.1 oif group "
			  "239.2.2.2", "rule add: missing device after "
			  "\"oif\"");
	CHECK_PARSE_ERROR("rule add iif group 239.1.1.1 oif eth1",
			  "rule add: missing device after \"iif\"");
	CHECK_PARSE_ERROR("rule flush iif", "rule flush: missing device "
			  "after \"iif\"");
}

static void unknown_device(void)
{
	CHECK_PARSE_ERROR("rule add iif eth9 group 239.1.1.1 oif eth1",
			  "rule add: unknown device \"eth9\"");
	CHECK_PARSE_ERROR("rule add iif eth0 group 239.1.1.1 oif eth1 "
			  "oif wlan0", "rule add: unknown device \"wlan0\"");
	CHECK_PARSE_ERROR("rule flush iif eth9",
			  "rule flush: unknown device \"eth9\"");
}

static void output_source_neither_auto_nor_address(void)
{
	CHECK_PARSE_ERROR("rule add iif eth0 group 239.1.1.1 oif eth1 "
			  "source foo", "rule add: bad source \"foo\" "
			  "(expected \"auto\" or an IPv4 or IPv6 address)");
	CHECK_PARSE_ERROR("rule add iif eth0 group 239.1.1.1 oif eth1 "
			  "source AUTO", "rule add: bad source \"AUTO\" "
			  "(expected \"auto\" or an IPv4 or IPv6 address)");
	CHECK_PARSE_ERROR("rule add iif eth0 group 239.1.1.1 oif eth1 source",
			  "rule add: missing value after \"source\"");
}

static void keyword_in_the_wrong_part(void)
{
	CHECK_PARSE_ERROR("rule add iif eth0 group 239.1.1.1 oif eth1 "
			  "consume", "rule add: \"consume\" must come before "
			  "the first \"oif\"");
	CHECK_PARSE_ERROR("rule add iif eth0 group 239.1.1.1 oif eth1 "
			  "name x", "rule add: \"name\" must come before the "
			  "first \"oif\"");
	CHECK_PARSE_ERROR("rule add iif eth0 group 239.1.1.1 ttl 3 oif eth1",
			  "rule add: \"ttl\" must follow an \"oif\"");
}

static void rule_name(void)
{
	struct mcr_request req;

	CHECK_PARSE_OK("rule add iif eth0 group 239.1.1.1 name "
		       "abcdefghijklmnopqrstuvwxyz01234 oif eth1", &req);
	CHECK_INT(strlen(req.rule.name), MCR_NAME_LEN - 1);
	mcr_request_free(&req);
	CHECK_PARSE_ERROR("rule add iif eth0 group 239.1.1.1 name "
			  "abcdefghijklmnopqrstuvwxyz012345 oif eth1",
			  "rule add: name \"abcdefghijklmnopqrstuvwxyz012345\" "
			  "is too long (at most 31 bytes)");
	CHECK_PARSE_ERROR("rule add iif eth0 group 239.1.1.1 name \"\" "
			  "oif eth1", "rule add: empty name");
	CHECK_PARSE_OK("rule add iif eth0 group 239.1.1.1 name \"a b\" "
		       "oif eth1", &req);
	CHECK_STR(req.rule.name, "a b");
	mcr_request_free(&req);
	CHECK_PARSE_OK("rule add iif eth0 group 239.1.1.1 name "
		       "\"caf\\xc3\\xa9\" oif eth1", &req);
	CHECK_STR(req.rule.name, "caf\xc3\xa9");
	mcr_request_free(&req);
	CHECK_PARSE_ERROR("rule add iif eth0 group 239.1.1.1 name "
			  "\"caf\\xe9\" oif eth1", "rule add: bad name: byte "
			  "0xe9 at offset 3 is not UTF-8");
	CHECK_PARSE_ERROR("rule add iif eth0 group 239.1.1.1 name "
			  "\"a\\x1b[2J\" oif eth1", "rule add: bad name: "
			  "control character at offset 1 (names are for "
			  "people: printable UTF-8 only)");
	CHECK_PARSE_ERROR("rule add iif eth0 group 239.1.1.1 name "
			  "\"\\xc2\\x9b\" oif eth1", "rule add: bad name: "
			  "control character at offset 0 (names are for "
			  "people: printable UTF-8 only)");
	CHECK_PARSE_ERROR("rule add iif eth0 group 239.1.1.1 name "
			  "\"\\x7f\" oif eth1", "rule add: bad name: "
			  "control character at offset 0 (names are for "
			  "people: printable UTF-8 only)");
}

static void too_many_words(void)
{
	CHECK_PARSE_ERROR("rule show id 1 2",
			  "unknown keyword \"2\" after \"rule show\"");
	CHECK_PARSE_ERROR("rule save now",
			  "unknown keyword \"now\" after \"rule save\"");
	CHECK_PARSE_ERROR("monitor all",
			  "unknown keyword \"all\" after \"monitor\"");
	CHECK_PARSE_ERROR("stats id 3 extra",
			  "unknown keyword \"extra\" after \"stats\"");
	CHECK_PARSE_ERROR("rule flush iif eth0 eth1",
			  "unknown keyword \"eth1\" after \"rule flush\"");
	CHECK_PARSE_ERROR("rule del id 3 4",
			  "unknown keyword \"4\" after \"rule del\"");
	CHECK_PARSE_ERROR("help me", "unknown keyword \"me\" after \"help\"");
}

static void del_by_id(void)
{
	struct mcr_request req;

	CHECK_PARSE_OK("rule del id 42", &req);
	CHECK_INT(req.type, MCR_REQ_RULE_DEL);
	CHECK_INT(req.id, 42);
	CHECK_INT(req.rule.iif, 0);
	mcr_request_free(&req);
}

static void del_by_key(void)
{
	struct mcr_request req;

	CHECK_PARSE_OK("rule del iif eth0 group 239.1.1.1 port 5000 "
		       "source 10.0.0.1", &req);
	CHECK_INT(req.id, 0);
	CHECK_INT(req.rule.iif, 2);
	CHECK(req.rule.group == ip("239.1.1.1"));
	CHECK_INT(req.rule.port, 5000);
	CHECK(req.rule.has_source && req.rule.source == ip("10.0.0.1"));
	mcr_request_free(&req);
	CHECK_PARSE_OK("rule del group 239.1.1.1 iif eth0", &req);
	CHECK(!req.rule.has_source);
	CHECK_INT(req.rule.port, 0);
	mcr_request_free(&req);
}

static void del_errors(void)
{
	CHECK_PARSE_ERROR("rule del id 1 iif eth0 group 239.1.1.1",
			  "rule del: give either \"id\" or a match key, not "
			  "both");
	CHECK_PARSE_ERROR("rule del iif eth0 group 239.1.1.1 id 1",
			  "rule del: give either \"id\" or a match key, not "
			  "both");
	CHECK_PARSE_ERROR("rule del", "rule del: expected \"id ID\" or "
			  "\"iif DEV group ADDR [port PORT] [source ADDR]\"");
	CHECK_PARSE_ERROR("rule del iif eth0", "rule del: missing \"group\"");
	CHECK_PARSE_ERROR("rule del group 239.1.1.1",
			  "rule del: missing \"iif\"");
	CHECK_PARSE_ERROR("rule del iif eth0 group 239.1.1.1 consume",
			  "unknown keyword \"consume\" after \"rule del\"");
	CHECK_PARSE_ERROR("rule del iif eth0 group 239.1.1.1 oif eth1",
			  "unknown keyword \"oif\" after \"rule del\"");
}

static void id_range(void)
{
	struct mcr_request req;

	CHECK_PARSE_ERROR("rule show id 0",
			  "rule show: bad id \"0\" (expected 1-4294967295)");
	CHECK_PARSE_ERROR("rule show id 4294967296",
			  "rule show: bad id \"4294967296\" (expected "
			  "1-4294967295)");
	CHECK_PARSE_ERROR("stats id 0x10",
			  "stats: bad id \"0x10\" (expected 1-4294967295)");
	CHECK_PARSE_ERROR("rule del id +5",
			  "rule del: bad id \"+5\" (expected 1-4294967295)");
	CHECK_PARSE_ERROR("rule show id", "rule show: missing value after "
			  "\"id\"");
	CHECK_PARSE_OK("rule show id 4294967295", &req);
	CHECK_INT(req.id, 4294967295u);
	mcr_request_free(&req);
}

static void other_commands(void)
{
	static const struct {
		const char *line;
		enum mcr_req_type type;
		const char *what;
		uint32_t id, iif;
	} cases[] = {
		{ "rule", MCR_REQ_RULE_SHOW, "rule show", 0, 0 },
		{ "rule show", MCR_REQ_RULE_SHOW, "rule show", 0, 0 },
		{ "rule show id 7", MCR_REQ_RULE_SHOW, "rule show", 7, 0 },
		{ "rule flush", MCR_REQ_RULE_FLUSH, "rule flush", 0, 0 },
		{ "rule flush iif eth2", MCR_REQ_RULE_FLUSH, "rule flush", 0, 4 },
		{ "rule save", MCR_REQ_RULE_SAVE, "rule save", 0, 0 },
		{ "stats", MCR_REQ_STATS, "stats", 0, 0 },
		{ "stats id 9", MCR_REQ_STATS, "stats", 9, 0 },
		{ "monitor", MCR_REQ_MONITOR, "monitor", 0, 0 },
		{ "monitor id 7", MCR_REQ_MONITOR, "monitor", 7, 0 },
		{ "monitor -t dev eth0", MCR_REQ_MONITOR, "monitor", 0, 2 },
		{ "monitor iif eth1 -timestamp", MCR_REQ_MONITOR, "monitor", 0,
		  3 },
		{ "help", MCR_REQ_HELP, "help", 0, 0 },
		{ "rule help", MCR_REQ_HELP, "rule help", 0, 0 },
		{ "rule show dev eth1", MCR_REQ_RULE_SHOW, "rule show", 0, 3 },
		{ "rule show iif eth1", MCR_REQ_RULE_SHOW, "rule show", 0, 3 },
		{ "stats dev eth0", MCR_REQ_STATS, "stats", 0, 2 },
		{ "stats dev eth0 --prometheus", MCR_REQ_STATS, "stats", 0, 2 },
		{ "stats -w 2 dev eth2", MCR_REQ_STATS, "stats", 0, 4 },
		{ "stats reset", MCR_REQ_STATS_RESET, "stats reset", 0, 0 },
		/* The words of ip and tc. */
		{ "rule list", MCR_REQ_RULE_SHOW, "rule show", 0, 0 },
		{ "rule ls dev eth0", MCR_REQ_RULE_SHOW, "rule show", 0, 2 },
		{ "rule delete id 5", MCR_REQ_RULE_DEL, "rule del", 5, 0 },
		{ "stats help", MCR_REQ_HELP, "stats help", 0, 0 },
		{ "stats reset id 4", MCR_REQ_STATS_RESET, "stats reset", 4, 0 },
	};
	struct mcr_request req;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CHECK_PARSE_OK(cases[i].line, &req);
		CHECK_INT(req.type, cases[i].type);
		CHECK_STR(req.what, cases[i].what);
		CHECK_INT(req.id, cases[i].id);
		CHECK_INT(req.rule.iif, cases[i].iif);
		mcr_request_free(&req);
	}
	CHECK_PARSE_ERROR("", "missing command (try \"mcr-nl help\")");
	CHECK_PARSE_ERROR("rule show id 1 dev eth0", "rule show: give either "
			  "\"id\" or \"dev\", not both");
	CHECK_PARSE_ERROR("stats dev eth0 id 1", "stats: give either \"id\" "
			  "or \"dev\", not both");
	CHECK_PARSE_ERROR("monitor id 1 dev eth0", "monitor: give either "
			  "\"id\" or \"dev\", not both");
	CHECK_PARSE_ERROR("monitor -t -t", "monitor: duplicate \"-t\"");
	CHECK_PARSE_ERROR("monitor dev nosuch", "monitor: unknown device "
			  "\"nosuch\"");
	CHECK_PARSE_OK("monitor -t", &req);
	CHECK(req.timestamp);
	mcr_request_free(&req);
	CHECK_PARSE_OK("monitor id 3", &req);
	CHECK(!req.timestamp);
	mcr_request_free(&req);
	CHECK_PARSE_ERROR("stats dev eth0 dev eth1", "stats: duplicate "
			  "\"dev\"");
	CHECK_PARSE_ERROR("stats dev eth9", "stats: unknown device \"eth9\"");
	CHECK_PARSE_ERROR("rule show dev", "rule show: missing device after "
			  "\"dev\"");
	CHECK_PARSE_OK("rule help", &req);
	CHECK_INT(req.help, MCR_HELP_RULE);
	mcr_request_free(&req);
	CHECK_PARSE_OK("stats help", &req);
	CHECK_INT(req.help, MCR_HELP_STATS);
	mcr_request_free(&req);
	CHECK_PARSE_OK("help", &req);
	CHECK_INT(req.help, MCR_HELP_ALL);
	mcr_request_free(&req);
	CHECK_PARSE_ERROR("stats help me", "unknown keyword \"me\" after "
			  "\"stats help\"");
	CHECK_PARSE_ERROR("stats reset dev eth0", "unknown keyword \"dev\" "
			  "after \"stats reset\"");
	CHECK_PARSE_ERROR("stats reset id 0", "stats reset: bad id \"0\" "
			  "(expected 1-4294967295)");
}

/* Builds "rule add ... oif d0 ... oif dN-1 ..." with every output field. */
static char *many_outputs_line(unsigned int n)
{
	size_t cap = 64 + (size_t)n * 80, len;
	char *line = malloc(cap);
	unsigned int i;

	if (!line)
		return NULL;
	len = (size_t)snprintf(line, cap, "rule add iif eth0 group 239.1.1.1");
	for (i = 0; i < n; i++)
		len += (size_t)snprintf(line + len, cap - len,
					" oif d%u group 239.9.%u.%u port %u "
					"ttl %u source 10.1.%u.%u", i,
					i / 256, i % 256, 10000 + i,
					1 + i % 255, i / 256, i % 256);
	return line;
}

static void outputs_1024(void)
{
	char *line = many_outputs_line(1024);
	const struct mcr_output *o;
	struct mcr_request req;

	CHECK(line);
	CHECK_PARSE_OK(line, &req);
	free(line);
	CHECK_INT(req.rule.n_outputs, 1024);
	o = &req.rule.outputs[1023];
	CHECK_INT(o->ifindex, 1000 + 1023);
	CHECK(o->group == ip("239.9.3.255"));
	CHECK_INT(o->port, 10000 + 1023);
	CHECK_INT(o->ttl, 1 + 1023 % 255);
	CHECK(o->source == ip("10.1.3.255"));
	mcr_request_free(&req);
}

static void options(void)
{
	char *a1[] = { "-j", "rule", "show" };
	char *a2[] = { "-V" };
	char *a3[] = { "--version" };
	char *a4[] = { "-h" };
	char *a5[] = { "-j", "-batch", "-" };
	char *a6[] = { "-batch" };
	char *a7[] = { "-batch", "f", "rule", "show" };
	char *a8[] = { "-x", "rule" };
	char *a9[] = { "-batch", "a", "-batch", "b" };
	char *a10[] = { "--help" };
	char *a11[] = { "-", "rule" };
	char *a12[] = { "-V", "extra" };
	char *a13[] = { "-h", "rule", "show" };
	char *a14[] = { "-force", "-batch", "f" };
	char *a15[] = { "-n", "red", "-j", "stats" };
	char *a16[] = { "-netns", "blue" };
	char *a17[] = { "-n" };
	char *a18[] = { "-n", "a", "-n", "b" };
	char *a19[] = { "-j", "-p", "rule", "show" };
	char *a20[] = { "-pretty", "-j", "stats" };
	char *a21[] = { "-s", "rule", "show" };
	char *a22[] = { "-statistics", "-stats", "rule" };
	char path[64];
	struct mcr_options o;

	CHECK_INT(mcr_parse_options(&parser, 3, a1, &o), 1);
	CHECK(o.json && !o.version && !o.help && !o.batch);
	CHECK_INT(mcr_parse_options(&parser, 1, a2, &o), 1);
	CHECK(o.version);
	CHECK_INT(mcr_parse_options(&parser, 1, a3, &o), 1);
	CHECK(o.version);
	CHECK_INT(mcr_parse_options(&parser, 1, a4, &o), 1);
	CHECK(o.help);
	CHECK_INT(mcr_parse_options(&parser, 1, a10, &o), 1);
	CHECK(o.help);
	CHECK_INT(mcr_parse_options(&parser, 3, a5, &o), 3);
	CHECK(o.json && o.batch && !strcmp(o.batch, "-"));
	CHECK_INT(mcr_parse_options(&parser, 0, a1, &o), 0);
	CHECK_INT(mcr_parse_options(&parser, 2, a11, &o), 0);

	CHECK_INT(mcr_parse_options(&parser, 1, a6, &o), -1);
	CHECK_STR(parser.err, "missing file after \"-batch\" (use \"-\" for "
		  "stdin)");
	CHECK_INT(mcr_parse_options(&parser, 4, a7, &o), -1);
	CHECK_STR(parser.err, "unexpected \"rule\": \"-batch\" reads the "
		  "commands from its file");
	CHECK_INT(mcr_parse_options(&parser, 2, a8, &o), -1);
	CHECK_STR(parser.err, "unknown option \"-x\" (try \"mcr-nl help\")");
	CHECK_INT(mcr_parse_options(&parser, 4, a9, &o), -1);
	CHECK_STR(parser.err, "duplicate option \"-batch\"");
	CHECK_INT(mcr_parse_options(&parser, 3, a14, &o), 3);
	CHECK(o.force && o.batch);
	CHECK_INT(mcr_parse_options(&parser, 4, a19, &o), 2);
	CHECK(o.json && o.pretty);
	CHECK_INT(mcr_parse_options(&parser, 3, a20, &o), 2);
	CHECK(o.json && o.pretty);
	CHECK_INT(mcr_parse_options(&parser, 3, a1, &o), 1);
	CHECK(!o.pretty && !o.stats);
	CHECK_INT(mcr_parse_options(&parser, 3, a21, &o), 1);
	CHECK(o.stats && !o.json);
	CHECK_INT(mcr_parse_options(&parser, 3, a22, &o), 2);
	CHECK(o.stats);
	/* -n NETNS, as ip -n. */
	CHECK_INT(mcr_parse_options(&parser, 4, a15, &o), 3);
	CHECK(o.json && o.netns && !strcmp(o.netns, "red"));
	CHECK_INT(mcr_parse_options(&parser, 2, a16, &o), 2);
	CHECK(o.netns && !strcmp(o.netns, "blue"));
	CHECK_INT(mcr_parse_options(&parser, 1, a17, &o), -1);
	CHECK_STR(parser.err, "missing namespace name after \"-n\"");
	CHECK_INT(mcr_parse_options(&parser, 4, a18, &o), -1);
	CHECK_STR(parser.err, "duplicate option \"-n\"");
	CHECK_INT(mcr_netns_path(&parser, "red", path, sizeof(path)), 0);
	CHECK_STR(path, "/var/run/netns/red");
	CHECK_INT(mcr_netns_path(&parser, "../x", path, sizeof(path)), -1);
	CHECK_STR(parser.err, "bad namespace name \"../x\" (a name from "
		  "\"ip netns list\")");
	CHECK_INT(mcr_netns_path(&parser, "..", path, sizeof(path)), -1);
	CHECK_INT(mcr_netns_path(&parser, "", path, sizeof(path)), -1);
	/* -V and -h do not ignore what follows them. */
	CHECK_INT(mcr_parse_options(&parser, 2, a12, &o), -1);
	CHECK_STR(parser.err, "unexpected \"extra\" after \"-V\" (it takes "
		  "no command)");
	CHECK_INT(mcr_parse_options(&parser, 3, a13, &o), -1);
	CHECK_STR(parser.err, "unexpected \"rule\" after \"-h\" (it takes "
		  "no command)");
}

static void options_rejected_in_batch_lines(void)
{
	parser.in_batch = true;
	CHECK_PARSE_ERROR("-j rule show", "options are not allowed in batch "
			  "lines (\"-j\")");
	/* It would block the lines after it. */
	CHECK_PARSE_ERROR("monitor", "monitor: runs until interrupted: not "
			  "in a batch file");
	parser.in_batch = false;
	CHECK_PARSE_ERROR("-j rule show", "unknown option \"-j\" (try "
			  "\"mcr-nl help\")");
}

static void batch_lines(void)
{
	static const char text[] = "rule show\nrule\0 flush\nstats";
	unsigned int line_no = 0, first = 0;
	char *line = NULL, err[128];
	size_t cap = 0;
	FILE *f;

	f = fmemopen((void *)text, sizeof(text) - 1, "r");
	CHECK(f != NULL);
	CHECK_INT(mcr_read_batch_line(f, &line, &cap, &line_no, &first, err,
				      sizeof(err)), 1);
	CHECK_STR(line, "rule show\n");
	/* A NUL would have cut "rule flush" to "rule", which lists. */
	CHECK_INT(mcr_read_batch_line(f, &line, &cap, &line_no, &first, err,
				      sizeof(err)), -1);
	CHECK_INT(line_no, 2);
	CHECK_STR(err, "NUL byte in the line");
	CHECK_INT(mcr_read_batch_line(f, &line, &cap, &line_no, &first, err,
				      sizeof(err)), 1);
	CHECK_STR(line, "stats");
	CHECK_INT(mcr_read_batch_line(f, &line, &cap, &line_no, &first, err,
				      sizeof(err)), 0);
	CHECK_INT(line_no, 3);
	fclose(f);
	free(line);
}

/* A backslash at the end of a line continues it, as in iproute2. */
static void batch_continued_lines(void)
{
	static const char text[] =
		"rule add iif eth0 group 239.1.1.1 \\\n"
		"\toif eth1 \\\n"
		"\toif eth2\n"
		"stats\n"
		"rule show \\";
	unsigned int line_no = 0, first = 0;
	char *line = NULL, err[128];
	size_t cap = 0;
	FILE *f;

	f = fmemopen((void *)text, sizeof(text) - 1, "r");
	CHECK(f != NULL);
	CHECK_INT(mcr_read_batch_line(f, &line, &cap, &line_no, &first, err,
				      sizeof(err)), 1);
	CHECK_STR(line, "rule add iif eth0 group 239.1.1.1  \toif eth1  "
		  "\toif eth2\n");
	CHECK_INT(first, 1);
	CHECK_INT(line_no, 3);
	CHECK_INT(mcr_read_batch_line(f, &line, &cap, &line_no, &first, err,
				      sizeof(err)), 1);
	CHECK_STR(line, "stats\n");
	CHECK_INT(first, 4);
	/* A backslash on the last line continues into nothing. */
	CHECK_INT(mcr_read_batch_line(f, &line, &cap, &line_no, &first, err,
				      sizeof(err)), 1);
	CHECK_STR(line, "rule show  ");
	CHECK_INT(first, 5);
	CHECK_INT(mcr_read_batch_line(f, &line, &cap, &line_no, &first, err,
				      sizeof(err)), 0);
	fclose(f);
	free(line);
}

static void rule_flags_by_number(void)
{
	struct mcr_request req;

	CHECK_PARSE_OK("rule add iif eth0 group 239.1.1.1 flags 0x4 consume "
		       "oif eth1", &req);
	CHECK_INT(req.rule.flags, 0x4 | MCR_RULE_FLAGS_CONSUME);
	mcr_request_free(&req);
	CHECK_PARSE_OK("rule add iif eth0 group 239.1.1.1 flags 0xFFFFFFFF "
		       "oif eth1", &req);
	CHECK_INT(req.rule.flags, 0xffffffffu);
	mcr_request_free(&req);
	CHECK_PARSE_OK("rule add iif eth0 group 239.1.1.1 flags 8 oif eth1",
		       &req);
	CHECK_INT(req.rule.flags, 8);
	mcr_request_free(&req);
	CHECK_PARSE_ERROR("rule add iif eth0 group 239.1.1.1 flags 0x1ffffffff "
			  "oif eth1", "rule add: bad flags \"0x1ffffffff\" "
			  "(expected a 32-bit number, e.g. 0x4)");
	CHECK_PARSE_ERROR("rule add iif eth0 group 239.1.1.1 flags 0x oif eth1",
			  "rule add: bad flags \"0x\" (expected a 32-bit "
			  "number, e.g. 0x4)");
	CHECK_PARSE_ERROR("rule add iif eth0 group 239.1.1.1 oif eth1 flags 1",
			  "rule add: \"flags\" must come before the first "
			  "\"oif\"");
}

#define CHECK_WORDS(line, ...)						\
	do {								\
		const char *_exp[] = { __VA_ARGS__ };			\
		size_t _n = sizeof(_exp) / sizeof(_exp[0]) - 1, _i;	\
		struct mcr_words _w;					\
		char _err[128];						\
		CHECK_INT(mcr_split_line(line, &_w, _err,		\
					 sizeof(_err)), 0);		\
		if (_w.argc != (int)_n) {				\
			test_fail(__FILE__, __LINE__, "%d words in "	\
				  "\"%s\", expected %zu", _w.argc,	\
				  line, _n);				\
			mcr_words_free(&_w);				\
			return;						\
		}							\
		for (_i = 0; _i < _n; _i++) {				\
			if (strcmp(_w.argv[_i], _exp[_i])) {		\
				test_fail(__FILE__, __LINE__, "word %zu " \
					  "of \"%s\" is \"%s\"", _i,	\
					  line, _w.argv[_i]);		\
				mcr_words_free(&_w);			\
				return;					\
			}						\
		}							\
		CHECK(_w.argv[_n] == NULL);				\
		mcr_words_free(&_w);					\
	} while (0)

static void split_words(void)
{
	CHECK_WORDS("  rule  add\tiif eth0 \r\n", "rule", "add", "iif",
		    "eth0", NULL);
	CHECK_WORDS("stats", "stats", NULL);
	CHECK_WORDS("a\vb\fc", "a", "b", "c", NULL);
}

static void split_comments_and_blanks(void)
{
	CHECK_WORDS("", NULL);
	CHECK_WORDS("\n", NULL);
	CHECK_WORDS("   \t \n", NULL);
	CHECK_WORDS("# comment", NULL);
	CHECK_WORDS("    # indented comment\n", NULL);
	CHECK_WORDS("rule show # trailing comment", "rule", "show", NULL);
	/* '#' only starts a comment at the start of a word. */
	CHECK_WORDS("name a#b", "name", "a#b", NULL);
	CHECK_WORDS("name \"#x\"", "name", "#x", NULL);
}

static void split_quotes(void)
{
	CHECK_WORDS("name \"a b\" x\"\"y", "name", "a b", "xy", NULL);
	CHECK_WORDS("\"q\\\"uote\\\\\"", "q\"uote\\", NULL);
	CHECK_WORDS("\"\\x01z\\x7F\"", "\x01z\x7f", NULL);
	CHECK_WORDS("\"\"", "", NULL);
	CHECK_WORDS("a\"b c\"d e", "ab cd", "e", NULL);
	/* Outside quotes a backslash is an ordinary character. */
	CHECK_WORDS("a\\b", "a\\b", NULL);
	/* Single quotes, as in iproute2's batch files: nothing special
	 * inside, and each kind of quote is literal inside the other. */
	CHECK_WORDS("name 'a b' 'x\\y' ''", "name", "a b", "x\\y", "", NULL);
	CHECK_WORDS("'say \"hi\"' \"it's\"", "say \"hi\"", "it's", NULL);
	CHECK_WORDS("'#x' a'b c'd", "#x", "ab cd", NULL);
}

static void split_errors(void)
{
	struct mcr_words w;
	char err[128];

	CHECK_INT(mcr_split_line("name \"abc", &w, err, sizeof(err)), -1);
	CHECK_STR(err, "unterminated quote");
	CHECK(w.argv == NULL && w.buf == NULL);
	CHECK_INT(mcr_split_line("\"\\n\"", &w, err, sizeof(err)), -1);
	CHECK_STR(err, "bad escape \"\\n\" in quoted word (use \\\", \\\\ or "
		  "\\xHH)");
	CHECK_INT(mcr_split_line("\"\\x00\"", &w, err, sizeof(err)), -1);
	CHECK_STR(err, "bad escape in quoted word (expected \\xHH, 01-ff)");
	CHECK_INT(mcr_split_line("\"\\x4\"", &w, err, sizeof(err)), -1);
	CHECK_INT(mcr_split_line("\"abc\\", &w, err, sizeof(err)), -1);
	CHECK_INT(mcr_split_line("name 'abc", &w, err, sizeof(err)), -1);
	CHECK_STR(err, "unterminated quote");
}

static void numbers_and_addresses(void)
{
	in_addr_t a;
	uint32_t v;

	CHECK_INT(mcr_parse_u32("0", 0, 10, &v), 0);
	CHECK_INT(v, 0);
	CHECK_INT(mcr_parse_u32("007", 0, 10, &v), 0);
	CHECK_INT(v, 7);
	CHECK_INT(mcr_parse_u32("11", 0, 10, &v), -1);
	CHECK_INT(mcr_parse_u32(" 1", 0, 10, &v), -1);
	CHECK_INT(mcr_parse_u32("99999999999", 0, UINT32_MAX, &v), -1);
	/* Leading zeros do not count towards the length. */
	CHECK_INT(mcr_parse_u32("000000000004294967295", 0, UINT32_MAX, &v),
		  0);
	CHECK(v == UINT32_MAX);
	CHECK_INT(mcr_parse_u32("0000000000000", 0, 10, &v), 0);
	CHECK_INT(v, 0);
	CHECK_INT(mcr_parse_u32("0004294967296", 0, UINT32_MAX, &v), -1);
	CHECK_INT(mcr_parse_ipv4("1.2.3.4", &a), 0);
	CHECK(a == htonl(0x01020304));
	CHECK_INT(mcr_parse_ipv4("1.2.3.4 ", &a), -1);
	CHECK_INT(mcr_parse_ipv4("1.2.3", &a), -1);
	CHECK_INT(mcr_parse_ipv4("", &a), -1);
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

static const struct in6_addr no_ip6;	/* :: */

/* The family follows from the group; the rest follows the group. */
static void add_ipv6(void)
{
	struct mcr_request req;
	const struct mcr_rule *r = &req.rule;

	CHECK_PARSE_OK("rule add iif eth0 group ff3e::1234 port 5000 "
		       "source 2001:db8::1 nojoin "
		       "oif eth1 group FF3E:0:0::99 port 6000 ttl 3 "
		       "source 2001:DB8::2 "
		       "oif eth2 source auto", &req);
	CHECK_INT(r->family, AF_INET6);
	CHECK(r->has_group && is_ip6(&r->group6, "ff3e::1234"));
	CHECK(r->has_source && is_ip6(&r->source6, "2001:db8::1"));
	/* The IPv4 fields stay zero: nothing of them is sent. */
	CHECK(!r->group && !r->source);
	CHECK_INT(r->port, 5000);
	CHECK_INT(r->flags, MCR_RULE_FLAGS_NOJOIN);
	CHECK_INT(r->n_outputs, 2);
	CHECK(r->outputs[0].has_group &&
	      is_ip6(&r->outputs[0].group6, "ff3e::99"));
	CHECK(r->outputs[0].has_source &&
	      is_ip6(&r->outputs[0].source6, "2001:db8::2"));
	CHECK(!r->outputs[0].group && !r->outputs[0].source);
	CHECK_INT(r->outputs[0].ttl, 3);
	CHECK(r->outputs[1].source_auto && !r->outputs[1].has_source &&
	      IN6_ARE_ADDR_EQUAL(&r->outputs[1].source6, &no_ip6));
	mcr_request_free(&req);

	/* An IPv4 rule says so, with its IPv6 fields zero. */
	CHECK_PARSE_OK("rule add iif eth0 group 239.1.1.1 source 10.0.0.1 "
		       "oif eth1 group 239.2.2.2 source 10.0.0.2", &req);
	CHECK_INT(r->family, AF_INET);
	CHECK(IN6_ARE_ADDR_EQUAL(&r->group6, &no_ip6) &&
	      IN6_ARE_ADDR_EQUAL(&r->source6, &no_ip6) &&
	      IN6_ARE_ADDR_EQUAL(&r->outputs[0].group6, &no_ip6) &&
	      IN6_ARE_ADDR_EQUAL(&r->outputs[0].source6, &no_ip6));
	mcr_request_free(&req);

	/* The source may come before the group, as in IPv4. */
	CHECK_PARSE_OK("rule replace source fe80::1 iif eth0 group ff02::fb "
		       "oif eth1", &req);
	CHECK_INT(req.type, MCR_REQ_RULE_REPLACE);
	CHECK_INT(r->family, AF_INET6);
	CHECK(is_ip6(&r->source6, "fe80::1"));
	/* Link-local scope (ff02::/16) and any larger scope are fine. */
	CHECK(is_ip6(&r->group6, "ff02::fb"));
	mcr_request_free(&req);

	/* A unicast destination, rewritten to another one. */
	CHECK_PARSE_OK("rule add iif eth0 group 2001:db8::5 port 9 "
		       "oif eth1 group 2001:db8:1::6", &req);
	CHECK_INT(r->family, AF_INET6);
	CHECK(is_ip6(&r->outputs[0].group6, "2001:db8:1::6"));
	mcr_request_free(&req);
	CHECK_PARSE_OK("rule add iif eth0 group ff15::1 oif eth1", &req);
	mcr_request_free(&req);
}

static void del_by_key_ipv6(void)
{
	struct mcr_request req;

	CHECK_PARSE_OK("rule del iif eth0 group ff3e::1 port 5000 "
		       "source 2001:db8::1", &req);
	CHECK_INT(req.rule.family, AF_INET6);
	CHECK(is_ip6(&req.rule.group6, "ff3e::1"));
	CHECK(req.rule.has_source && is_ip6(&req.rule.source6,
					     "2001:db8::1"));
	CHECK_INT(req.rule.port, 5000);
	mcr_request_free(&req);
}

/* Every address of a rule is of its group's family: named when not. */
static void ipv6_mixed_families(void)
{
	CHECK_PARSE_ERROR("rule add iif eth0 group 239.1.1.1 source "
			  "2001:db8::1 oif eth1",
			  "rule add: source \"2001:db8::1\" is IPv6, but the "
			  "rule's group \"239.1.1.1\" is IPv4 (a rule's "
			  "addresses are all of one family)");
	CHECK_PARSE_ERROR("rule add iif eth0 source 2001:db8::1 group "
			  "239.1.1.1 oif eth1",
			  "rule add: source \"2001:db8::1\" is IPv6, but the "
			  "rule's group \"239.1.1.1\" is IPv4 (a rule's "
			  "addresses are all of one family)");
	CHECK_PARSE_ERROR("rule add iif eth0 group ff3e::1 source 10.0.0.1 "
			  "oif eth1",
			  "rule add: source \"10.0.0.1\" is IPv4, but the "
			  "rule's group \"ff3e::1\" is IPv6 (a rule's "
			  "addresses are all of one family)");
	CHECK_PARSE_ERROR("rule add source 10.0.0.1 iif eth0 group ff3e::1 "
			  "oif eth1",
			  "rule add: source \"10.0.0.1\" is IPv4, but the "
			  "rule's group \"ff3e::1\" is IPv6 (a rule's "
			  "addresses are all of one family)");
	CHECK_PARSE_ERROR("rule add iif eth0 group 239.1.1.1 oif eth1 "
			  "group ff3e::2",
			  "rule add: group \"ff3e::2\" of oif #1 is IPv6, but "
			  "the rule's group \"239.1.1.1\" is IPv4 (a rule's "
			  "addresses are all of one family)");
	CHECK_PARSE_ERROR("rule add iif eth0 group ff3e::1 oif eth1 "
			  "group ff3e::2 oif eth2 group 239.2.2.2",
			  "rule add: group \"239.2.2.2\" of oif #2 is IPv4, "
			  "but the rule's group \"ff3e::1\" is IPv6 (a rule's "
			  "addresses are all of one family)");
	CHECK_PARSE_ERROR("rule add iif eth0 group 239.1.1.1 oif eth1 "
			  "source 2001:db8::2",
			  "rule add: source \"2001:db8::2\" of oif #1 is IPv6, "
			  "but the rule's group \"239.1.1.1\" is IPv4 (a "
			  "rule's addresses are all of one family)");
	CHECK_PARSE_ERROR("rule replace iif eth0 group ff3e::1 oif eth1 "
			  "source 192.0.2.1",
			  "rule replace: source \"192.0.2.1\" of oif #1 is "
			  "IPv4, but the rule's group \"ff3e::1\" is IPv6 (a "
			  "rule's addresses are all of one family)");
	CHECK_PARSE_ERROR("rule del iif eth0 group ff3e::1 source 10.0.0.1",
			  "rule del: source \"10.0.0.1\" is IPv4, but the "
			  "rule's group \"ff3e::1\" is IPv6 (a rule's "
			  "addresses are all of one family)");
	CHECK_PARSE_ERROR("rule del source 2001:db8::1 group 239.1.1.1 "
			  "iif eth0",
			  "rule del: source \"2001:db8::1\" is IPv6, but the "
			  "rule's group \"239.1.1.1\" is IPv4 (a rule's "
			  "addresses are all of one family)");
	/* "auto" is of both. */
	CHECK_PARSE_ERROR("rule add iif eth0 group ff3e::1 oif eth1 source "
			  "auto oif eth2 source 10.0.0.1",
			  "rule add: source \"10.0.0.1\" of oif #2 is IPv4, "
			  "but the rule's group \"ff3e::1\" is IPv6 (a rule's "
			  "addresses are all of one family)");
}

/* What IPv6 cannot carry there, as the module refuses it too. */
static void ipv6_bad_addresses(void)
{
	CHECK_PARSE_ERROR("rule add iif eth0 group :: oif eth1",
			  "rule add: bad group \"::\" (the unspecified "
			  "address)");
	CHECK_PARSE_ERROR("rule add iif eth0 group ::1 oif eth1",
			  "rule add: bad group \"::1\" (the loopback address)");
	CHECK_PARSE_ERROR("rule add iif eth0 group ::ffff:239.1.1.1 "
			  "oif eth1",
			  "rule add: bad group \"::ffff:239.1.1.1\" (an "
			  "IPv4-mapped address: write an IPv4 address as "
			  "a.b.c.d)");
	CHECK_PARSE_ERROR("rule add iif eth0 group ff01::1 oif eth1",
			  "rule add: bad group \"ff01::1\" (a multicast "
			  "address of interface-local or reserved scope, "
			  "which no router forwards)");
	CHECK_PARSE_ERROR("rule add iif eth0 group ff10::1 oif eth1",
			  "rule add: bad group \"ff10::1\" (a multicast "
			  "address of interface-local or reserved scope, "
			  "which no router forwards)");
	CHECK_PARSE_ERROR("rule add iif eth0 group ff3e::1 source ff3e::2 "
			  "oif eth1",
			  "rule add: bad source \"ff3e::2\" (a multicast "
			  "address: a source is a unicast address)");
	CHECK_PARSE_ERROR("rule add iif eth0 group ff3e::1 source :: "
			  "oif eth1",
			  "rule add: bad source \"::\" (the unspecified "
			  "address)");
	CHECK_PARSE_ERROR("rule add iif eth0 group ff3e::1 oif eth1 "
			  "group ::",
			  "rule add: bad group \"::\" (the unspecified "
			  "address)");
	CHECK_PARSE_ERROR("rule add iif eth0 group ff3e::1 oif eth1 "
			  "group ff11::1",
			  "rule add: bad group \"ff11::1\" (a multicast "
			  "address of interface-local or reserved scope, "
			  "which no router forwards)");
	CHECK_PARSE_ERROR("rule add iif eth0 group ff3e::1 oif eth1 "
			  "source ff02::1",
			  "rule add: bad source \"ff02::1\" (a multicast "
			  "address: a source is a unicast address)");
	CHECK_PARSE_ERROR("rule add iif eth0 group ff3e::1 oif eth1 "
			  "source ::1",
			  "rule add: bad source \"::1\" (the loopback "
			  "address)");
	CHECK_PARSE_ERROR("rule del iif eth0 group ff3e::1 source "
			  "::ffff:10.0.0.1",
			  "rule del: bad source \"::ffff:10.0.0.1\" (an "
			  "IPv4-mapped address: write an IPv4 address as "
			  "a.b.c.d)");
	/* Not an address at all. */
	CHECK_PARSE_ERROR("rule add iif eth0 group ff3e::g oif eth1",
			  "rule add: bad group \"ff3e::g\" (expected an IPv4 "
			  "or IPv6 address)");
	CHECK_PARSE_ERROR("rule add iif eth0 group 1:2:3:4:5:6:7:8:9 "
			  "oif eth1",
			  "rule add: bad group \"1:2:3:4:5:6:7:8:9\" (expected "
			  "an IPv4 or IPv6 address)");
	CHECK_PARSE_ERROR("rule add iif eth0 group ff3e::1 source "
			  "fe80::1%eth0 oif eth1",
			  "rule add: bad source \"fe80::1%eth0\" (expected an "
			  "IPv4 or IPv6 address)");
	CHECK_PARSE_ERROR("rule add iif eth0 group ff3e::1 oif eth1 "
			  "source [2001:db8::1]",
			  "rule add: bad source \"[2001:db8::1]\" (expected "
			  "\"auto\" or an IPv4 or IPv6 address)");
	CHECK_PARSE_ERROR("rule add iif eth0 group ff3e::1::2 oif eth1",
			  "rule add: bad group \"ff3e::1::2\" (expected an "
			  "IPv4 or IPv6 address)");
}

static void ipv6_addresses(void)
{
	struct in6_addr v6;
	sa_family_t family;
	in_addr_t v4;

	CHECK_INT(mcr_parse_addr("1.2.3.4", &family, &v4, &v6), 0);
	CHECK_INT(family, AF_INET);
	CHECK(v4 == htonl(0x01020304));
	CHECK_INT(mcr_parse_addr("ff3e::1", &family, &v4, &v6), 0);
	CHECK_INT(family, AF_INET6);
	CHECK(is_ip6(&v6, "ff3e::1"));
	CHECK_INT(mcr_parse_addr("ff3e::1 ", &family, &v4, &v6), -1);
	CHECK_INT(mcr_parse_addr("", &family, &v4, &v6), -1);
	CHECK_INT(mcr_parse_addr("1.2.3", &family, &v4, &v6), -1);
	v6 = ip6("ff02::1");
	CHECK(mcr_ipv6_unfit(&v6, false) == NULL);
	CHECK(mcr_ipv6_unfit(&v6, true) != NULL);
	v6 = ip6("2001:db8::1");
	CHECK(mcr_ipv6_unfit(&v6, false) == NULL);
	CHECK(mcr_ipv6_unfit(&v6, true) == NULL);
	v6 = ip6("ff31::1");	/* flags set, interface-local scope */
	CHECK(mcr_ipv6_unfit(&v6, false) != NULL);
}

/* -4, -6: as ip's, before the command; the rules of one family. */
static void family_options(void)
{
	char *a1[] = { "-6", "rule", "show" };
	char *a2[] = { "-4", "-s", "stats" };
	char *a3[] = { "-4", "-6", "rule", "show" };
	char *a4[] = { "-6", "-j", "-6", "rule", "flush" };
	char *a5[] = { "-j", "rule", "show" };
	struct mcr_options o;

	CHECK_INT(mcr_parse_options(&parser, 3, a1, &o), 1);
	CHECK_INT(o.family, AF_INET6);
	CHECK_INT(mcr_parse_options(&parser, 3, a2, &o), 2);
	CHECK_INT(o.family, AF_INET);
	CHECK(o.stats);
	CHECK_INT(mcr_parse_options(&parser, 4, a3, &o), -1);
	CHECK_STR(parser.err, "give either \"-4\" or \"-6\", not both");
	CHECK_INT(mcr_parse_options(&parser, 5, a4, &o), 3);
	CHECK_INT(o.family, AF_INET6);
	/* Without them, every rule. */
	CHECK_INT(mcr_parse_options(&parser, 3, a5, &o), 1);
	CHECK_INT(o.family, 0);
}

#define CHECK_FAMILY_OK(line, family)					\
	do {								\
		struct mcr_request _req;				\
		int _ret = parse_line(line, &_req);			\
		if (!_ret)						\
			_ret = mcr_request_family_check(&parser, &_req,	\
							family);	\
		mcr_request_free(&_req);				\
		if (_ret)						\
			test_fail(__FILE__, __LINE__, "\"%s\": %s",	\
				  line, parser.err);			\
		if (_ret)						\
			return;						\
	} while (0)

#define CHECK_FAMILY_ERROR(line, family, msg)				\
	do {								\
		struct mcr_request _req;				\
		int _ret = parse_line(line, &_req);			\
		/* -2: the line itself is wrong */			\
		_ret = _ret ? -2 :					\
		       mcr_request_family_check(&parser, &_req, family); \
		mcr_request_free(&_req);				\
		CHECK_INT(_ret, -1);					\
		CHECK_STR(parser.err, msg);				\
	} while (0)

/* The commands -4 and -6 filter, and the others, which refuse them. */
static void family_option_commands(void)
{
	CHECK_FAMILY_OK("rule show", AF_INET6);
	CHECK_FAMILY_OK("rule", AF_INET);
	CHECK_FAMILY_OK("rule list dev eth0", AF_INET6);
	CHECK_FAMILY_OK("rule show id 3", AF_INET6);
	CHECK_FAMILY_OK("rule flush", AF_INET6);
	CHECK_FAMILY_OK("rule flush iif eth0", AF_INET);
	CHECK_FAMILY_OK("stats", AF_INET6);
	CHECK_FAMILY_OK("stats id 3", AF_INET6);
	CHECK_FAMILY_OK("stats dev eth0 -w 2", AF_INET6);
	CHECK_FAMILY_OK("stats --prometheus", AF_INET);
	CHECK_FAMILY_OK("help", AF_INET6);
	CHECK_FAMILY_OK("rule help", AF_INET6);
	CHECK_FAMILY_ERROR("rule add iif eth0 group ff3e::1 oif eth1",
			   AF_INET6, "rule add: \"-6\" filters \"rule show\", "
			   "\"stats\" and \"rule flush\" only (a rule's family "
			   "follows from its group address)");
	CHECK_FAMILY_ERROR("rule replace iif eth0 group 239.1.1.1 oif eth1",
			   AF_INET, "rule replace: \"-4\" filters \"rule "
			   "show\", \"stats\" and \"rule flush\" only (a "
			   "rule's family follows from its group address)");
	CHECK_FAMILY_ERROR("rule del id 4", AF_INET6, "rule del: \"-6\" "
			   "filters \"rule show\", \"stats\" and \"rule "
			   "flush\" only (a rule's family follows from its "
			   "group address)");
	CHECK_FAMILY_ERROR("rule save", AF_INET6, "rule save: \"-6\" "
			   "filters \"rule show\", \"stats\" and \"rule "
			   "flush\" only");
	CHECK_FAMILY_ERROR("stats reset", AF_INET, "stats reset: \"-4\" "
			   "filters \"rule show\", \"stats\" and \"rule "
			   "flush\" only");
	CHECK_FAMILY_ERROR("monitor", AF_INET6, "monitor: \"-6\" filters "
			   "\"rule show\", \"stats\" and \"rule flush\" only");
}

/* Given after the command: said where it goes, if it works there. */
static void family_option_after_the_command(void)
{
	CHECK_PARSE_ERROR("rule show -6", "unknown keyword \"-6\" after "
			  "\"rule show\" (options go before the command, as in "
			  "\"mcr-nl -6 rule show\")");
	CHECK_PARSE_ERROR("rule flush -4", "unknown keyword \"-4\" after "
			  "\"rule flush\" (options go before the command, as "
			  "in \"mcr-nl -4 rule flush\")");
	CHECK_PARSE_ERROR("stats -w -6", "unknown keyword \"-6\" after "
			  "\"stats\" (options go before the command, as in "
			  "\"mcr-nl -6 stats\")");
	CHECK_PARSE_ERROR("rule save -6",
			  "unknown keyword \"-6\" after \"rule save\"");
	CHECK_PARSE_ERROR("monitor -4",
			  "unknown keyword \"-4\" after \"monitor\"");
	parser.in_batch = true;
	CHECK_PARSE_ERROR("rule show -6",
			  "unknown keyword \"-6\" after \"rule show\"");
	CHECK_PARSE_ERROR("-6 rule show", "options are not allowed in batch "
			  "lines (\"-6\")");
	parser.in_batch = false;
}

const struct test_case parse_tests[] = {
	TEST(add_minimal),
	TEST(add_every_keyword),
	TEST(add_match_keywords_any_order),
	TEST(replace_is_add_with_replace),
	TEST(match_port_zero_means_any),
	TEST(bad_address),
	TEST(bad_port),
	TEST(ttl_range),
	TEST(missing_required),
	TEST(duplicate_keyword),
	TEST(unknown_keyword),
	TEST(oif_without_device),
	TEST(unknown_device),
	TEST(output_source_neither_auto_nor_address),
	TEST(keyword_in_the_wrong_part),
	TEST(rule_name),
	TEST(too_many_words),
	TEST(del_by_id),
	TEST(del_by_key),
	TEST(del_errors),
	TEST(id_range),
	TEST(other_commands),
	TEST(outputs_1024),
	TEST(options),
	TEST(options_rejected_in_batch_lines),
	TEST(batch_lines),
	TEST(batch_continued_lines),
	TEST(rule_flags_by_number),
	TEST(split_words),
	TEST(split_comments_and_blanks),
	TEST(split_quotes),
	TEST(split_errors),
	TEST(numbers_and_addresses),
	TEST(add_ipv6),
	TEST(del_by_key_ipv6),
	TEST(ipv6_mixed_families),
	TEST(ipv6_bad_addresses),
	TEST(ipv6_addresses),
	TEST(family_options),
	TEST(family_option_commands),
	TEST(family_option_after_the_command),
	TEST_END
};
