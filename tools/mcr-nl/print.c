// SPDX-License-Identifier: GPL-2.0
#include <inttypes.h>
#include <net/if.h>
#include <stdarg.h>
#include <string.h>

#include "print.h"
#include "version.h"

/* Printed in this order; unknown bits are shown in hex. */
static const struct {
	uint32_t flag;
	const char *word;
} rule_flags[] = {
	{ MCR_RULE_FLAGS_CONSUME, "consume" },
	{ MCR_RULE_FLAGS_NOJOIN, "nojoin" },
};

#define N_RULE_FLAGS (sizeof(rule_flags) / sizeof(rule_flags[0]))

const char *mcr_ifname_system(unsigned int ifindex, char *buf, void *arg)
{
	char name[IF_NAMESIZE];

	(void)arg;
	if (if_indextoname(ifindex, name)) {
		snprintf(buf, MCR_IFNAME_LEN, "%s", name);
		return buf;
	}
	snprintf(buf, MCR_IFNAME_LEN, "if%u", ifindex);
	return buf;
}

static const char *ifname(struct mcr_printer *pr, uint32_t ifindex,
			  char *buf)
{
	return pr->ifname(ifindex, buf, pr->ifname_arg);
}

/*
 * Bytes that must not reach a terminal as they are: C0 controls, DEL,
 * bytes that are not part of well-formed UTF-8 and the UTF-8 form of the
 * C1 controls (U+0080-U+009F).  Returns how many bytes at @c to escape
 * (0: none, the character is printable).
 */
static size_t unprintable_len(const unsigned char *c)
{
	size_t n;

	if (*c < ' ' || *c == 0x7f)
		return 1;
	n = mcr_utf8_len(c);
	if (!n)
		return 1;
	if (c[0] == 0xc2 && c[1] < 0xa0)
		return 2;
	return 0;
}

static bool needs_quotes(const char *s)
{
	const unsigned char *c;

	if (!*s)
		return true;
	for (c = (const unsigned char *)s; *c; c += mcr_utf8_len(c)) {
		if (*c <= ' ' || *c == '"' || *c == '\'' || *c == '\\' ||
		    *c == '#' ||
		    unprintable_len(c))
			return true;
	}
	return false;
}

const char *mcr_quote_word(const char *s, char *buf, size_t len)
{
	const unsigned char *c;
	size_t n = 0;

	if (!needs_quotes(s))
		return s;
	/* Worst case per byte is "\xHH", plus the quotes and the NUL. */
	if (len < 4 * strlen(s) + 3)
		return s;

	buf[n++] = '"';
	for (c = (const unsigned char *)s; *c; c++) {
		size_t bad = unprintable_len(c);

		if (*c == '"' || *c == '\\') {
			buf[n++] = '\\';
			buf[n++] = (char)*c;
		} else if (bad) {
			/* Read back by a batch file's \xHH escapes. */
			for (; bad; bad--, c++)
				n += (size_t)snprintf(buf + n, len - n,
						      "\\x%02x", *c);
			c--;
		} else {
			/* A printable character, of one or more bytes. */
			for (bad = mcr_utf8_len(c); bad > 1; bad--)
				buf[n++] = (char)*c++;
			buf[n++] = (char)*c;
		}
	}
	buf[n++] = '"';
	buf[n] = '\0';
	return buf;
}

void mcr_fput_printable(const char *s, FILE *f)
{
	const unsigned char *c;
	size_t bad;

	for (c = (const unsigned char *)s; *c; c++) {
		bad = unprintable_len(c);
		if (!bad) {
			fputc(*c, f);
			continue;
		}
		for (; bad; bad--, c++)
			fprintf(f, "\\x%02x", *c);
		c--;
	}
}

/* ---- one printer, two forms ---------------------------------------- */

