// SPDX-License-Identifier: GPL-2.0
/* Tests of print.c and json.c, and of the save -> parse round trip. */
#include <arpa/inet.h>
#include <stdlib.h>

#include "harness.h"
#include "json.h"
#include "monitor.h"
#include "parse.h"
#include "print.h"
#include "version.h"

static void printer_init(struct mcr_printer *pr, struct capture *cap,
			 struct json_writer *json)
{
	memset(pr, 0, sizeof(*pr));
	pr->out = cap->f;
	pr->ifname = fake_ifname;
	if (json) {
		json_init(json, cap->f);
		pr->json = json;
	}
}

/* The rule of the examples: every field set, counters included. */
static void full_rule(struct mcr_rule *r)
{
	struct mcr_output *o;

	mcr_rule_init(r);
	r->id = 7;
	strcpy(r->name, "feedA");
	r->iif = 2;
	r->has_group = true;
	r->group = inet_addr("239.1.1.1");
	r->port = 5000;
	r->has_source = true;
	r->source = inet_addr("10.0.0.1");
	r->flags = MCR_RULE_FLAGS_CONSUME | MCR_RULE_FLAGS_NOJOIN;
	r->has_stats = true;
	r->stats.packets = 1234;
	r->stats.bytes = 1851000;

	o = mcr_rule_add_output(r);
	o->ifindex = 3;
	o->has_group = true;
	o->group = inet_addr("239.2.2.2");
	o->port = 6000;
	o->ttl = 5;
	o->source_auto = true;
	o->has_stats = true;
	o->stats = (struct mcr_output_stats){ 1234, 1851000, 1, 2, 3, 4 };

	o = mcr_rule_add_output(r);
	o->ifindex = 4;
	o->has_source = true;
	o->source = inet_addr("192.0.2.1");
	o->has_stats = true;
}

static void minimal_rule(struct mcr_rule *r)
{
	mcr_rule_init(r);
	r->id = 1;
	r->iif = 2;
	r->has_group = true;
	r->group = inet_addr("239.1.1.1");
	mcr_rule_add_output(r)->ifindex = 3;
}

static const char full_rule_human[] =
	"rule 7 name feedA iif eth0 group 239.1.1.1 port 5000 "
	"source 10.0.0.1 consume nojoin\n"
	"    packets 1234 bytes 1851000\n"
	"    oif eth1 group 239.2.2.2 port 6000 ttl 5 source auto\n"
	"        packets 1234 bytes 1851000 drop-xmit 1 drop-too-big 2 "
	"drop-ttl 3 drop-nomem 4\n"
	"    oif eth2 source 192.0.2.1\n"
	"        packets 0 bytes 0 drop-xmit 0 drop-too-big 0 drop-ttl 0 "
	"drop-nomem 0\n";

static const char full_rule_json[] =
	"{\"id\":7,\"name\":\"feedA\",\"iif\":\"eth0\",\"iif_index\":2,"
	"\"group\":\"239.1.1.1\",\"port\":5000,\"source\":\"10.0.0.1\","
	"\"flags\":[\"consume\",\"nojoin\"],\"outputs\":["
	"{\"oif\":\"eth1\",\"oif_index\":3,\"group\":\"239.2.2.2\","
	"\"port\":6000,\"ttl\":5,\"source\":\"auto\",\"stats\":{"
	"\"packets\":1234,\"bytes\":1851000,\"drop_xmit\":1,"
	"\"drop_too_big\":2,\"drop_ttl\":3,\"drop_nomem\":4}},"
	"{\"oif\":\"eth2\",\"oif_index\":4,\"source\":\"192.0.2.1\","
	"\"stats\":{\"packets\":0,\"bytes\":0,\"drop_xmit\":0,"
	"\"drop_too_big\":0,\"drop_ttl\":0,\"drop_nomem\":0}}],"
	"\"stats\":{\"packets\":1234,\"bytes\":1851000}}";

static const char full_rule_save[] =
	"rule add iif eth0 group 239.1.1.1 port 5000 source 10.0.0.1 "
	"name feedA consume nojoin oif eth1 group 239.2.2.2 port 6000 ttl 5 "
	"source auto oif eth2 source 192.0.2.1\n";

static void rule_human_all_fields(void)
{
	struct mcr_printer pr;
	struct capture cap;
	struct mcr_rule r;

	full_rule(&r);
	capture_start(&cap);
	printer_init(&pr, &cap, NULL);
	pr.stats = true;	/* -s */
	mcr_print_rule(&pr, &r);
	capture_end(&cap);
	CHECK_STR(cap.buf, full_rule_human);
	capture_free(&cap);

	/* Without -s, as ip: no counters. */
	capture_start(&cap);
	printer_init(&pr, &cap, NULL);
	mcr_print_rule(&pr, &r);
	capture_end(&cap);
	mcr_rule_free(&r);
	CHECK_STR(cap.buf,
		  "rule 7 name feedA iif eth0 group 239.1.1.1 port 5000 "
		  "source 10.0.0.1 consume nojoin\n"
		  "    oif eth1 group 239.2.2.2 port 6000 ttl 5 source auto\n"
		  "    oif eth2 source 192.0.2.1\n");
	capture_free(&cap);
}

static void rule_json_all_fields(void)
{
	struct json_writer json;
	struct mcr_printer pr;
	struct capture cap;
	struct mcr_rule r;

	full_rule(&r);
	capture_start(&cap);
	printer_init(&pr, &cap, &json);
	mcr_print_rule(&pr, &r);
	capture_end(&cap);
	mcr_rule_free(&r);
	CHECK_STR(cap.buf, full_rule_json);
	capture_free(&cap);
}

