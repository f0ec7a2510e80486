// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"

/* ---- rule lists and samples ------------------------------------------ */

void mcr_rule_list_init(struct mcr_rule_list *l)
{
	memset(l, 0, sizeof(*l));
}

void mcr_rule_list_free(struct mcr_rule_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		mcr_rule_free(&l->rules[i]);
	free(l->rules);
	mcr_rule_list_init(l);
}

int mcr_rule_list_add(struct mcr_rule_list *l, const struct mcr_rule *rule)
{
	struct mcr_rule *copy;

	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 16;
		struct mcr_rule *rules;

		rules = realloc(l->rules, cap * sizeof(*rules));
		if (!rules)
			return -ENOMEM;
		l->rules = rules;
		l->cap = cap;
	}
	copy = &l->rules[l->n];
	*copy = *rule;
	copy->outputs = NULL;
	copy->n_outputs = 0;
	copy->cap_outputs = 0;
	if (mcr_rule_append_outputs(copy, rule))
		return -ENOMEM;
	l->n++;
	return 0;
}

void mcr_sample_init(struct mcr_sample *s)
{
	memset(s, 0, sizeof(*s));
	mcr_rule_list_init(&s->rules);
}

void mcr_sample_free(struct mcr_sample *s)
{
	mcr_rule_list_free(&s->rules);
	mcr_sample_init(s);
}

/* ---- Prometheus ------------------------------------------------------ */

void mcr_prom_label_value(FILE *out, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t len;

	fputc('"', out);
	while (*s) {
		if (*s == '\\') {
			fputs("\\\\", out);
		} else if (*s == '"') {
			fputs("\\\"", out);
		} else if (*s == '\n') {
			fputs("\\n", out);
		} else {
			/* The format is UTF-8: one bad byte would make the
			 * scrape of the whole file fail. */
			len = mcr_utf8_len(s);
			if (!len) {
				fputs("\xef\xbf\xbd", out);	/* U+FFFD */
				s++;
				continue;
			}
			fwrite(s, 1, len, out);
			s += len;
			continue;
		}
		s++;
	}
	fputc('"', out);
}

static void prom_family(FILE *out, const char *name, const char *type,
			const char *help)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void prom_label(FILE *out, bool first, const char *key,
		       const char *value)
{
	fprintf(out, "%s%s=", first ? "" : ",", key);
	mcr_prom_label_value(out, value);
}

/*
 * {rule="7",name="x",iif="eth0",group="239.1.1.1",port="5000",source=""}:
 * the rule's id has the label name of the output metrics, so that the
 * families join on it.  An IPv6 rule's addresses are in the same labels
 * (group="ff3e::1"): their form tells the family.
 */
static void prom_rule_labels(struct mcr_printer *pr, const struct mcr_rule *r)
{
	char dev[MCR_IFNAME_LEN], addr[MCR_ADDR_STRLEN], num[16];
	bool ipv6 = mcr_rule_is_ipv6(r);

	snprintf(num, sizeof(num), "%u", r->id);
	fputc('{', pr->out);
	prom_label(pr->out, true, "rule", num);
	prom_label(pr->out, false, "name", r->name);
	prom_label(pr->out, false, "iif",
		   pr->ifname(r->iif, dev, pr->ifname_arg));
	prom_label(pr->out, false, "group", !r->has_group ? "" :
		   mcr_addr_str(ipv6, r->group, &r->group6, addr));
	snprintf(num, sizeof(num), "%u", r->port);
	prom_label(pr->out, false, "port", num);
	prom_label(pr->out, false, "source", !r->has_source ? "" :
		   mcr_addr_str(ipv6, r->source, &r->source6, addr));
	fputc('}', pr->out);
}

/*
 * {rule="7",oif="eth1",group="239.2.2.2",port="6000"[,reason="xmit"]}:
 * the destination the output sends to, which with the device tells the
 * outputs of a rule apart (the kernel rejects two that send the same).
 */