void print_string(struct mcr_printer *pr, enum print_type t,
		  const char *key, const char *fmt, const char *value)
{
	if (!print_wanted(pr, t))
		return;
	if (pr->json) {
		if (key)
			json_key(pr->json, key);
		json_string(pr->json, value);
	} else if (fmt) {
		fprintf(pr->out, fmt, value);
	}
}

void print_uint(struct mcr_printer *pr, enum print_type t, const char *key,
		const char *fmt, unsigned int value)
{
	if (!print_wanted(pr, t))
		return;
	if (pr->json) {
		if (key)
			json_key(pr->json, key);
		json_u64(pr->json, value);
	} else if (fmt) {
		fprintf(pr->out, fmt, value);
	}
}

void print_u64(struct mcr_printer *pr, enum print_type t, const char *key,
	       const char *fmt, uint64_t value)
{
	if (!print_wanted(pr, t))
		return;
	if (pr->json) {
		if (key)
			json_key(pr->json, key);
		json_u64(pr->json, value);
	} else if (fmt) {
		fprintf(pr->out, fmt, value);
	}
}

void print_open_object(struct mcr_printer *pr, enum print_type t,
		       const char *key)
{
	if (!pr->json || !print_wanted(pr, t))
		return;
	if (key)
		json_key(pr->json, key);
	json_begin_object(pr->json);
}

void print_close_object(struct mcr_printer *pr, enum print_type t)
{
	if (pr->json && print_wanted(pr, t))
		json_end_object(pr->json);
}

void print_open_array(struct mcr_printer *pr, enum print_type t,
		      const char *key)
{
	if (!pr->json || !print_wanted(pr, t))
		return;
	if (key)
		json_key(pr->json, key);
	json_begin_array(pr->json);
}

void print_close_array(struct mcr_printer *pr, enum print_type t)
{
	if (pr->json && print_wanted(pr, t))
		json_end_array(pr->json);
}

void print_fp(struct mcr_printer *pr, const char *fmt, ...)
{
	va_list ap;

	if (pr->json)
		return;
	va_start(ap, fmt);
	vfprintf(pr->out, fmt, ap);
	va_end(ap);
}

/* ---- fields ---------------------------------------------------------- */

/* A device: its name ("iif", " iif %s"), and in JSON its index too. */
static void print_dev(struct mcr_printer *pr, enum print_type t,
		      const char *key, const char *fmt, uint32_t ifindex)
{
	char dev[MCR_IFNAME_LEN], quoted[MCR_IFNAME_QUOTED_LEN], index_key[16];
	const char *name = ifname(pr, ifindex, dev);

	/* Any byte but '/', ':' and blanks can be in a device's name. */
	print_string(pr, t & PRINT_JSON, key, NULL, name);
	print_string(pr, t & PRINT_FP, NULL, fmt,
		     mcr_quote_word(name, quoted, sizeof(quoted)));
	snprintf(index_key, sizeof(index_key), "%s_index", key);
	print_uint(pr, t & PRINT_JSON, index_key, NULL, ifindex);
}

/* An address of a rule of family @ipv6: @v6 if so, else @v4. */
static void print_addr(struct mcr_printer *pr, enum print_type t,
		       const char *key, const char *fmt, bool ipv6,
		       in_addr_t v4, const struct in6_addr *v6)
{
	char addr[MCR_ADDR_STRLEN];

	print_string(pr, t, key, fmt, mcr_addr_str(ipv6, v4, v6, addr));
}

/* Quoted for a batch file in human output; as it is in JSON. */
static void print_rule_name(struct mcr_printer *pr, const struct mcr_rule *r)
{
	char quoted[MCR_QUOTED_LEN];

	if (!r->name[0])
		return;
	print_string(pr, PRINT_JSON, "name", NULL, r->name);
	print_string(pr, PRINT_FP, NULL, " name %s",
		     mcr_quote_word(r->name, quoted, sizeof(quoted)));
}