static void rule_minimal_human_and_json(void)
{
	struct json_writer json;
	struct mcr_printer pr;
	struct capture cap;
	struct mcr_rule r;

	minimal_rule(&r);
	capture_start(&cap);
	printer_init(&pr, &cap, NULL);
	mcr_print_rule(&pr, &r);
	capture_end(&cap);
	CHECK_STR(cap.buf, "rule 1 iif eth0 group 239.1.1.1\n    oif eth1\n");
	capture_free(&cap);

	capture_start(&cap);
	printer_init(&pr, &cap, &json);
	json_begin_array(&json);
	mcr_print_rule(&pr, &r);
	mcr_print_rule(&pr, &r);
	json_end_array(&json);
	json_end_line(&json);
	capture_end(&cap);
	mcr_rule_free(&r);
	CHECK_STR(cap.buf, "[{\"id\":1,\"iif\":\"eth0\",\"iif_index\":2,"
		  "\"group\":\"239.1.1.1\",\"port\":0,\"flags\":[],"
		  "\"outputs\":[{\"oif\":\"eth1\",\"oif_index\":3}]},"
		  "{\"id\":1,\"iif\":\"eth0\",\"iif_index\":2,"
		  "\"group\":\"239.1.1.1\",\"port\":0,\"flags\":[],"
		  "\"outputs\":[{\"oif\":\"eth1\",\"oif_index\":3}]}]\n");
	capture_free(&cap);
}

static void unknown_devices_and_flags(void)
{
	struct mcr_printer pr;
	struct capture cap;
	struct mcr_rule r;

	minimal_rule(&r);
	r.iif = 77;
	r.flags = MCR_RULE_FLAGS_NOJOIN | 0x10;
	r.outputs[0].ifindex = 4000000000u;
	capture_start(&cap);
	printer_init(&pr, &cap, NULL);
	mcr_print_rule(&pr, &r);
	capture_end(&cap);
	mcr_rule_free(&r);
	CHECK_STR(cap.buf, "rule 1 iif if77 group 239.1.1.1 nojoin flags "
		  "0x10\n    oif if4000000000\n");
	capture_free(&cap);
}

/*
 * A device's name can hold any byte but '/', ':' and blanks: in human
 * output it is quoted and escaped as a batch word, in JSON as a string.
 */
static void odd_device_names(void)
{
	struct json_writer json;
	struct mcr_printer pr;
	struct capture cap;
	struct mcr_rule r;

	minimal_rule(&r);
	r.iif = FAKE_IFINDEX_ODD;
	r.outputs[0].ifindex = FAKE_IFINDEX_ODD;
	capture_start(&cap);
	printer_init(&pr, &cap, NULL);
	mcr_print_rule(&pr, &r);
	printer_init(&pr, &cap, &json);
	mcr_print_rule(&pr, &r);
	json_end_line(&json);
	capture_end(&cap);
	mcr_rule_free(&r);
	CHECK_STR(cap.buf,
		  "rule 1 iif \"e\\x1b[2J#\\xc2\\x85\" group 239.1.1.1\n"
		  "    oif \"e\\x1b[2J#\\xc2\\x85\"\n"
		  "{\"id\":1,\"iif\":\"e\\u001b[2J#\\u0085\",\"iif_index\":66,"
		  "\"group\":\"239.1.1.1\",\"port\":0,\"flags\":[],\"outputs\":"
		  "[{\"oif\":\"e\\u001b[2J#\\u0085\",\"oif_index\":66}]}\n");
	capture_free(&cap);
}

static const char *escaped(struct capture *cap, const char *s)
{
	capture_start(cap);
	json_write_escaped(cap->f, s);
	return capture_end(cap);
}

static void json_string_escaping(void)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "plain", "\"plain\"" },
		{ "", "\"\"" },
		{ "a\"b\\c/d", "\"a\\\"b\\\\c/d\"" },
		{ "\b\f\n\r\t", "\"\\b\\f\\n\\r\\t\"" },
		{ "\x01\x1f\x7f", "\"\\u0001\\u001f\\u007f\"" },
		{ "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x93\xa1",
		  "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x93\xa1\"" },
		/* Invalid UTF-8: lone byte, truncated, overlong, surrogate. */
		{ "a\xff" "b", "\"a\\ufffdb\"" },
		{ "a\xc3", "\"a\\ufffd\"" },
		{ "\xc0\xaf", "\"\\ufffd\\ufffd\"" },
		{ "\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"" },
		/* C1 controls, as UTF-8: escaped, not passed to a terminal. */
		{ "a\xc2\x85\xc2\x9f\xc2\xa0", "\"a\\u0085\\u009f\xc2\xa0\"" },
	};
	struct capture cap;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		escaped(&cap, cases[i].in);
		CHECK_STR(cap.buf, cases[i].out);
		capture_free(&cap);
	}
}

static void json_name_escaping_in_rule(void)
{
	struct json_writer json;
	struct mcr_printer pr;
	struct capture cap;
	struct mcr_rule r;

	minimal_rule(&r);
	strcpy(r.name, "a\"b\\c\nd\x01");
	capture_start(&cap);
	printer_init(&pr, &cap, &json);
	mcr_print_rule(&pr, &r);
	capture_end(&cap);
	mcr_rule_free(&r);
	CHECK(strstr(cap.buf, "\"name\":\"a\\\"b\\\\c\\nd\\u0001\","));
	capture_free(&cap);
}

/* -p: indented as iproute2's json_writer indents ip -j -p. */
static void rule_json_pretty(void)
{
	struct json_writer json;
	struct mcr_printer pr;
	struct capture cap;
	struct mcr_rule r;

	minimal_rule(&r);
	capture_start(&cap);
	printer_init(&pr, &cap, &json);
	json.pretty = true;
	json_begin_array(&json);
	mcr_print_rule(&pr, &r);
	mcr_print_rule(&pr, &r);
	json_end_array(&json);
	json_end_line(&json);
	json_begin_array(&json);
	json_end_array(&json);
	json_end_line(&json);
	capture_end(&cap);
	mcr_rule_free(&r);
	CHECK_STR(cap.buf,
		  "[ {\n"
		  "        \"id\": 1,\n"
		  "        \"iif\": \"eth0\",\n"
		  "        \"iif_index\": 2,\n"
		  "        \"group\": \"239.1.1.1\",\n"
		  "        \"port\": 0,\n"
		  "        \"flags\": [ ],\n"
		  "        \"outputs\": [ {\n"
		  "                \"oif\": \"eth1\",\n"
		  "                \"oif_index\": 3\n"
		  "            } ]\n"
		  "    },{\n"
		  "        \"id\": 1,\n"
		  "        \"iif\": \"eth0\",\n"
		  "        \"iif_index\": 2,\n"
		  "        \"group\": \"239.1.1.1\",\n"
		  "        \"port\": 0,\n"
		  "        \"flags\": [ ],\n"
		  "        \"outputs\": [ {\n"
		  "                \"oif\": \"eth1\",\n"
		  "                \"oif_index\": 3\n"
		  "            } ]\n"
		  "    } ]\n"
		  "[ ]\n");
	capture_free(&cap);
}

