// SPDX-License-Identifier: GPL-2.0
/*
 * Tests of metrics.c ("stats --prometheus" and "stats -w") and of the
 * grammar of their options.  The Prometheus output goes through a strict
 * parser of the text exposition format (0.0.4) written for these tests.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdlib.h>

#include "harness.h"
#include "metrics.h"
#include "parse.h"

/* ---- a strict parser of the Prometheus text format ------------------- */

#define PROM_MAX_SERIES 256
#define PROM_LINE 1024

struct prom_doc {
	unsigned int n_families;
	char families[64][64];		/* in order of their # TYPE */
	char types[64][16];
	bool has_help[64];
	unsigned int n_series;
	char series[PROM_MAX_SERIES][PROM_LINE];	/* name{labels} */
	unsigned long long values[PROM_MAX_SERIES];
	char err[256];
};

static bool prom_name_char(char c, bool first)
{
	return isalpha((unsigned char)c) || c == '_' || c == ':' ||
	       (!first && isdigit((unsigned char)c));
}

/* A metric or label name at @s; returns its length (0: none). */
static size_t prom_name(const char *s, bool label)
{
	size_t n = 0;

	while (prom_name_char(s[n], n == 0) && !(label && s[n] == ':'))
		n++;
	return n;
}

static int prom_fail(struct prom_doc *d, unsigned int line, const char *what)
{
	snprintf(d->err, sizeof(d->err), "line %u: %s", line, what);
	return -1;
}

static int prom_family_index(struct prom_doc *d, const char *name, size_t n)
{
	unsigned int i;

	for (i = 0; i < d->n_families; i++)
		if (strlen(d->families[i]) == n &&
		    !strncmp(d->families[i], name, n))
			return (int)i;
	return -1;
}

/*
 * Parses @text: # HELP and # TYPE before a family's samples, each family
 * once, samples of a family together, label values with only \\ \" \n
 * escapes, no duplicate series, counters named *_total, integer values.
 * Label values are stored unescaped.
 */
static int prom_parse(const char *text, struct prom_doc *d)
{
	const char *s = text;
	unsigned int line = 0;
	int current = -1;

	memset(d, 0, sizeof(*d));
	while (*s) {
		const char *nl = strchr(s, '\n');
		char buf[PROM_LINE], series[PROM_LINE];
		size_t len, n, k = 0;
		char *p, *end;
		int fam;

		line++;
		if (!nl)
			return prom_fail(d, line, "no newline at the end");
		len = (size_t)(nl - s);
		if (len >= sizeof(buf))
			return prom_fail(d, line, "line too long");
		memcpy(buf, s, len);
		buf[len] = '\0';
		s = nl + 1;
		p = buf;

		if (!strncmp(p, "# HELP ", 7) || !strncmp(p, "# TYPE ", 7)) {
			bool help = p[2] == 'H';

			p += 7;
			n = prom_name(p, false);
			if (!n || p[n] != ' ' || !p[n + 1])
				return prom_fail(d, line, "bad HELP/TYPE");
			fam = prom_family_index(d, p, n);
			if (help) {
				/* HELP comes first, once per family. */
				if (fam >= 0 || d->n_families >= 64)
					return prom_fail(d, line, "HELP again");
				memcpy(d->families[d->n_families], p, n);
				d->has_help[d->n_families] = true;
				current = (int)d->n_families++;
				continue;
			}
			if (fam != current || fam < 0 || d->types[fam][0])
				return prom_fail(d, line, "TYPE out of place");
			if (strcmp(p + n + 1, "counter") &&
			    strcmp(p + n + 1, "gauge"))
				return prom_fail(d, line, "unknown type");
			snprintf(d->types[fam], sizeof(d->types[fam]), "%s",
				 p + n + 1);
			if (!strcmp(d->types[fam], "counter") &&
			    (n < 6 || strncmp(p + n - 6, "_total", 6)))
				return prom_fail(d, line, "counter not *_total");
			continue;
		}
		if (*p == '#')
			return prom_fail(d, line, "stray comment");

		n = prom_name(p, false);
		if (!n)
			return prom_fail(d, line, "bad metric name");
		fam = prom_family_index(d, p, n);
		if (fam < 0 || fam != current || !d->types[fam][0])
			return prom_fail(d, line, "sample outside its family");
		memcpy(series, p, n);
		k = n;
		p += n;
		if (*p == '{') {
			series[k++] = *p++;
			while (*p != '}') {
				n = prom_name(p, true);
				if (!n || p[n] != '=' || p[n + 1] != '"')
					return prom_fail(d, line, "bad label");
				memcpy(series + k, p, n + 2);
				k += n + 2;
				p += n + 2;
				while (*p != '"') {
					if (!*p)
						return prom_fail(d, line,
							"unterminated value");
					if (*p == '\\') {
						p++;
						if (*p == 'n')
							series[k++] = '\n';
						else if (*p == '\\' || *p == '"')
							series[k++] = *p;
						else
							return prom_fail(d, line,
								"bad escape");
						p++;
						continue;
					}
					series[k++] = *p++;
				}
				series[k++] = *p++;
				if (*p == ',')
					series[k++] = *p++;
				else if (*p != '}')
					return prom_fail(d, line, "bad labels");
			}
			series[k++] = *p++;
		}
		series[k] = '\0';
		if (*p++ != ' ' || !isdigit((unsigned char)*p))
			return prom_fail(d, line, "bad value");
		if (d->n_series >= PROM_MAX_SERIES)
			return prom_fail(d, line, "too many series");
		d->values[d->n_series] = strtoull(p, &end, 10);
		if (*end)
			return prom_fail(d, line, "trailing characters");
		for (n = 0; n < d->n_series; n++)
			if (!strcmp(d->series[n], series))
				return prom_fail(d, line, "duplicate series");
		memcpy(d->series[d->n_series++], series, k + 1);
	}
	return 0;
}