static void prom_output_labels(struct mcr_printer *pr,
			       const struct mcr_rule *r,
			       const struct mcr_output *o, const char *reason)
{
	char dev[MCR_IFNAME_LEN], addr[MCR_ADDR_STRLEN], num[16];
	bool has_group = o->has_group || r->has_group;
	bool ipv6 = mcr_rule_is_ipv6(r);

	snprintf(num, sizeof(num), "%u", r->id);
	fputc('{', pr->out);
	prom_label(pr->out, true, "rule", num);
	prom_label(pr->out, false, "oif",
		   pr->ifname(o->ifindex, dev, pr->ifname_arg));
	if (!has_group)
		addr[0] = '\0';
	else if (o->has_group)
		mcr_addr_str(ipv6, o->group, &o->group6, addr);
	else
		mcr_addr_str(ipv6, r->group, &r->group6, addr);
	prom_label(pr->out, false, "group", addr);
	snprintf(num, sizeof(num), "%u", o->port ? o->port : r->port);
	prom_label(pr->out, false, "port", num);
	if (reason)
		prom_label(pr->out, false, "reason", reason);
	fputc('}', pr->out);
}

enum rule_counter { RULE_PACKETS, RULE_BYTES };
enum output_counter { OUT_PACKETS, OUT_BYTES, OUT_DROPS };

static void prom_rules(struct mcr_printer *pr, const struct mcr_rule_list *l,
		       enum rule_counter which)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		const struct mcr_rule *r = &l->rules[i];

		if (!r->has_stats)
			continue;
		fputs(which == RULE_PACKETS ? "mcr_rule_packets_total" :
		      "mcr_rule_bytes_total", pr->out);
		prom_rule_labels(pr, r);
		fprintf(pr->out, " %" PRIu64 "\n", which == RULE_PACKETS ?
			r->stats.packets : r->stats.bytes);
	}
}

static void prom_outputs(struct mcr_printer *pr,
			 const struct mcr_rule_list *l,
			 enum output_counter which)
{
	static const char *const reasons[] = { "xmit", "too_big", "ttl",
					       "nomem" };
	size_t i, j, k;

	for (i = 0; i < l->n; i++) {
		const struct mcr_rule *r = &l->rules[i];

		for (j = 0; j < r->n_outputs; j++) {
			const struct mcr_output *o = &r->outputs[j];
			const struct mcr_output_stats *s = &o->stats;
			const uint64_t drops[] = { s->drop_xmit,
				s->drop_too_big, s->drop_ttl, s->drop_nomem };

			if (!o->has_stats)
				continue;
			if (which != OUT_DROPS) {
				fputs(which == OUT_PACKETS ?
				      "mcr_output_packets_total" :
				      "mcr_output_bytes_total", pr->out);
				prom_output_labels(pr, r, o, NULL);
				fprintf(pr->out, " %" PRIu64 "\n",
					which == OUT_PACKETS ? s->packets :
					s->bytes);
				continue;
			}
			for (k = 0; k < 4; k++) {
				fputs("mcr_output_drops_total", pr->out);
				prom_output_labels(pr, r, o, reasons[k]);
				fprintf(pr->out, " %" PRIu64 "\n", drops[k]);
			}
		}
	}
}