static void json_writer_commas(void)
{
	struct json_writer w;
	struct capture cap;

	capture_start(&cap);
	json_init(&w, cap.f);
	json_begin_object(&w);
	json_key(&w, "a");
	json_begin_array(&w);
	json_u64(&w, 1);
	json_begin_object(&w);
	json_end_object(&w);
	json_begin_array(&w);
	json_end_array(&w);
	json_string(&w, "x");
	json_end_array(&w);
	json_kv_u64(&w, "b", UINT64_MAX);
	json_kv_string(&w, "c", "d");
	json_end_object(&w);
	json_end_line(&w);
	json_begin_array(&w);
	json_end_array(&w);
	json_end_line(&w);
	capture_end(&cap);
	CHECK_STR(cap.buf, "{\"a\":[1,{},[],\"x\"],\"b\":18446744073709551615,"
		  "\"c\":\"d\"}\n[]\n");
	capture_free(&cap);
}

static void save_line(void)
{
	struct mcr_printer pr;
	struct capture cap;
	struct mcr_rule r;

	full_rule(&r);
	capture_start(&cap);
	printer_init(&pr, &cap, NULL);
	mcr_print_save_header(&pr);
	mcr_print_save_rule(&pr, &r);
	capture_end(&cap);
	mcr_rule_free(&r);
	CHECK(!strncmp(cap.buf, "# mcr rules, saved by mcr-nl " MCR_VERSION
		       "\n", strlen("# mcr rules, saved by mcr-nl "
				    MCR_VERSION "\n")));
	CHECK_STR(strchr(cap.buf, '\n') + 1, full_rule_save);
	capture_free(&cap);
}

/* Fields a save line carries: everything but the id and the counters. */
static bool outputs_equal(const struct mcr_output *a,
			  const struct mcr_output *b)
{
	return a->ifindex == b->ifindex && a->has_group == b->has_group &&
	       (!a->has_group ||
		(a->group == b->group &&
		 IN6_ARE_ADDR_EQUAL(&a->group6, &b->group6))) &&
	       a->port == b->port && a->ttl == b->ttl &&
	       a->has_source == b->has_source &&
	       (!a->has_source ||
		(a->source == b->source &&
		 IN6_ARE_ADDR_EQUAL(&a->source6, &b->source6))) &&
	       a->source_auto == b->source_auto;
}

static bool rules_equal(const struct mcr_rule *a, const struct mcr_rule *b)
{
	size_t i;

	/* A rule built without a family is IPv4, as the parser says. */
	if (mcr_rule_is_ipv6(a) != mcr_rule_is_ipv6(b))
		return false;
	if (strcmp(a->name, b->name) || a->iif != b->iif ||
	    a->has_group != b->has_group || a->group != b->group ||
	    !IN6_ARE_ADDR_EQUAL(&a->group6, &b->group6) ||
	    a->port != b->port || a->has_source != b->has_source ||
	    (a->has_source && (a->source != b->source ||
			       !IN6_ARE_ADDR_EQUAL(&a->source6,
						   &b->source6))) ||
	    a->flags != b->flags || a->n_outputs != b->n_outputs)
		return false;
	for (i = 0; i < a->n_outputs; i++)
		if (!outputs_equal(&a->outputs[i], &b->outputs[i]))
			return false;
	return true;
}

/* Prints @r as a save line, reads it back as a batch line would be. */
static int save_and_parse(const struct mcr_rule *r, struct mcr_request *req,
			  char *err, size_t errlen)
{
	struct mcr_parser parser = { .ifindex = fake_ifindex, .in_batch = true };
	struct mcr_printer pr;
	struct mcr_words w;
	struct capture cap;
	int ret;

	memset(req, 0, sizeof(*req));
	capture_start(&cap);
	printer_init(&pr, &cap, NULL);
	mcr_print_save_rule(&pr, r);
	capture_end(&cap);
	ret = mcr_split_line(cap.buf, &w, err, errlen);
	capture_free(&cap);
	if (ret)
		return ret;
	ret = mcr_parse_request(&parser, w.argc, w.argv, req);
	if (ret)
		snprintf(err, errlen, "%s", parser.err);
	mcr_words_free(&w);
	return ret;
}

static void save_round_trip(void)
{
	struct mcr_request req;
	struct mcr_rule r;
	char err[MCR_ERR_LEN];
	int ret;

	full_rule(&r);
	ret = save_and_parse(&r, &req, err, sizeof(err));
	if (ret)
		test_fail(__FILE__, __LINE__, "%s", err);
	CHECK_INT(req.type, MCR_REQ_RULE_ADD);
	CHECK(rules_equal(&r, &req.rule));
	mcr_request_free(&req);

	/* A flag this version has no word for reads back too. */
	mcr_rule_free(&r);
	full_rule(&r);
	r.flags |= 0x80000004;
	ret = save_and_parse(&r, &req, err, sizeof(err));
	if (ret)
		test_fail(__FILE__, __LINE__, "%s", err);
	CHECK(rules_equal(&r, &req.rule));
	mcr_request_free(&req);

	mcr_rule_free(&r);
	minimal_rule(&r);
	ret = save_and_parse(&r, &req, err, sizeof(err));
	if (ret)
		test_fail(__FILE__, __LINE__, "%s", err);
	CHECK(rules_equal(&r, &req.rule));
	mcr_request_free(&req);
	mcr_rule_free(&r);
}