/* " consume nojoin", or ["consume","nojoin"]; unknown bits in hex. */
static void print_flags(struct mcr_printer *pr, uint32_t flags)
{
	char hex[16];
	size_t i;

	print_open_array(pr, PRINT_JSON, "flags");
	for (i = 0; i < N_RULE_FLAGS; i++) {
		if (flags & rule_flags[i].flag)
			print_string(pr, PRINT_ANY, NULL, " %s",
				     rule_flags[i].word);
		flags &= ~rule_flags[i].flag;
	}
	/* A newer kernel's flag: show it rather than hide it. */
	if (flags) {
		snprintf(hex, sizeof(hex), "0x%x", flags);
		print_string(pr, PRINT_ANY, NULL, " flags %s", hex);
	}
	print_close_array(pr, PRINT_JSON);
}

/*
 * The match part: "[name N] iif DEV [group G] [port P] [source S] flags",
 * with the name after the key in the order of the "rule add" syntax.
 * JSON has the port even when it is 0 (any port).
 */
static void print_match(struct mcr_printer *pr, const struct mcr_rule *r,
			bool name_first)
{
	bool ipv6 = mcr_rule_is_ipv6(r);

	if (name_first)
		print_rule_name(pr, r);
	print_dev(pr, PRINT_ANY, "iif", " iif %s", r->iif);
	if (r->has_group)
		print_addr(pr, PRINT_ANY, "group", " group %s", ipv6, r->group,
			   &r->group6);
	print_uint(pr, r->port ? PRINT_ANY : PRINT_JSON, "port", " port %u",
		   r->port);
	if (r->has_source)
		print_addr(pr, PRINT_ANY, "source", " source %s", ipv6,
			   r->source, &r->source6);
	if (!name_first)
		print_rule_name(pr, r);
	print_flags(pr, r->flags);
}

/* ---- counters -------------------------------------------------------- */

/* Human formats of the counters, in the order of the JSON members. */
static const char *const rule_stats_keys[] = { "packets", "bytes" };
/* rule show -s: a line of its own under the rule's */
static const char *const rule_stats_line[] = {
	"\n    packets %" PRIu64, " bytes %" PRIu64,
};
/* stats: columns of the table */
static const char *const rule_stats_columns[] = {
	" %12" PRIu64, " %14" PRIu64,
};

static const char *const output_stats_keys[] = {
	"packets", "bytes", "drop_xmit", "drop_too_big", "drop_ttl",
	"drop_nomem",
};
static const char *const output_stats_line[] = {
	"\n        packets %" PRIu64, " bytes %" PRIu64,
	" drop-xmit %" PRIu64, " drop-too-big %" PRIu64,
	" drop-ttl %" PRIu64, " drop-nomem %" PRIu64,
};
static const char *const output_stats_columns[] = {
	" %12" PRIu64, " %14" PRIu64, " %10" PRIu64, " %12" PRIu64,
	" %9" PRIu64, " %10" PRIu64,
};

#define N_RULE_STATS (sizeof(rule_stats_keys) / sizeof(rule_stats_keys[0]))
#define N_OUTPUT_STATS \
	(sizeof(output_stats_keys) / sizeof(output_stats_keys[0]))

/* "stats": {...} in JSON, the counters in human formats @fmt (NULL for
 * JSON only). */
static void print_counters(struct mcr_printer *pr, enum print_type t,
			   const char *const keys[], const char *const fmt[],
			   const uint64_t values[], size_t n)
{
	size_t i;

	print_open_object(pr, t, "stats");
	for (i = 0; i < n; i++)
		print_u64(pr, t, keys[i], fmt ? fmt[i] : NULL, values[i]);
	print_close_object(pr, t);
}

static void print_rule_stats(struct mcr_printer *pr, enum print_type t,
			     const struct mcr_rule_stats *s,
			     const char *const fmt[])
{
	const uint64_t values[] = { s->packets, s->bytes };

	print_counters(pr, t, rule_stats_keys, fmt, values, N_RULE_STATS);
}