/* The value of @series, or -1 if absent. */
static long long prom_value(const struct prom_doc *d, const char *series)
{
	unsigned int i;

	for (i = 0; i < d->n_series; i++)
		if (!strcmp(d->series[i], series))
			return (long long)d->values[i];
	return -1;
}

/* ---- fixtures -------------------------------------------------------- */

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

static const struct mcr_netns_stats some_netns = {
	.no_match = 12, .not_udp = 3, .fragments = 0, .not_routable = 5,
	.zero_checksum = 6, .outputs_removed = 1, .rules = 2, .outputs = 3,
	.max_rules = 4096, .max_outputs = 1024,
};

/* Rule 7 (two outputs, every field) and rule 9 (one output, no name). */
static void two_rules(struct mcr_sample *s)
{
	struct mcr_output *o;
	struct mcr_rule r;

	mcr_sample_init(s);
	s->has_netns = true;
	s->netns = some_netns;

	mcr_rule_init(&r);
	r.id = 7;
	strcpy(r.name, "feedA");
	r.iif = 2;
	r.has_group = true;
	r.group = inet_addr("239.1.1.1");
	r.port = 5000;
	r.has_source = true;
	r.source = inet_addr("10.0.0.1");
	r.has_stats = true;
	r.stats.packets = 1234;
	r.stats.bytes = 1851000;
	o = mcr_rule_add_output(&r);
	o->ifindex = 3;
	o->has_stats = true;
	o->stats = (struct mcr_output_stats){ 1230, 1845000, 1, 2, 3, 4 };
	o = mcr_rule_add_output(&r);
	o->ifindex = 3;		/* same device, another group */
	o->has_group = true;
	o->group = inet_addr("239.2.2.2");
	o->port = 6000;
	o->has_stats = true;
	o->stats.packets = 1234;
	o->stats.bytes = 1851000;
	mcr_rule_list_add(&s->rules, &r);
	mcr_rule_free(&r);

	r.id = 9;
	r.iif = 4;
	r.has_group = true;
	r.group = inet_addr("239.3.3.3");
	r.has_stats = true;
	r.stats.packets = 10;
	r.stats.bytes = 15000;
	o = mcr_rule_add_output(&r);
	o->ifindex = 2;
	o->has_stats = true;
	o->stats.packets = 10;
	o->stats.bytes = 15000;
	mcr_rule_list_add(&s->rules, &r);
	mcr_rule_free(&r);
}

/* ---- Prometheus ------------------------------------------------------ */