/*
 * Names that are not printable UTF-8 (set by an older mcr-nl, or another
 * tool) are saved escaped, and refused when read back with a message that
 * says why, rather than restored into a terminal-breaking name.
 */
static void save_odd_names_refused(void)
{
	static const char *const names[] = {
		"ctl\x01\x7f\x1f", "tab\t", "\xff\xfe", "c1\xc2\x85",
	};
	struct mcr_request req;
	struct mcr_rule r;
	char err[MCR_ERR_LEN];
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		int ret;

		full_rule(&r);
		strcpy(r.name, names[i]);
		ret = save_and_parse(&r, &req, err, sizeof(err));
		mcr_request_free(&req);
		mcr_rule_free(&r);
		CHECK_INT(ret, -1);
		CHECK(strstr(err, "rule add: bad name: ") == err);
	}
}

static void save_round_trip_odd_names(void)
{
	static const char *const names[] = {
		"a b", "#x", "q\"t", "back\\slash", "caf\xc3\xa9", "oif", "x#",
		"it's", "'", "''",
		"\xe2\x82\xac\xc2\xa0\xf0\x9f\x98\x80",
		"abcdefghijklmnopqrstuvwxyz01234",
	};
	struct mcr_request req;
	struct mcr_rule r;
	char err[MCR_ERR_LEN];
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		full_rule(&r);
		strcpy(r.name, names[i]);
		if (save_and_parse(&r, &req, err, sizeof(err))) {
			test_fail(__FILE__, __LINE__, "name %zu: %s", i, err);
			mcr_request_free(&req);
			mcr_rule_free(&r);
			return;
		}
		CHECK_STR(req.rule.name, names[i]);
		CHECK(rules_equal(&r, &req.rule));
		mcr_request_free(&req);
		mcr_rule_free(&r);
	}
}

static void save_round_trip_1024_outputs(void)
{
	struct mcr_request req;
	struct mcr_output *o;
	struct mcr_rule r;
	char err[MCR_ERR_LEN];
	unsigned int i;

	minimal_rule(&r);
	r.n_outputs = 0;
	for (i = 0; i < 1024; i++) {
		o = mcr_rule_add_output(&r);
		CHECK(o);
		o->ifindex = 1000 + i;
		o->ttl = (uint8_t)(1 + i % 255);
		o->port = (uint16_t)(i % 3 ? 20000 + i : 0);
		o->source_auto = i % 2;
		o->has_group = i % 5 == 0;
		o->group = htonl(0xef000000 + i);
	}
	if (save_and_parse(&r, &req, err, sizeof(err)))
		test_fail(__FILE__, __LINE__, "%s", err);
	CHECK_INT(req.rule.n_outputs, 1024);
	CHECK(rules_equal(&r, &req.rule));
	mcr_request_free(&req);
	mcr_rule_free(&r);
}

static void quote_word(void)
{
	char buf[MCR_QUOTED_LEN];

	CHECK_STR(mcr_quote_word("feedA", buf, sizeof(buf)), "feedA");
	CHECK_STR(mcr_quote_word("", buf, sizeof(buf)), "\"\"");
	CHECK_STR(mcr_quote_word("a b", buf, sizeof(buf)), "\"a b\"");
	CHECK_STR(mcr_quote_word("a\"\\", buf, sizeof(buf)),
		  "\"a\\\"\\\\\"");
	CHECK_STR(mcr_quote_word("\x01\n", buf, sizeof(buf)),
		  "\"\\x01\\x0a\"");
	CHECK_STR(mcr_quote_word("#", buf, sizeof(buf)), "\"#\"");
	/* C1 controls (UTF-8 or raw) and stray bytes never reach a
	 * terminal; printable UTF-8 is kept as it is. */
	CHECK_STR(mcr_quote_word("a\xc2\x9b" "1m", buf, sizeof(buf)),
		  "\"a\\xc2\\x9b" "1m\"");
	CHECK_STR(mcr_quote_word("\x9b" "1m", buf, sizeof(buf)),
		  "\"\\x9b" "1m\"");
	CHECK_STR(mcr_quote_word("caf\xe9", buf, sizeof(buf)),
		  "\"caf\\xe9\"");
	CHECK_STR(mcr_quote_word("caf\xc3\xa9\xc2\xa0", buf, sizeof(buf)),
		  "caf\xc3\xa9\xc2\xa0");
}

/* monitor -t: ip monitor -t's line before each event, "time" in JSON. */
static void event_timestamps(void)
{
	const struct timespec ts = { .tv_sec = 1735732802, .tv_nsec = 7654321 };
	const char *tz = getenv("TZ");
	char *saved = tz ? strdup(tz) : NULL;
	struct json_writer json;
	struct mcr_printer pr;
	struct capture cap;
	struct mcr_rule r;

	setenv("TZ", "UTC0", 1);
	tzset();
	minimal_rule(&r);
	capture_start(&cap);
	printer_init(&pr, &cap, NULL);
	pr.stamp = &ts;
	CHECK_INT(mcr_print_event(&pr, MCR_CMD_RULE_NEW_NTF, &r, NULL), 0);
	pr.stamp = NULL;
	CHECK_INT(mcr_print_event(&pr, MCR_CMD_RULE_DEL_NTF, &r, NULL), 0);
	capture_end(&cap);
	CHECK_STR(cap.buf,
		  "Timestamp: Wed Jan  1 12:00:02 2025 7654 usec\n"
		  "added rule 1 iif eth0 group 239.1.1.1 oif eth1\n"
		  "deleted rule 1 iif eth0 group 239.1.1.1 oif eth1\n");
	capture_free(&cap);

	capture_start(&cap);
	printer_init(&pr, &cap, &json);
	pr.stamp = &ts;
	CHECK_INT(mcr_print_event(&pr, MCR_CMD_RULE_DEL_NTF, &r, NULL), 0);
	capture_end(&cap);
	CHECK_STR(cap.buf,
		  "{\"time\":\"2025-01-01T12:00:02.007654+00:00\","
		  "\"event\":\"rule-del\",\"rule\":{\"id\":1,\"iif\":\"eth0\","
		  "\"iif_index\":2,\"group\":\"239.1.1.1\",\"port\":0,"
		  "\"flags\":[],\"outputs\":[{\"oif\":\"eth1\","
		  "\"oif_index\":3}]}}\n");
	capture_free(&cap);
	mcr_rule_free(&r);

	if (saved)
		setenv("TZ", saved, 1);
	else
		unsetenv("TZ");
	free(saved);
	tzset();
}