static void print_output_stats(struct mcr_printer *pr, enum print_type t,
			       const struct mcr_output_stats *s,
			       const char *const fmt[])
{
	const uint64_t values[] = { s->packets, s->bytes, s->drop_xmit,
				    s->drop_too_big, s->drop_ttl,
				    s->drop_nomem };

	print_counters(pr, t, output_stats_keys, fmt, values,
		       N_OUTPUT_STATS);
}

/* ---- rules ----------------------------------------------------------- */

/*
 * " oif DEV [group G] [port P] [ttl N] [source auto|S]", or its object,
 * its addresses of family @ipv6 (the rule's); @stats: where its counters
 * appear (human: on a line of their own).
 */
static void print_output(struct mcr_printer *pr, enum print_type t,
			 bool ipv6, const struct mcr_output *o,
			 enum print_type stats)
{
	print_open_object(pr, t, NULL);
	print_dev(pr, t, "oif", " oif %s", o->ifindex);
	if (o->has_group)
		print_addr(pr, t, "group", " group %s", ipv6, o->group,
			   &o->group6);
	if (o->port)
		print_uint(pr, t, "port", " port %u", o->port);
	if (o->ttl)
		print_uint(pr, t, "ttl", " ttl %u", o->ttl);
	if (o->source_auto)
		print_string(pr, t, "source", " source %s", "auto");
	else if (o->has_source)
		print_addr(pr, t, "source", " source %s", ipv6, o->source,
			   &o->source6);
	if (o->has_stats)
		print_output_stats(pr, t & stats, &o->stats,
				   output_stats_line);
	print_close_object(pr, t);
}

/* The outputs as the array @key; in human output, each after @sep. */
static void print_outputs(struct mcr_printer *pr, enum print_type t,
			  const char *key, const struct mcr_rule *r,
			  enum print_type stats, const char *sep)
{
	size_t i;

	print_open_array(pr, t, key);
	for (i = 0; i < r->n_outputs; i++) {
		if (print_wanted(pr, t & PRINT_FP))
			print_fp(pr, "%s", sep);
		print_output(pr, t, mcr_rule_is_ipv6(r), &r->outputs[i],
			     stats);
	}
	print_close_array(pr, t);
}

/*
 * A rule: "rule ID" and its match, then its outputs (of type @outputs),
 * each after @sep; the counters where @stats says, on a line of their
 * own in human output, after the outputs in JSON.
 */
static void print_rule_body(struct mcr_printer *pr, const struct mcr_rule *r,
			    enum print_type outputs, enum print_type stats,
			    const char *sep)
{
	print_uint(pr, PRINT_ANY, "id", "rule %u", r->id);
	print_match(pr, r, true);
	if (r->has_stats)
		print_rule_stats(pr, stats & PRINT_FP, &r->stats,
				 rule_stats_line);
	print_outputs(pr, outputs, "outputs", r, stats, sep);
	if (r->has_stats)
		print_rule_stats(pr, stats & PRINT_JSON, &r->stats, NULL);
}

void mcr_print_rule(struct mcr_printer *pr, const struct mcr_rule *rule)
{
	/* JSON always carries the counters: scripts read them there. */
	enum print_type stats = pr->stats ? PRINT_ANY : PRINT_JSON;

	print_open_object(pr, PRINT_ANY, NULL);
	print_rule_body(pr, rule, PRINT_ANY, stats, "\n   ");
	print_fp(pr, "\n");
	print_close_object(pr, PRINT_ANY);
}

void mcr_print_save_header(struct mcr_printer *pr)
{
	fprintf(pr->out, "# mcr rules, saved by mcr-nl %s\n", MCR_VERSION);
}

void mcr_print_save_rule(struct mcr_printer *pr, const struct mcr_rule *rule)
{
	print_fp(pr, "rule add");
	print_match(pr, rule, false);
	print_outputs(pr, PRINT_FP, NULL, rule, 0, "");
	print_fp(pr, "\n");
}

