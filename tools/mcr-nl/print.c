// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <inttypes.h>
#include <net/if.h>
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

/* inet_ntoa() without its static buffer. */
static const char *addr_str(in_addr_t addr, char *buf)
{
	struct in_addr a = { .s_addr = addr };

	return inet_ntop(AF_INET, &a, buf, INET_ADDRSTRLEN);
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

/* ---- human output ---------------------------------------------------- */

static void print_name(struct mcr_printer *pr, const struct mcr_rule *r)
{
	char quoted[MCR_QUOTED_LEN];

	if (r->name[0])
		fprintf(pr->out, " name %s",
			mcr_quote_word(r->name, quoted, sizeof(quoted)));
}

static void print_flags(struct mcr_printer *pr, uint32_t flags)
{
	size_t i;

	for (i = 0; i < N_RULE_FLAGS; i++) {
		if (flags & rule_flags[i].flag)
			fprintf(pr->out, " %s", rule_flags[i].word);
		flags &= ~rule_flags[i].flag;
	}
	/* A newer kernel's flag: show it rather than hide it. */
	if (flags)
		fprintf(pr->out, " flags 0x%x", flags);
}

/*
 * The match part: "[name N] iif DEV group G [port P] [source S] flags",
 * with the name after the key in the order of the "rule add" syntax.
 */
static void print_match(struct mcr_printer *pr, const struct mcr_rule *r,
			bool name_first)
{
	char dev[MCR_IFNAME_LEN], addr[INET_ADDRSTRLEN];

	if (name_first)
		print_name(pr, r);
	fprintf(pr->out, " iif %s", ifname(pr, r->iif, dev));
	if (r->has_group)
		fprintf(pr->out, " group %s", addr_str(r->group, addr));
	if (r->port)
		fprintf(pr->out, " port %u", r->port);
	if (r->has_source)
		fprintf(pr->out, " source %s", addr_str(r->source, addr));
	if (!name_first)
		print_name(pr, r);
	print_flags(pr, r->flags);
}

/* " oif DEV [group G] [port P] [ttl N] [source auto|S]" */
static void print_output(struct mcr_printer *pr, const struct mcr_output *o)
{
	char dev[MCR_IFNAME_LEN], addr[INET_ADDRSTRLEN];

	fprintf(pr->out, " oif %s", ifname(pr, o->ifindex, dev));
	if (o->has_group)
		fprintf(pr->out, " group %s", addr_str(o->group, addr));
	if (o->port)
		fprintf(pr->out, " port %u", o->port);
	if (o->ttl)
		fprintf(pr->out, " ttl %u", o->ttl);
	if (o->source_auto)
		fputs(" source auto", pr->out);
	else if (o->has_source)
		fprintf(pr->out, " source %s", addr_str(o->source, addr));
}

static void print_outputs_inline(struct mcr_printer *pr,
				 const struct mcr_rule *r)
{
	size_t i;

	for (i = 0; i < r->n_outputs; i++)
		print_output(pr, &r->outputs[i]);
}

static void print_rule_human(struct mcr_printer *pr, const struct mcr_rule *r)
{
	const struct mcr_output_stats *s;
	size_t i;

	fprintf(pr->out, "rule %u", r->id);
	print_match(pr, r, true);
	fputc('\n', pr->out);
	if (r->has_stats && pr->stats)
		fprintf(pr->out, "    packets %" PRIu64 " bytes %" PRIu64 "\n",
			r->stats.packets, r->stats.bytes);
	for (i = 0; i < r->n_outputs; i++) {
		fputs("   ", pr->out);
		print_output(pr, &r->outputs[i]);
		fputc('\n', pr->out);
		if (!r->outputs[i].has_stats || !pr->stats)
			continue;
		s = &r->outputs[i].stats;
		fprintf(pr->out, "        packets %" PRIu64 " bytes %" PRIu64
			" drop-xmit %" PRIu64 " drop-too-big %" PRIu64
			" drop-ttl %" PRIu64 " drop-nomem %" PRIu64 "\n",
			s->packets, s->bytes, s->drop_xmit, s->drop_too_big,
			s->drop_ttl, s->drop_nomem);
	}
}

/* ---- JSON output ----------------------------------------------------- */

static void json_addr(struct json_writer *w, const char *key, in_addr_t a)
{
	char addr[INET_ADDRSTRLEN];

	json_kv_string(w, key, addr_str(a, addr));
}

static void json_flags(struct json_writer *w, uint32_t flags)
{
	char hex[16];
	size_t i;

	json_key(w, "flags");
	json_begin_array(w);
	for (i = 0; i < N_RULE_FLAGS; i++) {
		if (flags & rule_flags[i].flag)
			json_string(w, rule_flags[i].word);
		flags &= ~rule_flags[i].flag;
	}
	if (flags) {
		snprintf(hex, sizeof(hex), "0x%x", flags);
		json_string(w, hex);
	}
	json_end_array(w);
}

static void json_rule_stats(struct json_writer *w,
			    const struct mcr_rule_stats *s)
{
	json_key(w, "stats");
	json_begin_object(w);
	json_kv_u64(w, "packets", s->packets);
	json_kv_u64(w, "bytes", s->bytes);
	json_end_object(w);
}

static void json_output_stats(struct json_writer *w,
			      const struct mcr_output_stats *s)
{
	json_key(w, "stats");
	json_begin_object(w);
	json_kv_u64(w, "packets", s->packets);
	json_kv_u64(w, "bytes", s->bytes);
	json_kv_u64(w, "drop_xmit", s->drop_xmit);
	json_kv_u64(w, "drop_too_big", s->drop_too_big);
	json_kv_u64(w, "drop_ttl", s->drop_ttl);
	json_kv_u64(w, "drop_nomem", s->drop_nomem);
	json_end_object(w);
}

static void json_oif(struct mcr_printer *pr, uint32_t ifindex)
{
	char dev[MCR_IFNAME_LEN];

	json_kv_string(pr->json, "oif", ifname(pr, ifindex, dev));
	json_kv_u64(pr->json, "oif_index", ifindex);
}

static void json_output(struct mcr_printer *pr, const struct mcr_output *o)
{
	struct json_writer *w = pr->json;

	json_begin_object(w);
	json_oif(pr, o->ifindex);
	if (o->has_group)
		json_addr(w, "group", o->group);
	if (o->port)
		json_kv_u64(w, "port", o->port);
	if (o->ttl)
		json_kv_u64(w, "ttl", o->ttl);
	if (o->source_auto)
		json_kv_string(w, "source", "auto");
	else if (o->has_source)
		json_addr(w, "source", o->source);
	if (o->has_stats)
		json_output_stats(w, &o->stats);
	json_end_object(w);
}

static void json_rule(struct mcr_printer *pr, const struct mcr_rule *r)
{
	struct json_writer *w = pr->json;
	char dev[MCR_IFNAME_LEN];
	size_t i;

	json_begin_object(w);
	json_kv_u64(w, "id", r->id);
	if (r->name[0])
		json_kv_string(w, "name", r->name);
	json_kv_string(w, "iif", ifname(pr, r->iif, dev));
	json_kv_u64(w, "iif_index", r->iif);
	if (r->has_group)
		json_addr(w, "group", r->group);
	json_kv_u64(w, "port", r->port);
	if (r->has_source)
		json_addr(w, "source", r->source);
	json_flags(w, r->flags);
	json_key(w, "outputs");
	json_begin_array(w);
	for (i = 0; i < r->n_outputs; i++)
		json_output(pr, &r->outputs[i]);
	json_end_array(w);
	if (r->has_stats)
		json_rule_stats(w, &r->stats);
	json_end_object(w);
}

/* ---- entry points ---------------------------------------------------- */

void mcr_print_rule(struct mcr_printer *pr, const struct mcr_rule *rule)
{
	if (pr->json)
		json_rule(pr, rule);
	else
		print_rule_human(pr, rule);
}

void mcr_print_save_header(struct mcr_printer *pr)
{
	fprintf(pr->out, "# mcr rules, saved by mcr-nl %s\n", MCR_VERSION);
}

void mcr_print_save_rule(struct mcr_printer *pr, const struct mcr_rule *rule)
{
	fputs("rule add", pr->out);
	print_match(pr, rule, false);
	print_outputs_inline(pr, rule);
	fputc('\n', pr->out);
}

/* "Timestamp: Wed Jan  1 12:00:02 2025 123456 usec", as ip monitor -t. */
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
		json_kv_string(pr->json, "time", buf);
		return;
	}
	if (!strftime(buf, sizeof(buf), "%a %b %e %H:%M:%S %Y", &tm))
		buf[0] = '\0';
	fprintf(pr->out, "Timestamp: %s %ld usec\n", buf, ts->tv_nsec / 1000);
}