void mcr_print_prometheus(struct mcr_printer *pr,
			  const struct mcr_sample *sample)
{
	static const struct {
		const char *name, *type, *help;
	} netns_families[] = {
		{ "mcr_rules", "gauge", "Rules in the network namespace." },
		{ "mcr_outputs", "gauge",
		  "Outputs of all rules in the network namespace." },
		{ "mcr_max_rules", "gauge",
		  "Limit on rules per network namespace (max_rules)." },
		{ "mcr_max_outputs_per_rule", "gauge",
		  "Limit on outputs per rule (max_outputs_per_rule)." },
		{ "mcr_netns_no_match_total", "counter",
		  "UDP packets on a hooked device that matched no rule." },
		{ "mcr_netns_not_udp_total", "counter",
		  "Packets on a hooked device that were not valid IPv4 or IPv6 "
		  "UDP." },
		{ "mcr_netns_fragments_total", "counter",
		  "IPv4 and IPv6 fragments left to the stack unrelayed." },
		{ "mcr_netns_not_routable_total", "counter",
		  "UDP packets not a router's to forward: looped back, "
		  "for another host's MAC, or from a martian source." },
		{ "mcr_netns_zero_checksum_total", "counter",
		  "IPv6 UDP packets with a zero checksum, left to the stack "
		  "unrelayed." },
		{ "mcr_netns_outputs_removed_total", "counter",
		  "Outputs removed because their device went away." },
	};
	const struct mcr_netns_stats *ns = &sample->netns;
	const uint64_t netns_values[] = {
		ns->rules, ns->outputs, ns->max_rules, ns->max_outputs,
		ns->no_match, ns->not_udp, ns->fragments, ns->not_routable,
		ns->zero_checksum, ns->outputs_removed,
	};
	FILE *out = pr->out;
	size_t i;

	if (sample->has_netns) {
		for (i = 0; i < sizeof(netns_values) / sizeof(netns_values[0]);
		     i++) {
			prom_family(out, netns_families[i].name,
				    netns_families[i].type,
				    netns_families[i].help);
			fprintf(out, "%s %" PRIu64 "\n",
				netns_families[i].name, netns_values[i]);
		}
	}
	prom_family(out, "mcr_rule_packets_total", "counter",
		    "Packets matched by the rule.");
	prom_rules(pr, &sample->rules, RULE_PACKETS);
	prom_family(out, "mcr_rule_bytes_total", "counter",
		    "Bytes (IP length) of the packets matched by the rule.");
	prom_rules(pr, &sample->rules, RULE_BYTES);
	prom_family(out, "mcr_output_packets_total", "counter",
		    "Packets sent by the output.");
	prom_outputs(pr, &sample->rules, OUT_PACKETS);
	prom_family(out, "mcr_output_bytes_total", "counter",
		    "Bytes (IP length) sent by the output.");
	prom_outputs(pr, &sample->rules, OUT_BYTES);
	prom_family(out, "mcr_output_drops_total", "counter",
		    "Packets the output dropped, by reason.");
	prom_outputs(pr, &sample->rules, OUT_DROPS);
}

/* ---- rates ----------------------------------------------------------- */

void mcr_format_stamp(const struct tm *tm, enum mcr_stamp_form form,
		      char *buf, size_t len)
{
	size_t n;

	if (form == MCR_STAMP_CLOCK) {
		strftime(buf, len, "%H:%M:%S", tm);
		return;
	}
	n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S%z", tm);
	/* strftime's %z is "+hhmm"; RFC 3339 wants "+hh:mm". */
	if (form == MCR_STAMP_RFC3339 && n >= 5 && n + 2 <= len) {
		memmove(buf + n - 1, buf + n - 2, 3);
		buf[n - 2] = ':';
	}
}

const char *mcr_si_rate(double v, char *buf, size_t len)
{
	static const char prefixes[] = " kMGTP";
	size_t p = 0;

	if (!isfinite(v) || v < 0)
		v = 0;
	while (v >= 999.5 && p + 1 < sizeof(prefixes) - 1) {
		v /= 1000;
		p++;
	}
	if (!p)
		snprintf(buf, len, "%.0f", v);
	else if (v < 9.995)
		snprintf(buf, len, "%.2f%c", v, prefixes[p]);
	else if (v < 99.95)
		snprintf(buf, len, "%.1f%c", v, prefixes[p]);
	else
		snprintf(buf, len, "%.0f%c", v, prefixes[p]);
	return buf;
}

/* Increase of a counter; one that went back restarted from zero. */
static double delta(uint64_t prev, uint64_t cur)
{
	return (double)(cur >= prev ? cur - prev : cur);
}

static const struct mcr_rule *find_rule(const struct mcr_rule_list *l,
					size_t hint, uint32_t id)
{
	size_t i;

	if (hint < l->n && l->rules[hint].id == id)
		return &l->rules[hint];
	for (i = 0; i < l->n; i++)
		if (l->rules[i].id == id)
			return &l->rules[i];
	return NULL;
}

/* The same output a reading earlier: same position, same device. */
static const struct mcr_output *find_output(const struct mcr_rule *prev,
					    size_t j, uint32_t ifindex)
{
	if (!prev || j >= prev->n_outputs ||
	    prev->outputs[j].ifindex != ifindex ||
	    !prev->outputs[j].has_stats)
		return NULL;
	return &prev->outputs[j];
}

static uint64_t output_drops(const struct mcr_output_stats *s)
{
	return s->drop_xmit + s->drop_too_big + s->drop_ttl + s->drop_nomem;
}

struct rates {
	bool known;
	double pps, bps, drops;
};

static struct rates rule_rates(const struct mcr_rule *prev,
			       const struct mcr_rule *cur, double dt)
{
	struct rates r = { 0 };

	if (!prev || !prev->has_stats || !cur->has_stats || dt <= 0)
		return r;
	r.known = true;
	r.pps = delta(prev->stats.packets, cur->stats.packets) / dt;
	r.bps = 8 * delta(prev->stats.bytes, cur->stats.bytes) / dt;
	return r;
}