/* ---- monitor --------------------------------------------------------- */

/*
 * ip monitor -t's line before the event ("Timestamp: Wed Jan  1 12:00:02
 * 2025 123456 usec"), or "time" in RFC 3339 with microseconds.
 */
static void print_event_stamp(struct mcr_printer *pr)
{
	const struct timespec *ts = pr->stamp;
	char buf[64];
	struct tm tm;
	size_t n;

	localtime_r(&ts->tv_sec, &tm);
	if (pr->json) {
		/* 2025-01-01T12:00:02.123456+00:00 */
		n = strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, ".%06ld",
				      ts->tv_nsec / 1000);
		n += strftime(buf + n, sizeof(buf) - n, "%z", &tm);
		/* strftime's %z is "+hhmm"; RFC 3339 wants "+hh:mm". */
		if (n >= 5 && n + 2 <= sizeof(buf)) {
			memmove(buf + n - 1, buf + n - 2, 3);
			buf[n - 2] = ':';
		}
	} else {
		n = strftime(buf, sizeof(buf), "%a %b %e %H:%M:%S %Y", &tm);
		snprintf(buf + n, sizeof(buf) - n, " %ld", ts->tv_nsec / 1000);
	}
	print_string(pr, PRINT_ANY, "time", "Timestamp: %s usec\n", buf);
}

int mcr_print_event(struct mcr_printer *pr, uint8_t cmd,
		    const struct mcr_rule *rule,
		    const struct mcr_rule *removed)
{
	bool output_del = cmd == MCR_CMD_OUTPUT_DEL_NTF;
	const char *event, *verb;

	switch (cmd) {
	case MCR_CMD_RULE_NEW_NTF:
		event = "rule-new";
		verb = "added";
		break;
	case MCR_CMD_RULE_DEL_NTF:
		event = "rule-del";
		verb = "deleted";
		break;
	case MCR_CMD_OUTPUT_DEL_NTF:
		event = "output-del";
		verb = "output-removed";
		break;
	default:
		return -1;
	}

	print_open_object(pr, PRINT_ANY, NULL);
	if (pr->stamp)
		print_event_stamp(pr);
	print_string(pr, PRINT_JSON, "event", NULL, event);
	print_string(pr, PRINT_FP, NULL, "%s ", verb);
	/* One line: the counters are JSON's only.  An output-del's human
	 * line names the outputs removed, not the rule's. */
	print_open_object(pr, PRINT_ANY, "rule");
	print_rule_body(pr, rule, output_del ? PRINT_JSON : PRINT_ANY,
			PRINT_JSON, "");
	print_close_object(pr, PRINT_ANY);
	if (output_del && removed) {
		print_outputs(pr, PRINT_ANY, "removed", removed, PRINT_JSON,
			      "");
	} else if (output_del) {
		/* Which one went is not known: say what is left. */
		if (rule->n_outputs)
			print_fp(pr, " remaining");
		print_outputs(pr, PRINT_FP, NULL, rule, 0, "");
	}
	print_fp(pr, "\n");
	print_close_object(pr, PRINT_ANY);
	if (pr->json)
		json_end_line(pr->json);
	return 0;
}

/* "rule add -j": {"id":N}; silent otherwise, like ip. */
void mcr_print_added(struct mcr_printer *pr, uint32_t id)
{
	print_open_object(pr, PRINT_JSON, NULL);
	print_uint(pr, PRINT_JSON, "id", NULL, id);
	print_close_object(pr, PRINT_JSON);
	if (pr->json)
		json_end_line(pr->json);
}

/* ---- stats ----------------------------------------------------------- */

/* "    no-match         12", or "no_match":12 */
static void print_netns_counter(struct mcr_printer *pr, const char *key,
				const char *label, uint64_t value)
{
	print_string(pr, PRINT_FP, NULL, "    %-16s ", label);
	print_u64(pr, PRINT_ANY, key, "%" PRIu64 "\n", value);
}