int mcr_print_event(struct mcr_printer *pr, uint8_t cmd,
		    const struct mcr_rule *rule,
		    const struct mcr_rule *removed)
{
	size_t i;

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

	if (pr->stamp && !pr->json)
		print_event_stamp(pr);
	if (pr->json) {
		json_begin_object(pr->json);
		if (pr->stamp)
			print_event_stamp(pr);
		json_kv_string(pr->json, "event", event);
		json_key(pr->json, "rule");
		json_rule(pr, rule);
		if (cmd == MCR_CMD_OUTPUT_DEL_NTF && removed) {
			json_key(pr->json, "removed");
			json_begin_array(pr->json);
			for (i = 0; i < removed->n_outputs; i++)
				json_output(pr, &removed->outputs[i]);
			json_end_array(pr->json);
		}
		json_end_object(pr->json);
		json_end_line(pr->json);
	} else {
		fprintf(pr->out, "%s rule %u", verb, rule->id);
		print_match(pr, rule, true);
		if (cmd != MCR_CMD_OUTPUT_DEL_NTF)
			print_outputs_inline(pr, rule);
		else if (removed)
			print_outputs_inline(pr, removed);
		else if (rule->n_outputs)
			/* Which one went is not known: say what is left. */
			fputs(" remaining", pr->out);
		if (cmd == MCR_CMD_OUTPUT_DEL_NTF && !removed)
			print_outputs_inline(pr, rule);
		fputc('\n', pr->out);
	}
	return 0;
}