static struct rates output_rates(const struct mcr_output *prev,
				 const struct mcr_output *cur, double dt)
{
	struct rates r = { 0 };

	if (!prev || !cur->has_stats || dt <= 0)
		return r;
	r.known = true;
	r.pps = delta(prev->stats.packets, cur->stats.packets) / dt;
	r.bps = 8 * delta(prev->stats.bytes, cur->stats.bytes) / dt;
	r.drops = delta(output_drops(&prev->stats),
			output_drops(&cur->stats)) / dt;
	return r;
}

/*
 * The two human forms of "stats -w": a screen redrawn in place, a table
 * with "-" where a rate is not known yet; or a log, one line per rule and
 * per output that has rates, each starting with the reading's time.
 */
struct rates_form {
	bool tty;
	const char *stamp;
};

/*
 * Each row and field below is printed once for JSON and both human forms,
 * through print.h's helpers: @t is PRINT_ANY, or PRINT_JSON for a row the
 * log leaves out (no rates yet).
 */
static enum print_type rates_row(const struct rates_form *f, bool known)
{
	return f->tty || known ? PRINT_ANY : PRINT_JSON;
}

/*
 * A rate: the JSON member @key, once known; on the screen @tty_fmt with
 * the rate in SI units or "-"; in the log @log_fmt with the rate.  A NULL
 * format: not in that form.
 */
static void print_rate(struct mcr_printer *pr, const struct rates_form *f,
		       enum print_type t, const char *key, const char *tty_fmt,
		       const char *log_fmt, double v, bool known)
{
	char num[32];

	if (!print_wanted(pr, t))
		return;
	if (pr->json) {
		if (!known)
			return;
		snprintf(num, sizeof(num), "%.3f", isfinite(v) ? v : 0.0);
		json_key(pr->json, key);
		json_raw(pr->json, num);
	} else if (f->tty) {
		if (tty_fmt)
			fprintf(pr->out, tty_fmt, known ?
				mcr_si_rate(v, num, sizeof(num)) : "-");
	} else if (log_fmt) {
		fprintf(pr->out, log_fmt, v);
	}
}

/* A row's start in human output: the table's first two columns, or the
 * log line's time, rule and device (@dev NULL: the rule's own row). */
static void print_rates_head(struct mcr_printer *pr,
			     const struct rates_form *f, enum print_type t,
			     uint32_t id, const char *dev)
{
	char label[16] = "";

	if (!print_wanted(pr, t & PRINT_FP))
		return;
	if (f->tty) {
		if (!dev)
			snprintf(label, sizeof(label), "%u", id);
		print_fp(pr, "%8s  %-15s", label, dev ? dev : "-");
	} else {
		print_fp(pr, "%s rule %u", f->stamp, id);
		if (dev)
			print_fp(pr, " oif %s", dev);
	}
}

static void print_rates_end(struct mcr_printer *pr, enum print_type t)
{
	if (print_wanted(pr, t & PRINT_FP))
		print_fp(pr, "\n");
}

static void netns_rates(struct mcr_printer *pr, const struct rates_form *f,
			const struct mcr_sample *prev,
			const struct mcr_sample *cur, double dt)
{
	const struct mcr_netns_stats *a = &prev->netns, *b = &cur->netns;
	bool known = prev->has_netns && dt > 0;
	enum print_type t = rates_row(f, known);

	print_open_object(pr, PRINT_JSON, "netns");
	if (f->tty)
		print_fp(pr, "namespace:");
	else if (print_wanted(pr, t & PRINT_FP))
		print_fp(pr, "%s netns", f->stamp);
	print_uint(pr, t, "rules", " rules %u", b->rules);
	print_uint(pr, t, "outputs", " outputs %u", b->outputs);
	print_rate(pr, f, t, "no_match_ps", " no-match/s %s", " no-match %.1f",
		   known ? delta(a->no_match, b->no_match) / dt : 0, known);
	print_rate(pr, f, t, "not_udp_ps", " not-udp/s %s", " not-udp %.1f",
		   known ? delta(a->not_udp, b->not_udp) / dt : 0, known);
	print_rate(pr, f, t, "fragments_ps", " fragments/s %s",
		   " fragments %.1f",
		   known ? delta(a->fragments, b->fragments) / dt : 0, known);
	print_close_object(pr, PRINT_JSON);
	print_rates_end(pr, t);
	/* On the screen, a blank line before the table. */
	if (f->tty)
		print_fp(pr, "\n");
}