void mcr_print_netns_stats(struct mcr_printer *pr,
			   const struct mcr_netns_stats *s)
{
	if (!pr->json)
		pr->netns_printed = true;
	print_open_object(pr, PRINT_ANY, NULL);
	/* Human output starts with the sizes, next to their limits. */
	print_fp(pr, "namespace\n");
	print_fp(pr, "    %-16s %u (max %u)\n", "rules", s->rules,
		 s->max_rules);
	print_fp(pr, "    %-16s %u (max %u per rule)\n", "outputs",
		 s->outputs, s->max_outputs);
	print_netns_counter(pr, "no_match", "no-match", s->no_match);
	print_netns_counter(pr, "not_udp", "not-udp", s->not_udp);
	print_netns_counter(pr, "fragments", "fragments", s->fragments);
	print_netns_counter(pr, "not_routable", "not-routable",
			    s->not_routable);
	print_netns_counter(pr, "zero_checksum", "zero-checksum",
			    s->zero_checksum);
	print_netns_counter(pr, "outputs_removed", "outputs-removed",
			    s->outputs_removed);
	print_uint(pr, PRINT_JSON, "rules", NULL, s->rules);
	print_uint(pr, PRINT_JSON, "outputs", NULL, s->outputs);
	print_uint(pr, PRINT_JSON, "max_rules", NULL, s->max_rules);
	print_uint(pr, PRINT_JSON, "max_outputs", NULL, s->max_outputs);
	print_close_object(pr, PRINT_ANY);
}

/* Columns of the human stats table; widths are minimums, never cut. */
static void print_stats_table_header(struct mcr_printer *pr)
{
	if (pr->json || pr->table_started)
		return;
	pr->table_started = true;
	/* Set apart from the namespace block printed before it. */
	if (pr->netns_printed)
		fputc('\n', pr->out);
	fprintf(pr->out, "%8s  %-15s %12s %14s %10s %12s %9s %10s\n", "RULE",
		"OIF", "PACKETS", "BYTES", "DROP-XMIT", "DROP-TOO-BIG",
		"DROP-TTL", "DROP-NOMEM");
}

/* A row for the rule ("-" for its device) and one for each output. */
void mcr_print_rule_stats(struct mcr_printer *pr, const struct mcr_rule *r)
{
	size_t i;

	print_stats_table_header(pr);
	print_open_object(pr, PRINT_ANY, NULL);
	print_uint(pr, PRINT_ANY, "id", "%8u", r->id);
	if (r->name[0])
		print_string(pr, PRINT_JSON, "name", NULL, r->name);
	print_string(pr, PRINT_FP, NULL, r->has_stats ? "  %-15s" : "  %s",
		     "-");
	if (r->has_stats)
		print_rule_stats(pr, PRINT_ANY, &r->stats,
				 rule_stats_columns);
	/* After the counters: the columns stay the same with or without. */
	if (r->name[0]) {
		char quoted[MCR_QUOTED_LEN];

		print_string(pr, PRINT_FP, NULL, "  name %s",
			     mcr_quote_word(r->name, quoted, sizeof(quoted)));
	}
	print_fp(pr, "\n");
	print_open_array(pr, PRINT_ANY, "outputs");
	for (i = 0; i < r->n_outputs; i++) {
		const struct mcr_output *o = &r->outputs[i];

		print_open_object(pr, PRINT_ANY, NULL);
		print_dev(pr, PRINT_ANY, "oif", o->has_stats ?
			  "          %-15s" : "          %s", o->ifindex);
		if (o->has_stats)
			print_output_stats(pr, PRINT_ANY, &o->stats,
					   output_stats_columns);
		print_fp(pr, "\n");
		print_close_object(pr, PRINT_ANY);
	}
	print_close_array(pr, PRINT_ANY);
	print_close_object(pr, PRINT_ANY);
}