void mcr_print_added(struct mcr_printer *pr, uint32_t id)
{
	if (!pr->json)
		return;
	json_begin_object(pr->json);
	json_kv_u64(pr->json, "id", id);
	json_end_object(pr->json);
	json_end_line(pr->json);
}

void mcr_print_netns_stats(struct mcr_printer *pr,
			   const struct mcr_netns_stats *s)
{
	struct json_writer *w = pr->json;

	if (w) {
		json_begin_object(w);
		json_kv_u64(w, "no_match", s->no_match);
		json_kv_u64(w, "not_udp", s->not_udp);
		json_kv_u64(w, "fragments", s->fragments);
		json_kv_u64(w, "not_routable", s->not_routable);
		json_kv_u64(w, "outputs_removed", s->outputs_removed);
		json_kv_u64(w, "rules", s->rules);
		json_kv_u64(w, "outputs", s->outputs);
		json_kv_u64(w, "max_rules", s->max_rules);
		json_kv_u64(w, "max_outputs", s->max_outputs);
		json_end_object(w);
		return;
	}
	pr->netns_printed = true;
	fprintf(pr->out,
		"namespace\n"
		"    %-16s %u (max %u)\n"
		"    %-16s %u (max %u per rule)\n"
		"    %-16s %" PRIu64 "\n"
		"    %-16s %" PRIu64 "\n"
		"    %-16s %" PRIu64 "\n"
		"    %-16s %" PRIu64 "\n"
		"    %-16s %" PRIu64 "\n",
		"rules", s->rules, s->max_rules,
		"outputs", s->outputs, s->max_outputs,
		"no-match", s->no_match,
		"not-udp", s->not_udp,
		"fragments", s->fragments,
		"not-routable", s->not_routable,
		"outputs-removed", s->outputs_removed);
}

/* Columns of the human stats table; widths are minimums, never cut. */
#define STATS_ROW_FMT "%8s  %-15s %12s %14s %10s %12s %9s %10s\n"
#define STATS_COUNTS_FMT "%12" PRIu64 " %14" PRIu64

static void print_stats_table_header(struct mcr_printer *pr)
{
	if (pr->table_started)
		return;
	pr->table_started = true;
	/* Set apart from the namespace block printed before it. */
	if (pr->netns_printed)
		fputc('\n', pr->out);
	fprintf(pr->out, STATS_ROW_FMT, "RULE", "OIF", "PACKETS", "BYTES",
		"DROP-XMIT", "DROP-TOO-BIG", "DROP-TTL", "DROP-NOMEM");
}

static void print_rule_stats_human(struct mcr_printer *pr,
				   const struct mcr_rule *r)
{
	char dev[MCR_IFNAME_LEN];
	size_t i;

	print_stats_table_header(pr);
	if (r->has_stats)
		fprintf(pr->out, "%8u  %-15s " STATS_COUNTS_FMT "\n", r->id,
			"-", r->stats.packets, r->stats.bytes);
	else
		fprintf(pr->out, "%8u  -\n", r->id);

	for (i = 0; i < r->n_outputs; i++) {
		const struct mcr_output *o = &r->outputs[i];
		const char *dev_name = ifname(pr, o->ifindex, dev);

		if (!o->has_stats) {
			fprintf(pr->out, "%8s  %s\n", "", dev_name);
			continue;
		}
		fprintf(pr->out, "%8s  %-15s " STATS_COUNTS_FMT " %10" PRIu64
			" %12" PRIu64 " %9" PRIu64 " %10" PRIu64 "\n", "",
			dev_name, o->stats.packets, o->stats.bytes,
			o->stats.drop_xmit, o->stats.drop_too_big,
			o->stats.drop_ttl, o->stats.drop_nomem);
	}
}

static void json_rule_counters(struct mcr_printer *pr,
			       const struct mcr_rule *r)
{
	struct json_writer *w = pr->json;
	size_t i;

	json_begin_object(w);
	json_kv_u64(w, "id", r->id);
	if (r->name[0])
		json_kv_string(w, "name", r->name);
	if (r->has_stats)
		json_rule_stats(w, &r->stats);
	json_key(w, "outputs");
	json_begin_array(w);
	for (i = 0; i < r->n_outputs; i++) {
		json_begin_object(w);
		json_oif(pr, r->outputs[i].ifindex);
		if (r->outputs[i].has_stats)
			json_output_stats(w, &r->outputs[i].stats);
		json_end_object(w);
	}
	json_end_array(w);
	json_end_object(w);
}

void mcr_print_rule_stats(struct mcr_printer *pr, const struct mcr_rule *rule)
{
	if (pr->json)
		json_rule_counters(pr, rule);
	else
		print_rule_stats_human(pr, rule);
}