/* monitor id ID | dev DEV: which events are shown. */
static void event_filter(void)
{
	struct mcr_rule r;

	minimal_rule(&r);
	r.id = 5;
	CHECK(mcr_monitor_wants(0, 0, &r));
	CHECK(mcr_monitor_wants(5, 0, &r));
	CHECK(!mcr_monitor_wants(6, 0, &r));
	CHECK(mcr_monitor_wants(0, r.iif, &r));
	CHECK(!mcr_monitor_wants(0, r.iif + 1, &r));
	mcr_rule_free(&r);
}

static void event_lines(void)
{
	struct json_writer json;
	struct mcr_printer pr;
	struct capture cap;
	struct mcr_rule r;

	full_rule(&r);
	r.id = 3;
	r.outputs[1].has_source = false;
	capture_start(&cap);
	printer_init(&pr, &cap, NULL);
	CHECK_INT(mcr_print_event(&pr, MCR_CMD_RULE_NEW_NTF, &r, NULL), 0);
	CHECK_INT(mcr_print_event(&pr, MCR_CMD_RULE_DEL_NTF, &r, NULL), 0);
	CHECK_INT(mcr_print_event(&pr, MCR_CMD_OUTPUT_DEL_NTF, &r, NULL), 0);
	CHECK_INT(mcr_print_event(&pr, MCR_CMD_RULE_GET, &r, NULL), -1);
	capture_end(&cap);
	CHECK_STR(cap.buf,
		  "added rule 3 name feedA iif eth0 group 239.1.1.1 port 5000 "
		  "source 10.0.0.1 consume nojoin oif eth1 group 239.2.2.2 "
		  "port 6000 ttl 5 source auto oif eth2\n"
		  "deleted rule 3 name feedA iif eth0 group 239.1.1.1 port "
		  "5000 source 10.0.0.1 consume nojoin oif eth1 group "
		  "239.2.2.2 port 6000 ttl 5 source auto oif eth2\n"
		  "output-removed rule 3 name feedA iif eth0 group 239.1.1.1 "
		  "port 5000 source 10.0.0.1 consume nojoin remaining oif "
		  "eth1 group 239.2.2.2 port 6000 ttl 5 source auto oif "
		  "eth2\n");
	capture_free(&cap);
	mcr_rule_free(&r);

	minimal_rule(&r);
	capture_start(&cap);
	printer_init(&pr, &cap, &json);
	mcr_print_event(&pr, MCR_CMD_RULE_NEW_NTF, &r, NULL);
	mcr_print_event(&pr, MCR_CMD_OUTPUT_DEL_NTF, &r, NULL);
	capture_end(&cap);
	mcr_rule_free(&r);
	CHECK_STR(cap.buf,
		  "{\"event\":\"rule-new\",\"rule\":{\"id\":1,\"iif\":\"eth0\","
		  "\"iif_index\":2,\"group\":\"239.1.1.1\",\"port\":0,"
		  "\"flags\":[],\"outputs\":[{\"oif\":\"eth1\","
		  "\"oif_index\":3}]}}\n"
		  "{\"event\":\"output-del\",\"rule\":{\"id\":1,\"iif\":"
		  "\"eth0\",\"iif_index\":2,\"group\":\"239.1.1.1\",\"port\":0,"
		  "\"flags\":[],\"outputs\":[{\"oif\":\"eth1\","
		  "\"oif_index\":3}]}}\n");
	capture_free(&cap);
}

/*
 * An output-del notification carries the outputs that remain: the monitor
 * names the removed one from what it knew of the rule.
 */