static const char two_rules_prom[] =
"# HELP mcr_rules Rules in the network namespace.\n"
"# TYPE mcr_rules gauge\n"
"mcr_rules 2\n"
"# HELP mcr_outputs Outputs of all rules in the network namespace.\n"
"# TYPE mcr_outputs gauge\n"
"mcr_outputs 3\n"
"# HELP mcr_max_rules Limit on rules per network namespace (max_rules).\n"
"# TYPE mcr_max_rules gauge\n"
"mcr_max_rules 4096\n"
"# HELP mcr_max_outputs_per_rule Limit on outputs per rule "
"(max_outputs_per_rule).\n"
"# TYPE mcr_max_outputs_per_rule gauge\n"
"mcr_max_outputs_per_rule 1024\n"
"# HELP mcr_netns_no_match_total UDP packets on a hooked device that "
"matched no rule.\n"
"# TYPE mcr_netns_no_match_total counter\n"
"mcr_netns_no_match_total 12\n"
"# HELP mcr_netns_not_udp_total Packets on a hooked device that were not "
"valid IPv4 or IPv6 UDP.\n"
"# TYPE mcr_netns_not_udp_total counter\n"
"mcr_netns_not_udp_total 3\n"
"# HELP mcr_netns_fragments_total IPv4 and IPv6 fragments left to the "
"stack unrelayed.\n"
"# TYPE mcr_netns_fragments_total counter\n"
"mcr_netns_fragments_total 0\n"
"# HELP mcr_netns_not_routable_total UDP packets not a router's to "
"forward: looped back, for another host's MAC, or from a martian source.\n"
"# TYPE mcr_netns_not_routable_total counter\n"
"mcr_netns_not_routable_total 5\n"
"# HELP mcr_netns_zero_checksum_total IPv6 UDP packets with a zero "
"checksum, left to the stack unrelayed.\n"
"# TYPE mcr_netns_zero_checksum_total counter\n"
"mcr_netns_zero_checksum_total 6\n"
"# HELP mcr_netns_outputs_removed_total Outputs removed because their "
"device went away.\n"
"# TYPE mcr_netns_outputs_removed_total counter\n"
"mcr_netns_outputs_removed_total 1\n"
"# HELP mcr_rule_packets_total Packets matched by the rule.\n"
"# TYPE mcr_rule_packets_total counter\n"
"mcr_rule_packets_total{rule=\"7\",name=\"feedA\",iif=\"eth0\","
"group=\"239.1.1.1\",port=\"5000\",source=\"10.0.0.1\"} 1234\n"
"mcr_rule_packets_total{rule=\"9\",name=\"\",iif=\"eth2\","
"group=\"239.3.3.3\",port=\"0\",source=\"\"} 10\n"
"# HELP mcr_rule_bytes_total Bytes (IP length) of the packets matched by "
"the rule.\n"
"# TYPE mcr_rule_bytes_total counter\n"
"mcr_rule_bytes_total{rule=\"7\",name=\"feedA\",iif=\"eth0\","
"group=\"239.1.1.1\",port=\"5000\",source=\"10.0.0.1\"} 1851000\n"
"mcr_rule_bytes_total{rule=\"9\",name=\"\",iif=\"eth2\","
"group=\"239.3.3.3\",port=\"0\",source=\"\"} 15000\n"
"# HELP mcr_output_packets_total Packets sent by the output.\n"
"# TYPE mcr_output_packets_total counter\n"
"mcr_output_packets_total{rule=\"7\",oif=\"eth1\",group=\"239.1.1.1\","
"port=\"5000\"} 1230\n"
"mcr_output_packets_total{rule=\"7\",oif=\"eth1\",group=\"239.2.2.2\","
"port=\"6000\"} 1234\n"
"mcr_output_packets_total{rule=\"9\",oif=\"eth0\",group=\"239.3.3.3\","
"port=\"0\"} 10\n"
"# HELP mcr_output_bytes_total Bytes (IP length) sent by the output.\n"
"# TYPE mcr_output_bytes_total counter\n"
"mcr_output_bytes_total{rule=\"7\",oif=\"eth1\",group=\"239.1.1.1\","
"port=\"5000\"} 1845000\n"
"mcr_output_bytes_total{rule=\"7\",oif=\"eth1\",group=\"239.2.2.2\","
"port=\"6000\"} 1851000\n"
"mcr_output_bytes_total{rule=\"9\",oif=\"eth0\",group=\"239.3.3.3\","
"port=\"0\"} 15000\n"
"# HELP mcr_output_drops_total Packets the output dropped, by reason.\n"
"# TYPE mcr_output_drops_total counter\n"
"mcr_output_drops_total{rule=\"7\",oif=\"eth1\",group=\"239.1.1.1\","
"port=\"5000\",reason=\"xmit\"} 1\n"
"mcr_output_drops_total{rule=\"7\",oif=\"eth1\",group=\"239.1.1.1\","
"port=\"5000\",reason=\"too_big\"} 2\n"
"mcr_output_drops_total{rule=\"7\",oif=\"eth1\",group=\"239.1.1.1\","
"port=\"5000\",reason=\"ttl\"} 3\n"
"mcr_output_drops_total{rule=\"7\",oif=\"eth1\",group=\"239.1.1.1\","
"port=\"5000\",reason=\"nomem\"} 4\n"
"mcr_output_drops_total{rule=\"7\",oif=\"eth1\",group=\"239.2.2.2\","
"port=\"6000\",reason=\"xmit\"} 0\n"
"mcr_output_drops_total{rule=\"7\",oif=\"eth1\",group=\"239.2.2.2\","
"port=\"6000\",reason=\"too_big\"} 0\n"
"mcr_output_drops_total{rule=\"7\",oif=\"eth1\",group=\"239.2.2.2\","
"port=\"6000\",reason=\"ttl\"} 0\n"
"mcr_output_drops_total{rule=\"7\",oif=\"eth1\",group=\"239.2.2.2\","
"port=\"6000\",reason=\"nomem\"} 0\n"
"mcr_output_drops_total{rule=\"9\",oif=\"eth0\",group=\"239.3.3.3\","
"port=\"0\",reason=\"xmit\"} 0\n"
"mcr_output_drops_total{rule=\"9\",oif=\"eth0\",group=\"239.3.3.3\","
"port=\"0\",reason=\"too_big\"} 0\n"
"mcr_output_drops_total{rule=\"9\",oif=\"eth0\",group=\"239.3.3.3\","
"port=\"0\",reason=\"ttl\"} 0\n"
"mcr_output_drops_total{rule=\"9\",oif=\"eth0\",group=\"239.3.3.3\","
"port=\"0\",reason=\"nomem\"} 0\n";