static void output_rates_row(struct mcr_printer *pr,
			     const struct rates_form *f, uint32_t id,
			     const struct mcr_output *prev,
			     const struct mcr_output *o, double dt)
{
	struct rates r = output_rates(prev, o, dt);
	enum print_type t = rates_row(f, r.known);
	char dev[MCR_IFNAME_LEN], quoted[MCR_IFNAME_QUOTED_LEN];
	const char *name = pr->ifname(o->ifindex, dev, pr->ifname_arg);

	print_open_object(pr, PRINT_JSON, NULL);
	print_string(pr, PRINT_JSON, "oif", NULL, name);
	print_uint(pr, PRINT_JSON, "oif_index", NULL, o->ifindex);
	print_rates_head(pr, f, t, id,
			 mcr_quote_word(name, quoted, sizeof(quoted)));
	print_rate(pr, f, t, "pps", " %9s", " pps %.1f", r.pps, r.known);
	print_rate(pr, f, t, "bps", " %9s", " bps %.1f", r.bps, r.known);
	print_rate(pr, f, t, "drops_ps", " %9s", " drops %.1f", r.drops,
		   r.known);
	print_close_object(pr, PRINT_JSON);
	print_rates_end(pr, t);
}

static void rule_rates_rows(struct mcr_printer *pr,
			    const struct rates_form *f,
			    const struct mcr_rule *prev,
			    const struct mcr_rule *r, double dt)
{
	struct rates rr = rule_rates(prev, r, dt);
	enum print_type t = rates_row(f, rr.known);
	size_t j;

	print_open_object(pr, PRINT_JSON, NULL);
	print_uint(pr, PRINT_JSON, "id", NULL, r->id);
	print_rates_head(pr, f, t, r->id, NULL);
	/* A rule's own row has no drops column. */
	print_rate(pr, f, t, "pps", " %9s", " pps %.1f", rr.pps, rr.known);
	print_rate(pr, f, t, "bps", " %9s", " bps %.1f", rr.bps, rr.known);
	print_rates_end(pr, t);
	print_open_array(pr, PRINT_JSON, "outputs");
	for (j = 0; j < r->n_outputs; j++)
		output_rates_row(pr, f, r->id,
				 find_output(prev, j, r->outputs[j].ifindex),
				 &r->outputs[j], dt);
	print_close_array(pr, PRINT_JSON);
	print_close_object(pr, PRINT_JSON);
}

void mcr_print_rates(struct mcr_printer *pr, const struct mcr_sample *prev,
		     const struct mcr_sample *cur, bool tty, double interval,
		     const char *stamp)
{
	const struct rates_form f = { .tty = tty, .stamp = stamp };
	double dt = prev ? cur->time - prev->time : 0;
	size_t i;

	/* The log needs two readings; a screen shows the counters' names
	 * at once. */
	if (!prev && !tty && !pr->json)
		return;
	print_open_object(pr, PRINT_JSON, NULL);
	print_string(pr, PRINT_JSON, "time", NULL, stamp);
	print_rate(pr, &f, PRINT_JSON, "interval", NULL, NULL,
		   dt > 0 ? dt : interval, true);
	if (tty)
		print_fp(pr, "mcr-nl stats: every %gs, %s (Ctrl-C quits)\n",
			 interval, stamp);
	if (cur->has_netns)
		netns_rates(pr, &f, prev ? prev : cur, cur, dt);
	print_open_array(pr, PRINT_JSON, "rules");
	if (tty)
		print_fp(pr, "%8s  %-15s %9s %9s %9s\n", "RULE", "OIF",
			 "PKT/S", "BIT/S", "DROP/S");
	for (i = 0; i < cur->rules.n; i++)
		rule_rates_rows(pr, &f, prev ?
				find_rule(&prev->rules, i,
					  cur->rules.rules[i].id) : NULL,
				&cur->rules.rules[i], dt);
	print_close_array(pr, PRINT_JSON);
	print_close_object(pr, PRINT_JSON);
	if (pr->json)
		json_end_line(pr->json);
}