static void output_del_names_the_removed_output(void)
{
	struct mcr_rule before, after, removed, other;
	struct json_writer json;
	struct mcr_monitor mon;
	struct mcr_printer pr;
	struct capture cap;
	int known;

	full_rule(&before);
	before.outputs[1].ifindex = 9;	/* its device is going away */
	full_rule(&after);
	after.n_outputs = 1;
	after.outputs[0].has_stats = false;
	mcr_monitor_init(&mon);
	CHECK_INT(mcr_monitor_learn(&mon, &before), 0);

	mcr_rule_init(&removed);
	known = mcr_monitor_track(&mon, MCR_CMD_OUTPUT_DEL_NTF, &after,
				  &removed);
	CHECK_INT(known, 1);
	CHECK_INT(removed.n_outputs, 1);
	CHECK_INT(removed.outputs[0].ifindex, 9);
	capture_start(&cap);
	printer_init(&pr, &cap, NULL);
	mcr_print_event(&pr, MCR_CMD_OUTPUT_DEL_NTF, &after, &removed);
	printer_init(&pr, &cap, &json);
	mcr_print_event(&pr, MCR_CMD_OUTPUT_DEL_NTF, &after, &removed);
	capture_end(&cap);
	mcr_rule_free(&removed);
	CHECK_STR(cap.buf,
		  "output-removed rule 7 name feedA iif eth0 group 239.1.1.1 "
		  "port 5000 source 10.0.0.1 consume nojoin oif if9 source "
		  "192.0.2.1\n"
		  "{\"event\":\"output-del\",\"rule\":{\"id\":7,\"name\":"
		  "\"feedA\",\"iif\":\"eth0\",\"iif_index\":2,\"group\":"
		  "\"239.1.1.1\",\"port\":5000,\"source\":\"10.0.0.1\","
		  "\"flags\":[\"consume\",\"nojoin\"],\"outputs\":[{\"oif\":"
		  "\"eth1\",\"oif_index\":3,\"group\":\"239.2.2.2\","
		  "\"port\":6000,\"ttl\":5,\"source\":\"auto\"}],"
		  "\"stats\":{\"packets\":1234,\"bytes\":1851000}},"
		  "\"removed\":[{\"oif\":\"if9\",\"oif_index\":9,"
		  "\"source\":\"192.0.2.1\"}]}\n");
	capture_free(&cap);

	/* The same event again: the rule is known as it is now, nothing is
	 * missing, so which output went is not known. */
	mcr_rule_init(&removed);
	CHECK_INT(mcr_monitor_track(&mon, MCR_CMD_OUTPUT_DEL_NTF, &after,
				    &removed), 0);
	CHECK_INT(removed.n_outputs, 0);
	/* A rule deleted, then one never seen: not known either. */
	CHECK_INT(mcr_monitor_track(&mon, MCR_CMD_RULE_DEL_NTF, &after,
				    &removed), 0);
	CHECK_INT(mcr_monitor_track(&mon, MCR_CMD_OUTPUT_DEL_NTF, &after,
				    &removed), 0);
	CHECK_INT(removed.n_outputs, 0);
	/* A rule added (or replaced) by a notification is followed. */
	minimal_rule(&other);
	mcr_rule_add_output(&other)->ifindex = 4;
	CHECK_INT(mcr_monitor_track(&mon, MCR_CMD_RULE_NEW_NTF, &other,
				    &removed), 0);
	other.outputs[0] = other.outputs[1];
	other.n_outputs = 1;
	CHECK_INT(mcr_monitor_track(&mon, MCR_CMD_OUTPUT_DEL_NTF, &other,
				    &removed), 1);
	CHECK_INT(removed.n_outputs, 1);
	CHECK_INT(removed.outputs[0].ifindex, 3);
	mcr_rule_free(&removed);
	mcr_rule_free(&other);
	mcr_rule_free(&before);
	mcr_rule_free(&after);
	mcr_monitor_free(&mon);
}

static const struct mcr_netns_stats some_netns = {
	.no_match = 12, .not_udp = 3, .fragments = 0, .not_routable = 5,
	.zero_checksum = 6, .outputs_removed = 1, .rules = 2, .outputs = 3,
	.max_rules = 1024, .max_outputs = 64,
};

static void stats_human(void)
{
	struct mcr_printer pr;
	struct capture cap;
	struct mcr_rule r;

	full_rule(&r);
	capture_start(&cap);
	printer_init(&pr, &cap, NULL);
	mcr_print_netns_stats(&pr, &some_netns);
	mcr_print_rule_stats(&pr, &r);
	r.id = 12345;
	r.has_stats = false;
	r.outputs[1].has_stats = false;
	mcr_print_rule_stats(&pr, &r);
	capture_end(&cap);
	mcr_rule_free(&r);
	CHECK_STR(cap.buf,
"namespace\n"
"    rules            2 (max 1024)\n"
"    outputs          3 (max 64 per rule)\n"
"    no-match         12\n"
"    not-udp          3\n"
"    fragments        0\n"
"    not-routable     5\n"
"    zero-checksum    6\n"
"    outputs-removed  1\n"
"\n"
"    RULE  OIF                  PACKETS          BYTES  DROP-XMIT "
"DROP-TOO-BIG  DROP-TTL DROP-NOMEM\n"
"       7  -                       1234        1851000  name feedA\n"
"          eth1                    1234        1851000          1 "
"           2         3          4\n"
"          eth2                       0              0          0 "
"           0         0          0\n"
"   12345  -  name feedA\n"
"          eth1                    1234        1851000          1 "
"           2         3          4\n"
"          eth2\n");
	capture_free(&cap);
}

/* The document main.c writes for "mcr-nl -j stats". */
static void stats_json(void)
{
	struct json_writer json;
	struct mcr_printer pr;
	struct capture cap;
	struct mcr_rule r;

	full_rule(&r);
	capture_start(&cap);
	printer_init(&pr, &cap, &json);
	json_begin_object(&json);
	json_key(&json, "netns");
	mcr_print_netns_stats(&pr, &some_netns);
	json_key(&json, "rules");
	json_begin_array(&json);
	r.name[0] = '\0';	/* stats replies carry no name */
	mcr_print_rule_stats(&pr, &r);
	json_end_array(&json);
	json_end_object(&json);
	json_end_line(&json);
	capture_end(&cap);
	mcr_rule_free(&r);
	CHECK_STR(cap.buf,
		  "{\"netns\":{\"no_match\":12,\"not_udp\":3,\"fragments\":0,"
		  "\"not_routable\":5,\"zero_checksum\":6,"
		  "\"outputs_removed\":1,\"rules\":2,\"outputs\":3,"
		  "\"max_rules\":1024,\"max_outputs\":64},\"rules\":["
		  "{\"id\":7,\"stats\":{\"packets\":1234,\"bytes\":1851000},"
		  "\"outputs\":[{\"oif\":\"eth1\",\"oif_index\":3,\"stats\":{"
		  "\"packets\":1234,\"bytes\":1851000,\"drop_xmit\":1,"
		  "\"drop_too_big\":2,\"drop_ttl\":3,\"drop_nomem\":4}},"
		  "{\"oif\":\"eth2\",\"oif_index\":4,\"stats\":{\"packets\":0,"
		  "\"bytes\":0,\"drop_xmit\":0,\"drop_too_big\":0,"
		  "\"drop_ttl\":0,\"drop_nomem\":0}}]}]}\n");
	capture_free(&cap);
}