static void prometheus_exact(void)
{
	struct mcr_printer pr;
	struct capture cap;
	struct mcr_sample s;

	two_rules(&s);
	capture_start(&cap);
	printer_init(&pr, &cap, NULL);
	mcr_print_prometheus(&pr, &s);
	capture_end(&cap);
	mcr_sample_free(&s);
	CHECK_STR(cap.buf, two_rules_prom);
	capture_free(&cap);
}

static void prometheus_parses(void)
{
	static struct prom_doc doc;
	struct mcr_printer pr;
	struct capture cap;
	struct mcr_sample s;
	int ret;

	two_rules(&s);
	capture_start(&cap);
	printer_init(&pr, &cap, NULL);
	mcr_print_prometheus(&pr, &s);
	capture_end(&cap);
	mcr_sample_free(&s);
	ret = prom_parse(cap.buf, &doc);
	if (ret)
		test_fail(__FILE__, __LINE__, "%s", doc.err);
	capture_free(&cap);
	CHECK_INT(ret, 0);
	CHECK_INT(doc.n_families, 15);
	CHECK_INT(doc.n_series, 10 + 2 + 2 + 3 + 3 + 12);
	CHECK_INT(prom_value(&doc, "mcr_output_drops_total{rule=\"7\","
			     "oif=\"eth1\",group=\"239.1.1.1\",port=\"5000\","
			     "reason=\"nomem\"}"), 4);
	CHECK_INT(prom_value(&doc, "mcr_netns_no_match_total"), 12);
}