static void added_id(void)
{
	struct json_writer json;
	struct mcr_printer pr;
	struct capture cap;

	capture_start(&cap);
	printer_init(&pr, &cap, NULL);
	mcr_print_added(&pr, 7);	/* silent, like ip */
	printer_init(&pr, &cap, &json);
	mcr_print_added(&pr, 7);
	capture_end(&cap);
	CHECK_STR(cap.buf, "{\"id\":7}\n");
	capture_free(&cap);
}

/* ---- IPv6 ------------------------------------------------------------ */

static struct in6_addr ip6(const char *s)
{
	struct in6_addr a;

	if (inet_pton(AF_INET6, s, &a) != 1)
		memset(&a, 0xee, sizeof(a));
	return a;
}

/* full_rule(), IPv6: every field set, counters included. */
static void full_rule_ipv6(struct mcr_rule *r)
{
	full_rule(r);
	r->family = AF_INET6;
	r->group = r->source = 0;
	r->group6 = ip6("ff3e::1:2");
	r->source6 = ip6("2001:db8::1");
	r->outputs[0].group = 0;
	r->outputs[0].group6 = ip6("ff3e::9");
	r->outputs[1].source = 0;
	r->outputs[1].source6 = ip6("2001:db8:0:2::1");
}

static const char full_rule_ipv6_human[] =
	"rule 7 name feedA iif eth0 group ff3e::1:2 port 5000 "
	"source 2001:db8::1 consume nojoin\n"
	"    packets 1234 bytes 1851000\n"
	"    oif eth1 group ff3e::9 port 6000 ttl 5 source auto\n"
	"        packets 1234 bytes 1851000 drop-xmit 1 drop-too-big 2 "
	"drop-ttl 3 drop-nomem 4\n"
	"    oif eth2 source 2001:db8:0:2::1\n"
	"        packets 0 bytes 0 drop-xmit 0 drop-too-big 0 drop-ttl 0 "
	"drop-nomem 0\n";

static const char full_rule_ipv6_json[] =
	"{\"id\":7,\"name\":\"feedA\",\"iif\":\"eth0\",\"iif_index\":2,"
	"\"group\":\"ff3e::1:2\",\"port\":5000,\"source\":\"2001:db8::1\","
	"\"flags\":[\"consume\",\"nojoin\"],\"outputs\":["
	"{\"oif\":\"eth1\",\"oif_index\":3,\"group\":\"ff3e::9\","
	"\"port\":6000,\"ttl\":5,\"source\":\"auto\",\"stats\":{"
	"\"packets\":1234,\"bytes\":1851000,\"drop_xmit\":1,"
	"\"drop_too_big\":2,\"drop_ttl\":3,\"drop_nomem\":4}},"
	"{\"oif\":\"eth2\",\"oif_index\":4,\"source\":\"2001:db8:0:2::1\","
	"\"stats\":{\"packets\":0,\"bytes\":0,\"drop_xmit\":0,"
	"\"drop_too_big\":0,\"drop_ttl\":0,\"drop_nomem\":0}}],"
	"\"stats\":{\"packets\":1234,\"bytes\":1851000}}";

static void rule_ipv6_human_json_save(void)
{
	struct json_writer json;
	struct mcr_printer pr;
	struct capture cap;
	struct mcr_rule r;

	full_rule_ipv6(&r);
	capture_start(&cap);
	printer_init(&pr, &cap, NULL);
	pr.stats = true;
	mcr_print_rule(&pr, &r);
	capture_end(&cap);
	CHECK_STR(cap.buf, full_rule_ipv6_human);
	capture_free(&cap);

	capture_start(&cap);
	printer_init(&pr, &cap, &json);
	mcr_print_rule(&pr, &r);
	capture_end(&cap);
	CHECK_STR(cap.buf, full_rule_ipv6_json);
	capture_free(&cap);

	capture_start(&cap);
	printer_init(&pr, &cap, NULL);
	mcr_print_save_rule(&pr, &r);
	capture_end(&cap);
	mcr_rule_free(&r);
	CHECK_STR(cap.buf,
		  "rule add iif eth0 group ff3e::1:2 port 5000 source "
		  "2001:db8::1 name feedA consume nojoin oif eth1 group "
		  "ff3e::9 port 6000 ttl 5 source auto oif eth2 source "
		  "2001:db8:0:2::1\n");
	capture_free(&cap);
}

/* "rule save" reads back through a batch line, the family included. */
static void save_round_trip_ipv6(void)
{
	struct mcr_request req;
	struct mcr_rule r;
	char err[MCR_ERR_LEN];

	full_rule_ipv6(&r);
	if (save_and_parse(&r, &req, err, sizeof(err)))
		test_fail(__FILE__, __LINE__, "%s", err);
	CHECK_INT(req.type, MCR_REQ_RULE_ADD);
	CHECK_INT(req.rule.family, AF_INET6);
	CHECK(rules_equal(&r, &req.rule));
	mcr_request_free(&req);

	/* Unicast, link-local, embedded IPv4 (not mapped): as written. */
	mcr_rule_free(&r);
	minimal_rule(&r);
	r.family = AF_INET6;
	r.group = 0;
	r.group6 = ip6("fe80::1");
	r.outputs[0].has_group = true;
	r.outputs[0].group6 = ip6("64:ff9b::c000:201");
	if (save_and_parse(&r, &req, err, sizeof(err)))
		test_fail(__FILE__, __LINE__, "%s", err);
	CHECK(rules_equal(&r, &req.rule));
	mcr_request_free(&req);
	mcr_rule_free(&r);
}