/* The parser itself rejects what Prometheus would. */
static void prometheus_parser_is_strict(void)
{
	static struct prom_doc doc;
	static const char *const bad[] = {
		"x 1\n",					/* no TYPE */
		"# HELP a_total h\n# TYPE a_total counter\na_total 1",
		"# HELP a h\n# TYPE a counter\na 1\n",		/* _total */
		"# HELP a h\n# TYPE a gauge\na{b=\"\\t\"} 1\n",	/* escape */
		"# HELP a h\n# TYPE a gauge\na{b=\"1\"} 1\na{b=\"1\"} 2\n",
		"# HELP a h\n# TYPE a gauge\n# HELP c h\n# TYPE c gauge\n"
		"a 1\n",					/* split */
		"# HELP a h\n# TYPE a gauge\na{b=\"1\",} x\n",
		"# HELP a h\n# TYPE a gauge\na{1b=\"1\"} 1\n",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (!prom_parse(bad[i], &doc))
			test_fail(__FILE__, __LINE__, "accepted #%zu", i);
	CHECK_INT(prom_parse("# HELP a h\n# TYPE a gauge\na{b=\"x\\\"y\"} 1\n",
			     &doc), 0);
	CHECK_STR(doc.series[0], "a{b=\"x\"y\"}");
}

/* Names may hold anything but NUL: escaped per the format. */
static void prometheus_label_escaping(void)
{
	static struct prom_doc doc;
	struct mcr_printer pr;
	struct capture cap;
	struct mcr_sample s;
	struct mcr_rule r;
	int ret;

	mcr_sample_init(&s);
	mcr_rule_init(&r);
	r.id = 3;
	strcpy(r.name, "a\"b\\c\nd e");
	r.iif = 2;
	r.has_stats = true;
	r.stats.packets = 5;
	mcr_rule_list_add(&s.rules, &r);
	capture_start(&cap);
	printer_init(&pr, &cap, NULL);
	mcr_print_prometheus(&pr, &s);
	mcr_prom_label_value(cap.f, "q\"\\\n");
	capture_end(&cap);
	mcr_sample_free(&s);
	CHECK(strstr(cap.buf, "name=\"a\\\"b\\\\c\\nd e\"") != NULL);
	CHECK(strstr(cap.buf, "\"q\\\"\\\\\\n\"") != NULL);
	/* Without the netns families (a "stats id" reading has none). */
	*strrchr(cap.buf, '"') = '\0';
	*strrchr(cap.buf, '\n') = '\0';
	strcat(cap.buf, "\n");
	ret = prom_parse(cap.buf, &doc);
	if (ret)
		test_fail(__FILE__, __LINE__, "%s", doc.err);
	capture_free(&cap);
	CHECK_INT(ret, 0);
	CHECK_INT(prom_value(&doc, "mcr_rule_packets_total{rule=\"3\","
			     "name=\"a\"b\\c\nd e\",iif=\"eth0\",group=\"\","
			     "port=\"0\",source=\"\"}"), 5);
}

/* Every byte of @s is well-formed UTF-8. */
static bool utf8_valid(const char *s)
{
	const unsigned char *c = (const unsigned char *)s;
	size_t len;

	while (*c) {
		len = mcr_utf8_len(c);
		if (!len)
			return false;
		c += len;
	}
	return true;
}

static void prometheus_labels_utf8(void)
{
	struct mcr_printer pr;
	struct mcr_sample s;
	struct capture cap;
	struct mcr_rule r;

	capture_start(&cap);
	mcr_prom_label_value(cap.f, "a\xff\xc3(\xe2\x82\xac\xed\xa0\x80z");
	capture_end(&cap);
	CHECK_STR(cap.buf, "\"a\xef\xbf\xbd\xef\xbf\xbd(\xe2\x82\xac"
		  "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbdz\"");
	capture_free(&cap);

	mcr_sample_init(&s);
	mcr_rule_init(&r);
	r.id = 3;
	strcpy(r.name, "caf\xe9");	/* Latin-1, as a batch \xe9 gives */
	r.iif = 2;
	r.has_stats = true;
	mcr_rule_list_add(&s.rules, &r);
	capture_start(&cap);
	printer_init(&pr, &cap, NULL);
	mcr_print_prometheus(&pr, &s);
	capture_end(&cap);
	mcr_sample_free(&s);
	CHECK(utf8_valid(cap.buf));
	CHECK(strstr(cap.buf, "name=\"caf\xef\xbf\xbd\"") != NULL);
	capture_free(&cap);
}

/* The rule's id has one label name, "rule", in every metric. */
static void prometheus_one_rule_label(void)
{
	struct mcr_printer pr;
	struct mcr_sample s;
	struct capture cap;
	const char *line;

	mcr_sample_init(&s);
	two_rules(&s);
	capture_start(&cap);
	printer_init(&pr, &cap, NULL);
	mcr_print_prometheus(&pr, &s);
	capture_end(&cap);
	mcr_sample_free(&s);
	for (line = cap.buf; *line; line = strchr(line, '\n') + 1) {
		const char *brace = strchr(line, '{');

		if (line[0] == '#' || !brace || brace > strchr(line, '\n'))
			continue;
		if (strncmp(brace, "{rule=\"", 7)) {
			test_fail(__FILE__, __LINE__, "%.*s",
				  (int)(strchr(line, '\n') - line), line);
			break;
		}
	}
	capture_free(&cap);
}

/* ---- rates ----------------------------------------------------------- */

static void si_rate(void)
{
	char b[16];

	CHECK_STR(mcr_si_rate(0, b, sizeof(b)), "0");
	CHECK_STR(mcr_si_rate(999.4, b, sizeof(b)), "999");
	CHECK_STR(mcr_si_rate(999.6, b, sizeof(b)), "1.00k");
	CHECK_STR(mcr_si_rate(12345, b, sizeof(b)), "12.3k");
	CHECK_STR(mcr_si_rate(123456, b, sizeof(b)), "123k");
	CHECK_STR(mcr_si_rate(9.87e9, b, sizeof(b)), "9.87G");
	CHECK_STR(mcr_si_rate(-1, b, sizeof(b)), "0");
	CHECK_STR(mcr_si_rate(1e18, b, sizeof(b)), "1000P");
}

/* Two readings 2 s apart of two_rules(): rule 7 gained 2000 packets of
 * 1500 bytes, its first output 1000 packets and 6 drops; rule 9 was
 * replaced (its output is a new device: no rate). */
static void two_readings(struct mcr_sample *a, struct mcr_sample *b)
{
	struct mcr_rule *r;

	two_rules(a);
	two_rules(b);
	a->time = 100.0;
	b->time = 102.0;
	b->netns.no_match += 20;
	r = &b->rules.rules[0];
	r->stats.packets += 2000;
	r->stats.bytes += 3000000;
	r->outputs[0].stats.packets += 1000;
	r->outputs[0].stats.bytes += 1500000;
	r->outputs[0].stats.drop_ttl += 6;
	r->outputs[1].stats.packets = 2;	/* went back: restarted */
	r->outputs[1].stats.bytes = 3000;
	b->rules.rules[1].outputs[0].ifindex = 3;
}

static void rates_tty(void)
{
	struct mcr_sample a, b;
	struct mcr_printer pr;
	struct capture cap;

	two_readings(&a, &b);
	capture_start(&cap);
	printer_init(&pr, &cap, NULL);
	mcr_print_rates(&pr, NULL, &a, true, 2, "12:00:00");
	mcr_print_rates(&pr, &a, &b, true, 2, "12:00:02");
	capture_end(&cap);
	mcr_sample_free(&a);
	mcr_sample_free(&b);
	CHECK_STR(cap.buf,
"mcr-nl stats: every 2s, 12:00:00 (Ctrl-C quits)\n"
"namespace: rules 2 outputs 3 no-match/s - not-udp/s - fragments/s -\n"
"\n"
"    RULE  OIF                 PKT/S     BIT/S    DROP/S\n"
"       7  -                       -         -\n"
"          eth1                    -         -         -\n"
"          eth1                    -         -         -\n"
"       9  -                       -         -\n"
"          eth0                    -         -         -\n"
"mcr-nl stats: every 2s, 12:00:02 (Ctrl-C quits)\n"
"namespace: rules 2 outputs 3 no-match/s 10 not-udp/s 0 fragments/s 0\n"
"\n"
"    RULE  OIF                 PKT/S     BIT/S    DROP/S\n"
"       7  -                   1.00k     12.0M\n"
"          eth1                  500     6.00M         3\n"
"          eth1                    1     12.0k         0\n"
"       9  -                       0         0\n"
"          eth1                    -         -         -\n");
	capture_free(&cap);
}

static void rates_lines(void)
{
	struct mcr_sample a, b;
	struct mcr_printer pr;
	struct capture cap;

	two_readings(&a, &b);
	capture_start(&cap);
	printer_init(&pr, &cap, NULL);
	mcr_print_rates(&pr, NULL, &a, false, 2, "T0");	/* nothing yet */
	mcr_print_rates(&pr, &a, &b, false, 2, "T1");
	capture_end(&cap);
	mcr_sample_free(&a);
	mcr_sample_free(&b);
	CHECK_STR(cap.buf,
"T1 netns rules 2 outputs 3 no-match 10.0 not-udp 0.0 fragments 0.0\n"
"T1 rule 7 pps 1000.0 bps 12000000.0\n"
"T1 rule 7 oif eth1 pps 500.0 bps 6000000.0 drops 3.0\n"
"T1 rule 7 oif eth1 pps 1.0 bps 12000.0 drops 0.0\n"
"T1 rule 9 pps 0.0 bps 0.0\n");
	capture_free(&cap);
}

static void rates_json(void)
{
	struct json_writer json;
	struct mcr_sample a, b;
	struct mcr_printer pr;
	struct capture cap;

	two_readings(&a, &b);
	capture_start(&cap);
	printer_init(&pr, &cap, &json);
	mcr_print_rates(&pr, &a, &b, false, 2, "T1");
	capture_end(&cap);
	mcr_sample_free(&a);
	mcr_sample_free(&b);
	CHECK_STR(cap.buf,
"{\"time\":\"T1\",\"interval\":2.000,\"netns\":{\"rules\":2,\"outputs\":3,"
"\"no_match_ps\":10.000,\"not_udp_ps\":0.000,\"fragments_ps\":0.000},"
"\"rules\":[{\"id\":7,\"pps\":1000.000,\"bps\":12000000.000,\"outputs\":["
"{\"oif\":\"eth1\",\"oif_index\":3,\"pps\":500.000,\"bps\":6000000.000,"
"\"drops_ps\":3.000},{\"oif\":\"eth1\",\"oif_index\":3,\"pps\":1.000,"
"\"bps\":12000.000,\"drops_ps\":0.000}]},{\"id\":9,\"pps\":0.000,"
"\"bps\":0.000,\"outputs\":[{\"oif\":\"eth1\",\"oif_index\":3}]}]}\n");
	capture_free(&cap);
}

/* A rule that appeared between readings, one that went away. */
static void rates_rules_come_and_go(void)
{
	struct mcr_sample a, b;
	struct mcr_printer pr;
	struct capture cap;

	two_readings(&a, &b);
	b.rules.rules[0].id = 8;
	b.has_netns = false;	/* "stats id": no namespace counters */
	capture_start(&cap);
	printer_init(&pr, &cap, NULL);
	mcr_print_rates(&pr, &a, &b, false, 2, "T1");
	capture_end(&cap);
	mcr_sample_free(&a);
	mcr_sample_free(&b);
	CHECK_STR(cap.buf, "T1 rule 9 pps 0.0 bps 0.0\n");
	capture_free(&cap);
}

/* ---- grammar --------------------------------------------------------- */

static struct mcr_parser parser = { .ifindex = fake_ifindex };

static int parse_words(const char *line, struct mcr_request *req)
{
	struct mcr_words w;
	char err[128];
	int ret;

	if (mcr_split_line(line, &w, err, sizeof(err)))
		return -2;
	ret = mcr_parse_request(&parser, w.argc, w.argv, req);
	mcr_words_free(&w);
	return ret;
}

#define CHECK_STATS(line, w_, ms_, prom_, id_)				\
	do {								\
		struct mcr_request _r;					\
		int _ret = parse_words(line, &_r);			\
		mcr_request_free(&_r);					\
		if (_ret)						\
			test_fail(__FILE__, __LINE__, "\"%s\": %s",	\
				  line, parser.err);			\
		CHECK_INT(_ret, 0);					\
		CHECK_INT(_r.type, MCR_REQ_STATS);			\
		CHECK_INT(_r.watch, w_);				\
		CHECK_INT(_r.interval_ms, ms_);				\
		CHECK_INT(_r.prometheus, prom_);			\
		CHECK_INT(_r.id, id_);					\
	} while (0)

#define CHECK_STATS_ERROR(line, msg)					\
	do {								\
		struct mcr_request _r;					\
		int _ret = parse_words(line, &_r);			\
		mcr_request_free(&_r);					\
		CHECK_INT(_ret, -1);					\
		CHECK_STR(parser.err, msg);				\
	} while (0)

static void stats_options(void)
{
	CHECK_STATS("stats", false, 1000, false, 0);
	CHECK_STATS("stats -w", true, 1000, false, 0);
	CHECK_STATS("stats --watch 0.5", true, 500, false, 0);
	CHECK_STATS("stats -w 2 id 3", true, 2000, false, 3);
	CHECK_STATS("stats id 3 -w", true, 1000, false, 3);
	CHECK_STATS("stats -w .25", true, 250, false, 0);
	CHECK_STATS("stats -w 86400", true, 86400000, false, 0);
	CHECK_STATS("stats --prometheus", false, 1000, true, 0);
}

static void stats_options_errors(void)
{
	CHECK_STATS_ERROR("stats -w 0.05",
		"stats: bad interval \"0.05\" (expected seconds, 0.1-86400)");
	CHECK_STATS_ERROR("stats -w 1.0001",
		"stats: bad interval \"1.0001\" (expected seconds, 0.1-86400)");
	CHECK_STATS_ERROR("stats -w 1.2.3",
		"stats: bad interval \"1.2.3\" (expected seconds, 0.1-86400)");
	CHECK_STATS_ERROR("stats -w 1 -w", "stats: duplicate \"-w\"");
	CHECK_STATS_ERROR("stats -w --prometheus",
		"stats: give either \"-w\" or \"--prometheus\", not both");
	CHECK_STATS_ERROR("stats --prometheus id 2",
		"stats: \"--prometheus\" prints every rule (no \"id\")");
	/* Only an option that works before the command is suggested
	 * there. */
	CHECK_STATS_ERROR("stats -x", "unknown keyword \"-x\" after "
		"\"stats\"");
	CHECK_STATS_ERROR("stats -j", "unknown keyword \"-j\" after \"stats\" "
		"(options go before the command, as in \"mcr-nl -j stats\")");
	/* No hint where the option would fail before the command too. */
	CHECK_STATS_ERROR("stats --prometheus -j", "unknown keyword \"-j\" "
		"after \"stats\"");
	CHECK_STATS_ERROR("stats -j --prometheus", "unknown keyword \"-j\" "
		"after \"stats\"");
	CHECK_STATS_ERROR("stats -w -j foo", "unknown keyword \"-j\" after "
		"\"stats\"");
	CHECK_STATS_ERROR("stats -w 2 -j", "unknown keyword \"-j\" after "
		"\"stats\" (options go before the command, as in \"mcr-nl -j "
		"stats\")");
	parser.in_batch = true;
	CHECK_STATS_ERROR("stats -w", "stats: \"-w\" runs until interrupted: "
		"not in a batch file");
	CHECK_STATS_ERROR("stats -j", "unknown keyword \"-j\" after "
		"\"stats\"");
	parser.in_batch = false;
}

static void parse_seconds(void)
{
	unsigned int ms = 0;

	CHECK_INT(mcr_parse_seconds("1", 100, 5000, &ms), 0);
	CHECK_INT(ms, 1000);
	CHECK_INT(mcr_parse_seconds("0.1", 100, 5000, &ms), 0);
	CHECK_INT(ms, 100);
	CHECK_INT(mcr_parse_seconds("4.999", 100, 5000, &ms), 0);
	CHECK_INT(ms, 4999);
	CHECK_INT(mcr_parse_seconds("5.001", 100, 5000, &ms), -1);
	CHECK_INT(mcr_parse_seconds(".", 100, 5000, &ms), -1);
	CHECK_INT(mcr_parse_seconds("", 100, 5000, &ms), -1);
	CHECK_INT(mcr_parse_seconds("-1", 100, 5000, &ms), -1);
	CHECK_INT(mcr_parse_seconds("1e3", 100, 5000, &ms), -1);
	CHECK_INT(mcr_parse_seconds("99999999999", 0, 5000, &ms), -1);
	CHECK_INT(mcr_parse_seconds("0000000000001.5", 100, 5000, &ms), 0);
	CHECK_INT(ms, 1500);
}

static void watch_stamps(void)
{
	struct tm tm = {
		.tm_year = 125, .tm_mon = 0, .tm_mday = 2, .tm_hour = 3,
		.tm_min = 4, .tm_sec = 5, .tm_gmtoff = 5 * 3600 + 30 * 60,
	};
	char buf[64];

	/* -j: RFC 3339, the offset with a colon. */
	mcr_format_stamp(&tm, MCR_STAMP_RFC3339, buf, sizeof(buf));
	CHECK_STR(buf, "2025-01-02T03:04:05+05:30");
	tm.tm_gmtoff = -3600;
	mcr_format_stamp(&tm, MCR_STAMP_RFC3339, buf, sizeof(buf));
	CHECK_STR(buf, "2025-01-02T03:04:05-01:00");
	/* Plain lines keep their form. */
	mcr_format_stamp(&tm, MCR_STAMP_LOG, buf, sizeof(buf));
	CHECK_STR(buf, "2025-01-02T03:04:05-0100");
	mcr_format_stamp(&tm, MCR_STAMP_CLOCK, buf, sizeof(buf));
	CHECK_STR(buf, "03:04:05");
}

/* An IPv6 rule's addresses are in the same labels, as inet_ntop writes. */
static void prometheus_ipv6_labels(void)
{
	static struct prom_doc doc;
	struct mcr_printer pr;
	struct capture cap;
	struct mcr_sample s;
	struct mcr_output *o;
	struct mcr_rule r;
	int ret;

	mcr_sample_init(&s);
	mcr_rule_init(&r);
	r.id = 12;
	r.family = AF_INET6;
	r.iif = 2;
	r.has_group = true;
	inet_pton(AF_INET6, "ff3e::1", &r.group6);
	r.port = 5000;
	r.has_source = true;
	inet_pton(AF_INET6, "2001:db8::1", &r.source6);
	r.has_stats = true;
	r.stats.packets = 3;
	o = mcr_rule_add_output(&r);
	o->ifindex = 3;			/* sends to the rule's group */
	o->has_stats = true;
	o->stats.packets = 2;
	o = mcr_rule_add_output(&r);
	o->ifindex = 4;
	o->has_group = true;
	inet_pton(AF_INET6, "ff3e::2:0:0:0:1", &o->group6);
	o->port = 6000;
	o->has_stats = true;
	o->stats.packets = 1;
	mcr_rule_list_add(&s.rules, &r);
	mcr_rule_free(&r);
	capture_start(&cap);
	printer_init(&pr, &cap, NULL);
	mcr_print_prometheus(&pr, &s);
	capture_end(&cap);
	mcr_sample_free(&s);
	ret = prom_parse(cap.buf, &doc);
	if (ret)
		test_fail(__FILE__, __LINE__, "%s", doc.err);
	CHECK(strstr(cap.buf, "mcr_rule_packets_total{rule=\"12\",name=\"\","
		     "iif=\"eth0\",group=\"ff3e::1\",port=\"5000\","
		     "source=\"2001:db8::1\"} 3\n"));
	CHECK(strstr(cap.buf, "mcr_output_packets_total{rule=\"12\","
		     "oif=\"eth1\",group=\"ff3e::1\",port=\"5000\"} 2\n"));
	CHECK(strstr(cap.buf, "mcr_output_packets_total{rule=\"12\","
		     "oif=\"eth2\",group=\"ff3e:0:0:2::1\","
		     "port=\"6000\"} 1\n"));
	CHECK(strstr(cap.buf, "mcr_output_drops_total{rule=\"12\","
		     "oif=\"eth2\",group=\"ff3e:0:0:2::1\",port=\"6000\","
		     "reason=\"ttl\"} 0\n"));
	capture_free(&cap);
	CHECK_INT(ret, 0);
}

const struct test_case metrics_tests[] = {
	TEST(prometheus_exact),
	TEST(prometheus_parses),
	TEST(prometheus_parser_is_strict),
	TEST(prometheus_label_escaping),
	TEST(prometheus_labels_utf8),
	TEST(prometheus_one_rule_label),
	TEST(prometheus_ipv6_labels),
	TEST(si_rate),
	TEST(rates_tty),
	TEST(rates_lines),
	TEST(rates_json),
	TEST(rates_rules_come_and_go),
	TEST(stats_options),
	TEST(stats_options_errors),
	TEST(parse_seconds),
	TEST(watch_stamps),
	TEST_END,
};