/* monitor: each event of an IPv6 rule, the removed outputs too. */
static void event_lines_ipv6(void)
{
	struct mcr_rule before, after, removed;
	struct json_writer json;
	struct mcr_monitor mon;
	struct mcr_printer pr;
	struct capture cap;

	full_rule_ipv6(&before);
	before.outputs[1].ifindex = 9;
	full_rule_ipv6(&after);
	after.n_outputs = 1;
	mcr_monitor_init(&mon);
	CHECK_INT(mcr_monitor_learn(&mon, &before), 0);
	mcr_rule_init(&removed);
	CHECK_INT(mcr_monitor_track(&mon, MCR_CMD_OUTPUT_DEL_NTF, &after,
				    &removed), 1);
	CHECK_INT(removed.family, AF_INET6);
	CHECK_INT(removed.n_outputs, 1);
	CHECK_INT(removed.outputs[0].ifindex, 9);

	capture_start(&cap);
	printer_init(&pr, &cap, NULL);
	CHECK_INT(mcr_print_event(&pr, MCR_CMD_RULE_NEW_NTF, &after, NULL),
		  0);
	CHECK_INT(mcr_print_event(&pr, MCR_CMD_RULE_DEL_NTF, &after, NULL),
		  0);
	CHECK_INT(mcr_print_event(&pr, MCR_CMD_OUTPUT_DEL_NTF, &after,
				  &removed), 0);
	CHECK_INT(mcr_print_event(&pr, MCR_CMD_OUTPUT_DEL_NTF, &after, NULL),
		  0);
	printer_init(&pr, &cap, &json);
	after.has_stats = false;
	after.outputs[0].has_stats = false;
	CHECK_INT(mcr_print_event(&pr, MCR_CMD_OUTPUT_DEL_NTF, &after,
				  &removed), 0);
	capture_end(&cap);
	CHECK_STR(cap.buf,
		  "added rule 7 name feedA iif eth0 group ff3e::1:2 port 5000 "
		  "source 2001:db8::1 consume nojoin oif eth1 group ff3e::9 "
		  "port 6000 ttl 5 source auto\n"
		  "deleted rule 7 name feedA iif eth0 group ff3e::1:2 port "
		  "5000 source 2001:db8::1 consume nojoin oif eth1 group "
		  "ff3e::9 port 6000 ttl 5 source auto\n"
		  "output-removed rule 7 name feedA iif eth0 group ff3e::1:2 "
		  "port 5000 source 2001:db8::1 consume nojoin oif if9 "
		  "source 2001:db8:0:2::1\n"
		  "output-removed rule 7 name feedA iif eth0 group ff3e::1:2 "
		  "port 5000 source 2001:db8::1 consume nojoin remaining oif "
		  "eth1 group ff3e::9 port 6000 ttl 5 source auto\n"
		  "{\"event\":\"output-del\",\"rule\":{\"id\":7,\"name\":"
		  "\"feedA\",\"iif\":\"eth0\",\"iif_index\":2,\"group\":"
		  "\"ff3e::1:2\",\"port\":5000,\"source\":\"2001:db8::1\","
		  "\"flags\":[\"consume\",\"nojoin\"],\"outputs\":[{\"oif\":"
		  "\"eth1\",\"oif_index\":3,\"group\":\"ff3e::9\","
		  "\"port\":6000,\"ttl\":5,\"source\":\"auto\"}]},"
		  "\"removed\":[{\"oif\":\"if9\",\"oif_index\":9,"
		  "\"source\":\"2001:db8:0:2::1\"}]}\n");
	capture_free(&cap);
	mcr_rule_free(&removed);

	/* Outputs that differ only in an IPv6 address are told apart:
	 * of two on one device, the one that is left is not the removed. */
	before.outputs[0] = before.outputs[1];
	before.outputs[0].source6 = ip6("2001:db8:0:2::2");
	CHECK(!mcr_output_same(&before.outputs[0], &before.outputs[1]));
	CHECK_INT(mcr_monitor_learn(&mon, &before), 0);
	mcr_rule_free(&after);
	full_rule_ipv6(&after);
	after.outputs[0] = before.outputs[1];
	after.n_outputs = 1;
	mcr_rule_init(&removed);
	CHECK_INT(mcr_monitor_track(&mon, MCR_CMD_OUTPUT_DEL_NTF, &after,
				    &removed), 1);
	CHECK_INT(removed.n_outputs, 1);
	CHECK(removed.outputs[0].has_source);
	CHECK(IN6_ARE_ADDR_EQUAL(&removed.outputs[0].source6,
				 &before.outputs[0].source6));
	mcr_rule_free(&removed);
	mcr_rule_free(&before);
	mcr_rule_free(&after);
	mcr_monitor_free(&mon);
}

/* -4, -6: which rules they select; a rule without a family is IPv4. */
static void rule_family_filter(void)
{
	struct mcr_rule r;

	minimal_rule(&r);
	CHECK(mcr_rule_in_family(&r, 0));
	CHECK(mcr_rule_in_family(&r, AF_INET));
	CHECK(!mcr_rule_in_family(&r, AF_INET6));
	r.family = AF_INET;
	CHECK(mcr_rule_in_family(&r, AF_INET));
	r.family = AF_INET6;
	CHECK(mcr_rule_in_family(&r, 0));
	CHECK(!mcr_rule_in_family(&r, AF_INET));
	CHECK(mcr_rule_in_family(&r, AF_INET6));
	mcr_rule_free(&r);
}

const struct test_case print_tests[] = {
	TEST(rule_human_all_fields),
	TEST(rule_json_all_fields),
	TEST(rule_minimal_human_and_json),
	TEST(unknown_devices_and_flags),
	TEST(odd_device_names),
	TEST(json_string_escaping),
	TEST(json_name_escaping_in_rule),
	TEST(rule_json_pretty),
	TEST(json_writer_commas),
	TEST(save_line),
	TEST(save_round_trip),
	TEST(save_round_trip_odd_names),
	TEST(save_odd_names_refused),
	TEST(save_round_trip_1024_outputs),
	TEST(quote_word),
	TEST(event_lines),
	TEST(event_timestamps),
	TEST(event_filter),
	TEST(output_del_names_the_removed_output),
	TEST(stats_human),
	TEST(stats_json),
	TEST(added_id),
	TEST(rule_ipv6_human_json_save),
	TEST(save_round_trip_ipv6),
	TEST(event_lines_ipv6),
	TEST(rule_family_filter),
	TEST_END
};
