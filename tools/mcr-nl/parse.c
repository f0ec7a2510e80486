// SPDX-License-Identifier: GPL-2.0
/*
 * Command-line grammar of mcr-nl.  Keywords are exact (no abbreviations):
 * a typo gets a clear error naming the word instead of a guess.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "parse.h"

static int hex_digit(char ch);
struct cursor;
static int parse_no_args(struct cursor *c);

/* Position in the words of one command. */
struct cursor {
	struct mcr_parser *p;
	const char *what;	/* "rule add", ... */
	int argc;
	char *const *argv;
	int i;			/* current word */
	/*
	 * rule add, rule del: every address must be of the family of the
	 * rule's group; its source may come before it, and waits.
	 */
	const char *group;	/* the rule's group as given; NULL: not yet */
	sa_family_t family;	/* the group's */
	const char *source;	/* the rule's source as given, or NULL */
	sa_family_t source_family;
};

/* Keywords seen, to reject duplicates. */
enum {
	KW_IIF = 1 << 0,
	KW_GROUP = 1 << 1,
	KW_PORT = 1 << 2,
	KW_SOURCE = 1 << 3,
	KW_NAME = 1 << 4,
	KW_CONSUME = 1 << 5,
	KW_NOJOIN = 1 << 6,
	KW_TTL = 1 << 7,
	KW_ID = 1 << 8,
	KW_WATCH = 1 << 9,
	KW_PROMETHEUS = 1 << 10,
	KW_FLAGS = 1 << 11,
	KW_DEV = 1 << 12,
	KW_TIMESTAMP = 1 << 13,
};

/* Keywords allowed in the match part of "rule add" and in a key. */
#define MATCH_ADD (KW_IIF | KW_GROUP | KW_PORT | KW_SOURCE | KW_NAME | \
		   KW_CONSUME | KW_NOJOIN | KW_FLAGS)
#define MATCH_KEY (KW_IIF | KW_GROUP | KW_PORT | KW_SOURCE)

static const char *const rule_keywords[] = {
	"iif", "group", "port", "source", "name", "consume", "nojoin",
	"oif", "ttl", "id", "flags", NULL,
};

static int __attribute__((format(printf, 2, 3)))
fail(struct mcr_parser *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p->err, sizeof(p->err), fmt, ap);
	va_end(ap);
	return -1;
}

/* Options without a value, that could be meant after the command. */
static const char *const flag_options[] = { "-j", "-4", "-6", NULL };

static bool is_flag_option(const char *word)
{
	const char *const *o;

	for (o = flag_options; *o; o++)
		if (!strcmp(word, *o))
			return true;
	return false;
}

const char *mcr_request_no_json(const struct mcr_request *req)
{
	if (req->type == MCR_REQ_RULE_SAVE)
		return "rule save: no JSON form (use \"rule show\")";
	if (req->type == MCR_REQ_STATS && req->prometheus)
		return "stats --prometheus: no JSON form";
	return NULL;
}

/* -4, -6: the address family they select; 0 for another word. */
static int family_option(const char *word)
{
	if (!strcmp(word, "-4"))
		return AF_INET;
	if (!strcmp(word, "-6"))
		return AF_INET6;
	return 0;
}

int mcr_request_family_check(struct mcr_parser *p,
			     const struct mcr_request *req, int family)
{
	const char *opt = family == AF_INET6 ? "-6" : "-4";

	switch (req->type) {
	case MCR_REQ_RULE_SHOW:
	case MCR_REQ_RULE_FLUSH:
	case MCR_REQ_STATS:
	case MCR_REQ_HELP:
		return 0;
	case MCR_REQ_RULE_ADD:
	case MCR_REQ_RULE_REPLACE:
	case MCR_REQ_RULE_DEL:
		return fail(p, "%s: \"%s\" filters \"rule show\", \"stats\" "
			    "and \"rule flush\" only (a rule's family follows "
			    "from its group address)", req->what, opt);
	default:
		return fail(p, "%s: \"%s\" filters \"rule show\", \"stats\" "
			    "and \"rule flush\" only", req->what, opt);
	}
}

/* Whether the option @word refuses @req, as -j refuses "rule save". */
static bool option_refuses(struct mcr_parser *p, const char *word,
			   const struct mcr_request *req)
{
	int family = family_option(word);

	if (family)
		return mcr_request_family_check(p, req, family) != 0;
	return mcr_request_no_json(req) != NULL;
}

/*
 * Whether the command would work with its word at c->i given as an
 * option before it instead: the rest parses, and takes the option.
 */
static bool works_as_option(const struct cursor *c)
{
	struct mcr_parser p = *c->p;
	struct mcr_request req;
	char **argv;
	bool works;
	int i, n;

	argv = calloc((size_t)c->argc + 1, sizeof(*argv));
	if (!argv)
		return false;
	for (i = 0, n = 0; i < c->argc; i++)
		if (i != c->i)
			argv[n++] = c->argv[i];
	works = !mcr_parse_request(&p, n, argv, &req) &&
		!option_refuses(&p, c->argv[c->i], &req);
	mcr_request_free(&req);
	free(argv);
	return works;
}

/*
 * Unknown word: name it, and say where options go if it is one that
 * would work there (never in a batch line, which takes no options).
 */
static int unknown_keyword(struct cursor *c)
{
	const char *word = c->argv[c->i];

	if (is_flag_option(word) && !c->p->in_batch && works_as_option(c))
		return fail(c->p, "unknown keyword \"%s\" after \"%s\" "
			    "(options go before the command, as in "
			    "\"mcr-nl %s %s\")", word, c->what, word, c->what);
	return fail(c->p, "unknown keyword \"%s\" after \"%s\"", word,
		    c->what);
}

static bool is_rule_keyword(const char *word)
{
	const char *const *kw;

	for (kw = rule_keywords; *kw; kw++)
		if (!strcmp(word, *kw))
			return true;
	return false;
}

/* Consumes and returns the value of the keyword at c->i, or NULL. */
static const char *take_value(struct cursor *c)
{
	const char *kw = c->argv[c->i];

	if (c->i + 1 >= c->argc) {
		fail(c->p, "%s: missing value after \"%s\"", c->what, kw);
		return NULL;
	}
	return c->argv[++c->i];
}

int mcr_parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *val)
{
	uint64_t v = 0;
	const char *d;

	/* Plain decimal only: strtoul() would accept signs, blanks and
	 * hex, and silently wrap "-1".  Leading zeros do not count
	 * towards the 10 digits of the largest value. */
	if (!*s)
		return -1;
	while (s[0] == '0' && s[1])
		s++;
	if (strlen(s) > 10)
		return -1;
	for (d = s; *d; d++) {
		if (*d < '0' || *d > '9')
			return -1;
		v = v * 10 + (uint64_t)(*d - '0');
	}
	if (v < min || v > max)
		return -1;
	*val = (uint32_t)v;
	return 0;
}

int mcr_parse_ipv4(const char *s, in_addr_t *addr)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1)
		return -1;
	*addr = a.s_addr;
	return 0;
}

int mcr_parse_addr(const char *s, sa_family_t *family, in_addr_t *v4,
		   struct in6_addr *v6)
{
	if (!mcr_parse_ipv4(s, v4)) {
		*family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, s, v6) == 1) {
		*family = AF_INET6;
		return 0;
	}
	return -1;
}

const char *mcr_ipv6_unfit(const struct in6_addr *a, bool source)
{
	/* What ip6_rcv_core() drops, and what names no host. */
	if (IN6_IS_ADDR_UNSPECIFIED(a))
		return "the unspecified address";
	if (IN6_IS_ADDR_LOOPBACK(a))
		return "the loopback address";
	if (IN6_IS_ADDR_V4MAPPED(a))
		return "an IPv4-mapped address: write an IPv4 address as "
		       "a.b.c.d";
	if (source && IN6_IS_ADDR_MULTICAST(a))
		return "a multicast address: a source is a unicast address";
	/* Scope 1 stays in its host, scope 0 is reserved (RFC 4291). */
	if (IN6_IS_ADDR_MULTICAST(a) && (a->s6_addr[1] & 0x0f) <= 1)
		return "a multicast address of interface-local or reserved "
		       "scope, which no router forwards";
	return NULL;
}

int mcr_parse_seconds(const char *s, unsigned int min_ms, unsigned int max_ms,
		      unsigned int *ms)
{
	uint64_t v = 0;
	unsigned int decimals = 0;
	bool dot = false, digits = false;
	const char *d;

	while (s[0] == '0' && s[1] >= '0' && s[1] <= '9')
		s++;
	if (strlen(s) > 12)
		return -1;
	for (d = s; *d; d++) {
		if (*d == '.' && !dot) {
			dot = true;
			continue;
		}
		if (*d < '0' || *d > '9' || (dot && ++decimals > 3))
			return -1;
		digits = true;
		v = v * 10 + (uint64_t)(*d - '0');
	}
	if (!digits)
		return -1;
	for (; decimals < 3; decimals++)
		v *= 10;
	if (v < min_ms || v > max_ms)
		return -1;
	*ms = (unsigned int)v;
	return 0;
}

static int mark_seen(struct cursor *c, unsigned int *seen, unsigned int kw,
		     unsigned int oif_nr)
{
	if (!(*seen & kw)) {
		*seen |= kw;
		return 0;
	}
	if (oif_nr)
		return fail(c->p, "%s: duplicate \"%s\" in oif #%u", c->what,
			    c->argv[c->i], oif_nr);
	return fail(c->p, "%s: duplicate \"%s\"", c->what, c->argv[c->i]);
}

static int parse_device(struct cursor *c, uint32_t *ifindex)
{
	const char *kw = c->argv[c->i];
	const char *name;

	/* "oif group 239.1.1.1" forgot the device: say so rather than
	 * complaining about a device called "group". */
	if (c->i + 1 >= c->argc || is_rule_keyword(c->argv[c->i + 1]))
		return fail(c->p, "%s: missing device after \"%s\"", c->what,
			    kw);
	name = c->argv[++c->i];
	*ifindex = c->p->ifindex(name, c->p->ifindex_arg);
	if (!*ifindex)
		return fail(c->p, "%s: unknown device \"%s\"", c->what, name);
	return 0;
}

/* An address of either family, as parse_addr() read it. */
struct addr {
	sa_family_t family;
	in_addr_t v4;
	struct in6_addr v6;
};

static const char *family_name(sa_family_t family)
{
	return family == AF_INET6 ? "IPv6" : "IPv4";
}

/*
 * @v, the value of the keyword @kw: an IPv4 or IPv6 address, and for IPv6
 * one that can be a group (with @source: a source).  @expected says what
 * else the word may be, for the message.
 */
static int parse_addr_value(struct cursor *c, const char *kw, const char *v,
			    bool source, const char *expected,
			    struct addr *a)
{
	const char *why;

	memset(a, 0, sizeof(*a));
	if (mcr_parse_addr(v, &a->family, &a->v4, &a->v6))
		return fail(c->p, "%s: bad %s \"%s\" (expected %san IPv4 or "
			    "IPv6 address)", c->what, kw, v, expected);
	why = a->family == AF_INET6 ? mcr_ipv6_unfit(&a->v6, source) : NULL;
	if (why)
		return fail(c->p, "%s: bad %s \"%s\" (%s)", c->what, kw, v,
			    why);
	return 0;
}

static int parse_addr(struct cursor *c, bool source, struct addr *a)
{
	const char *kw = c->argv[c->i];
	const char *v = take_value(c);

	if (!v)
		return -1;
	return parse_addr_value(c, kw, v, source, "", a);
}

/*
 * The rule's family is its group's: an address of the other family, the
 * word @kw's value @v (of oif #@oif_nr, or of the rule for 0), is an
 * error naming both.
 */
static int check_family(struct cursor *c, const char *kw, const char *v,
			sa_family_t family, unsigned int oif_nr)
{
	char where[32] = "";

	if (!c->group || family == c->family)
		return 0;
	if (oif_nr)
		snprintf(where, sizeof(where), " of oif #%u", oif_nr);
	return fail(c->p, "%s: %s \"%s\"%s is %s, but the rule's group "
		    "\"%s\" is %s (a rule's addresses are all of one family)",
		    c->what, kw, v, where, family_name(family), c->group,
		    family_name(c->family));
}

/* Stores @a where its family goes. */
static void store_addr(const struct addr *a, in_addr_t *v4,
		       struct in6_addr *v6)
{
	if (a->family == AF_INET6)
		*v6 = a->v6;
	else
		*v4 = a->v4;
}

/* The rule's group: it sets the rule's family. */
static int parse_rule_group(struct cursor *c, struct mcr_rule *r)
{
	struct addr a;

	if (parse_addr(c, false, &a))
		return -1;
	r->has_group = true;
	r->family = a.family;
	store_addr(&a, &r->group, &r->group6);
	c->group = c->argv[c->i];
	c->family = a.family;
	/* A source given before the group is checked now. */
	if (c->source)
		return check_family(c, "source", c->source, c->source_family,
				    0);
	return 0;
}

static int parse_rule_source(struct cursor *c, struct mcr_rule *r)
{
	struct addr a;

	if (parse_addr(c, true, &a))
		return -1;
	r->has_source = true;
	store_addr(&a, &r->source, &r->source6);
	c->source = c->argv[c->i];
	c->source_family = a.family;
	return check_family(c, "source", c->source, a.family, 0);
}

static int parse_port(struct cursor *c, uint16_t *port)
{
	const char *v = take_value(c);
	uint32_t val;

	if (!v)
		return -1;
	if (mcr_parse_u32(v, 0, 65535, &val))
		return fail(c->p, "%s: bad port \"%s\" (expected 0-65535)",
			    c->what, v);
	*port = (uint16_t)val;
	return 0;
}

static int parse_ttl(struct cursor *c, uint8_t *ttl)
{
	const char *v = take_value(c);
	uint32_t val;

	if (!v)
		return -1;
	if (mcr_parse_u32(v, 1, 255, &val))
		return fail(c->p, "%s: bad ttl \"%s\" (expected 1-255)",
			    c->what, v);
	*ttl = (uint8_t)val;
	return 0;
}

static int parse_id(struct cursor *c, uint32_t *id)
{
	const char *v = take_value(c);

	if (!v)
		return -1;
	if (mcr_parse_u32(v, 1, UINT32_MAX, id))
		return fail(c->p, "%s: bad id \"%s\" (expected 1-%u)",
			    c->what, v, UINT32_MAX);
	return 0;
}

int mcr_name_check(const char *name, char *why, size_t len)
{
	const unsigned char *s = (const unsigned char *)name;
	size_t n;

	while (*s) {
		n = mcr_utf8_len(s);
		if (!n) {
			snprintf(why, len, "byte 0x%02x at offset %zu is not "
				 "UTF-8", *s, (size_t)(s - (const unsigned char *)name));
			return -1;
		}
		/* C0, DEL and C1 (U+0080-U+009F) controls. */
		if (*s < 0x20 || *s == 0x7f || (*s == 0xc2 && s[1] < 0xa0)) {
			snprintf(why, len, "control character at offset %zu "
				 "(names are for people: printable UTF-8 "
				 "only)", (size_t)(s - (const unsigned char *)name));
			return -1;
		}
		s += n;
	}
	return 0;
}

static int parse_name(struct cursor *c, char *name)
{
	const char *v = take_value(c);
	char bad[128];

	if (!v)
		return -1;
	if (!*v)
		return fail(c->p, "%s: empty name", c->what);
	if (strlen(v) >= MCR_NAME_LEN)
		return fail(c->p, "%s: name \"%s\" is too long (at most %d "
			    "bytes)", c->what, v, MCR_NAME_LEN - 1);
	if (mcr_name_check(v, bad, sizeof(bad)))
		return fail(c->p, "%s: bad name: %s", c->what, bad);
	strcpy(name, v);
	return 0;
}

/*
 * "flags 0xN": flag bits by number, as "rule save" writes those this
 * version has no word for (a newer kernel's); hex with 0x, else decimal.
 */
static int parse_flags(struct cursor *c, uint32_t *flags)
{
	const char *v = take_value(c);
	uint32_t val = 0;
	const char *d;
	int digit;

	if (!v)
		return -1;
	if (v[0] == '0' && (v[1] == 'x' || v[1] == 'X')) {
		for (d = v + 2; *d && (digit = hex_digit(*d)) >= 0; d++) {
			if (val >> 28)
				break;
			val = val << 4 | (uint32_t)digit;
		}
		if (d == v + 2 || *d)
			return fail(c->p, "%s: bad flags \"%s\" (expected a "
				    "32-bit number, e.g. 0x4)", c->what, v);
	} else if (mcr_parse_u32(v, 0, UINT32_MAX, &val)) {
		return fail(c->p, "%s: bad flags \"%s\" (expected a 32-bit "
			    "number, e.g. 0x4)", c->what, v);
	}
	*flags |= val;
	return 0;
}

/*
 * One keyword of the match part (or of a "rule del" key), among those in
 * @allowed.  Returns 0 when handled, 1 when the word is not such a
 * keyword, -1 on error.
 */
static int parse_match_keyword(struct cursor *c, struct mcr_rule *r,
			       unsigned int *seen, unsigned int allowed)
{
	static const struct {
		const char *word;
		unsigned int kw;
	} table[] = {
		{ "iif", KW_IIF }, { "group", KW_GROUP }, { "port", KW_PORT },
		{ "source", KW_SOURCE }, { "name", KW_NAME },
		{ "consume", KW_CONSUME }, { "nojoin", KW_NOJOIN },
		{ "flags", KW_FLAGS },
	};
	const char *word = c->argv[c->i];
	unsigned int kw = 0;
	size_t i;

	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (!strcmp(word, table[i].word))
			kw = table[i].kw;
	if (!(kw & allowed))
		return 1;
	if (mark_seen(c, seen, kw, 0))
		return -1;

	switch (kw) {
	case KW_IIF:
		return parse_device(c, &r->iif);
	case KW_GROUP:
		return parse_rule_group(c, r);
	case KW_PORT:
		return parse_port(c, &r->port);
	case KW_SOURCE:
		return parse_rule_source(c, r);
	case KW_NAME:
		return parse_name(c, r->name);
	case KW_FLAGS:
		return parse_flags(c, &r->flags);
	case KW_CONSUME:
		r->flags |= MCR_RULE_FLAGS_CONSUME;
		return 0;
	default: /* KW_NOJOIN */
		r->flags |= MCR_RULE_FLAGS_NOJOIN;
		return 0;
	}
}

static int parse_output_group(struct cursor *c, struct mcr_output *out,
			      unsigned int oif_nr)
{
	struct addr a;

	if (parse_addr(c, false, &a))
		return -1;
	out->has_group = true;
	store_addr(&a, &out->group, &out->group6);
	return check_family(c, "group", c->argv[c->i], a.family, oif_nr);
}

static int parse_output_source(struct cursor *c, struct mcr_output *out,
			       unsigned int oif_nr)
{
	const char *v = take_value(c);
	struct addr a;

	if (!v)
		return -1;
	if (!strcmp(v, "auto")) {
		out->source_auto = true;
		return 0;
	}
	if (parse_addr_value(c, "source", v, true, "\"auto\" or ", &a))
		return -1;
	out->has_source = true;
	store_addr(&a, &out->source, &out->source6);
	return check_family(c, "source", v, a.family, oif_nr);
}

/* Same contract as parse_match_keyword(), for the keywords of an oif. */
static int parse_output_keyword(struct cursor *c, struct mcr_output *out,
				unsigned int *seen, unsigned int oif_nr)
{
	const char *word = c->argv[c->i];
	unsigned int kw;

	if (!strcmp(word, "group"))
		kw = KW_GROUP;
	else if (!strcmp(word, "port"))
		kw = KW_PORT;
	else if (!strcmp(word, "ttl"))
		kw = KW_TTL;
	else if (!strcmp(word, "source"))
		kw = KW_SOURCE;
	else
		return 1;
	if (mark_seen(c, seen, kw, oif_nr))
		return -1;

	switch (kw) {
	case KW_GROUP:
		return parse_output_group(c, out, oif_nr);
	case KW_PORT:
		return parse_port(c, &out->port);
	case KW_TTL:
		return parse_ttl(c, &out->ttl);
	default: /* KW_SOURCE */
		return parse_output_source(c, out, oif_nr);
	}
}

static bool any_output_has_group(const struct mcr_rule *r)
{
	size_t i;

	for (i = 0; i < r->n_outputs; i++)
		if (r->outputs[i].has_group)
			return true;
	return false;
}

/*
 * rule add|replace MATCH OUTPUT...: the match keywords come first; each
 * "oif" starts an output and the keywords after it (group, port, ttl,
 * source) belong to that output.
 */
static int parse_rule_add(struct cursor *c, struct mcr_rule *r)
{
	unsigned int seen = 0, out_seen = 0;
	struct mcr_output *out = NULL;
	int ret;

	for (; c->i < c->argc; c->i++) {
		const char *word = c->argv[c->i];

		if (!strcmp(word, "oif")) {
			out = mcr_rule_add_output(r);
			if (!out)
				return fail(c->p, "%s: out of memory", c->what);
			out_seen = 0;
			if (parse_device(c, &out->ifindex))
				return -1;
			continue;
		}
		if (out) {
			ret = parse_output_keyword(c, out, &out_seen,
						   (unsigned int)r->n_outputs);
			if (ret <= 0) {
				if (ret < 0)
					return -1;
				continue;
			}
			if (!strcmp(word, "iif") || !strcmp(word, "name") ||
			    !strcmp(word, "consume") || !strcmp(word, "nojoin") ||
			    !strcmp(word, "flags"))
				return fail(c->p, "%s: \"%s\" must come before "
					    "the first \"oif\"", c->what, word);
			return unknown_keyword(c);
		}
		ret = parse_match_keyword(c, r, &seen, MATCH_ADD);
		if (ret < 0)
			return -1;
		if (ret == 0)
			continue;
		if (!strcmp(word, "ttl"))
			return fail(c->p, "%s: \"ttl\" must follow an \"oif\"",
				    c->what);
		return unknown_keyword(c);
	}

	if (!(seen & KW_IIF))
		return fail(c->p, "%s: missing \"iif\"", c->what);
	if (!(seen & KW_GROUP))
		return fail(c->p, "%s: missing \"group\"%s", c->what,
			    any_output_has_group(r) ? " (match keywords go "
			    "before the first \"oif\")" : "");
	if (!r->n_outputs)
		return fail(c->p, "%s: at least one \"oif\" is required",
			    c->what);
	return 0;
}

/* rule del id ID | rule del iif DEV group G [port P] [source S] */
static int parse_rule_del(struct cursor *c, struct mcr_request *req)
{
	unsigned int seen = 0;
	int ret;

	for (; c->i < c->argc; c->i++) {
		if (!strcmp(c->argv[c->i], "id")) {
			if (mark_seen(c, &seen, KW_ID, 0) ||
			    parse_id(c, &req->id))
				return -1;
			continue;
		}
		ret = parse_match_keyword(c, &req->rule, &seen, MATCH_KEY);
		if (ret < 0)
			return -1;
		if (ret > 0)
			return unknown_keyword(c);
	}

	if (seen & KW_ID) {
		if (seen & MATCH_KEY)
			return fail(c->p, "%s: give either \"id\" or a match "
				    "key, not both", c->what);
		return 0;
	}
	if (!seen)
		return fail(c->p, "%s: expected \"id ID\" or \"iif DEV group "
			    "ADDR [port PORT] [source ADDR]\"", c->what);
	if (!(seen & KW_IIF))
		return fail(c->p, "%s: missing \"iif\"", c->what);
	if (!(seen & KW_GROUP))
		return fail(c->p, "%s: missing \"group\"", c->what);
	return 0;
}

/* "dev DEV" (or "iif DEV"): the rules on one input device. */
static int parse_dev(struct cursor *c, unsigned int *seen, uint32_t *iif)
{
	return mark_seen(c, seen, KW_DEV, 0) || parse_device(c, iif) ? -1 : 0;
}

static bool is_dev_keyword(const char *word)
{
	return !strcmp(word, "dev") || !strcmp(word, "iif");
}

static int id_or_dev(struct cursor *c, unsigned int seen)
{
	if ((seen & KW_ID) && (seen & KW_DEV))
		return fail(c->p, "%s: give either \"id\" or \"dev\", not "
			    "both", c->what);
	return 0;
}

/* [id ID | dev DEV]: rule show */
static int parse_rule_show(struct cursor *c, struct mcr_request *req)
{
	unsigned int seen = 0;

	for (; c->i < c->argc; c->i++) {
		const char *word = c->argv[c->i];

		if (!strcmp(word, "id")) {
			if (mark_seen(c, &seen, KW_ID, 0) ||
			    parse_id(c, &req->id))
				return -1;
		} else if (is_dev_keyword(word)) {
			if (parse_dev(c, &seen, &req->rule.iif))
				return -1;
		} else {
			return unknown_keyword(c);
		}
	}
	return id_or_dev(c, seen);
}

/* monitor [-t] [id ID | dev DEV] */
static int parse_monitor(struct cursor *c, struct mcr_request *req)
{
	unsigned int seen = 0;

	for (; c->i < c->argc; c->i++) {
		const char *word = c->argv[c->i];

		if (!strcmp(word, "-t") || !strcmp(word, "-timestamp")) {
			if (mark_seen(c, &seen, KW_TIMESTAMP, 0))
				return -1;
			req->timestamp = true;
		} else if (!strcmp(word, "id")) {
			if (mark_seen(c, &seen, KW_ID, 0) ||
			    parse_id(c, &req->id))
				return -1;
		} else if (is_dev_keyword(word)) {
			if (parse_dev(c, &seen, &req->rule.iif))
				return -1;
		} else {
			return unknown_keyword(c);
		}
	}
	return id_or_dev(c, seen);
}

/* stats reset [id ID] */
static int parse_stats_reset(struct cursor *c, struct mcr_request *req)
{
	unsigned int seen = 0;

	req->type = MCR_REQ_STATS_RESET;
	req->what = "stats reset";
	c->what = req->what;
	for (c->i++; c->i < c->argc; c->i++) {
		if (strcmp(c->argv[c->i], "id"))
			return unknown_keyword(c);
		if (mark_seen(c, &seen, KW_ID, 0) || parse_id(c, &req->id))
			return -1;
	}
	return 0;
}

#define WATCH_MIN_MS 100
#define WATCH_MAX_MS 86400000

/* stats [id ID | dev DEV] [-w [SECONDS] | --prometheus] | stats reset */
static int parse_stats(struct cursor *c, struct mcr_request *req)
{
	unsigned int seen = 0;

	if (c->i < c->argc && !strcmp(c->argv[c->i], "reset"))
		return parse_stats_reset(c, req);
	if (c->i < c->argc && !strcmp(c->argv[c->i], "help")) {
		req->type = MCR_REQ_HELP;
		req->help = MCR_HELP_STATS;
		req->what = "stats help";
		c->what = req->what;
		c->i++;
		return parse_no_args(c);
	}
	req->interval_ms = 1000;
	for (; c->i < c->argc; c->i++) {
		const char *word = c->argv[c->i];

		if (!strcmp(word, "id")) {
			if (mark_seen(c, &seen, KW_ID, 0) ||
			    parse_id(c, &req->id))
				return -1;
		} else if (is_dev_keyword(word)) {
			if (parse_dev(c, &seen, &req->rule.iif))
				return -1;
		} else if (!strcmp(word, "-w") || !strcmp(word, "--watch")) {
			if (mark_seen(c, &seen, KW_WATCH, 0))
				return -1;
			req->watch = true;
			/* The interval is optional: only a number is one. */
			if (c->i + 1 < c->argc &&
			    strchr("0123456789.", c->argv[c->i + 1][0])) {
				c->i++;
				if (mcr_parse_seconds(c->argv[c->i],
						      WATCH_MIN_MS,
						      WATCH_MAX_MS,
						      &req->interval_ms))
					return fail(c->p, "%s: bad interval "
						    "\"%s\" (expected seconds, "
						    "0.1-86400)", c->what,
						    c->argv[c->i]);
			}
		} else if (!strcmp(word, "--prometheus")) {
			if (mark_seen(c, &seen, KW_PROMETHEUS, 0))
				return -1;
			req->prometheus = true;
		} else {
			return unknown_keyword(c);
		}
	}
	if (id_or_dev(c, seen))
		return -1;
	if (req->watch && req->prometheus)
		return fail(c->p, "%s: give either \"-w\" or "
			    "\"--prometheus\", not both", c->what);
	if (req->prometheus && req->id)
		return fail(c->p, "%s: \"--prometheus\" prints every rule "
			    "(no \"id\")", c->what);
	if (req->watch && c->p->in_batch)
		return fail(c->p, "%s: \"-w\" runs until interrupted: not in "
			    "a batch file", c->what);
	return 0;
}

/* [iif DEV]: rule flush */
static int parse_optional_iif(struct cursor *c, uint32_t *iif)
{
	unsigned int seen = 0;

	for (; c->i < c->argc; c->i++) {
		if (strcmp(c->argv[c->i], "iif"))
			return unknown_keyword(c);
		if (mark_seen(c, &seen, KW_IIF, 0) || parse_device(c, iif))
			return -1;
	}
	return 0;
}

static int parse_no_args(struct cursor *c)
{
	if (c->i < c->argc)
		return unknown_keyword(c);
	return 0;
}

static int parse_rule(struct cursor *c, struct mcr_request *req)
{
	static const struct {
		const char *word;
		enum mcr_req_type type;
		const char *what;
	} table[] = {
		{ "add", MCR_REQ_RULE_ADD, "rule add" },
		{ "replace", MCR_REQ_RULE_REPLACE, "rule replace" },
		{ "del", MCR_REQ_RULE_DEL, "rule del" },
		{ "show", MCR_REQ_RULE_SHOW, "rule show" },
		{ "list", MCR_REQ_RULE_SHOW, "rule show" },
		{ "ls", MCR_REQ_RULE_SHOW, "rule show" },
		{ "delete", MCR_REQ_RULE_DEL, "rule del" },
		{ "flush", MCR_REQ_RULE_FLUSH, "rule flush" },
		{ "save", MCR_REQ_RULE_SAVE, "rule save" },
		{ "help", MCR_REQ_HELP, "rule help" },
	};
	size_t i;

	/* "mcr-nl rule" alone lists the rules, like "ip route". */
	if (c->i >= c->argc) {
		req->type = MCR_REQ_RULE_SHOW;
		req->what = "rule show";
		return 0;
	}
	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (!strcmp(c->argv[c->i], table[i].word))
			break;
	if (i == sizeof(table) / sizeof(table[0]))
		return unknown_keyword(c);

	req->type = table[i].type;
	req->what = table[i].what;
	c->what = table[i].what;
	c->i++;

	switch (req->type) {
	case MCR_REQ_RULE_ADD:
	case MCR_REQ_RULE_REPLACE:
		return parse_rule_add(c, &req->rule);
	case MCR_REQ_RULE_DEL:
		return parse_rule_del(c, req);
	case MCR_REQ_RULE_SHOW:
		return parse_rule_show(c, req);
	case MCR_REQ_RULE_FLUSH:
		return parse_optional_iif(c, &req->rule.iif);
	case MCR_REQ_HELP:
		req->help = MCR_HELP_RULE;
		return parse_no_args(c);
	default: /* save */
		return parse_no_args(c);
	}
}

int mcr_parse_request(struct mcr_parser *p, int argc, char *const argv[],
		      struct mcr_request *req)
{
	struct cursor c = {
		.p = p, .argc = argc, .argv = argv, .i = 1,
	};
	const char *object;

	memset(req, 0, sizeof(*req));
	mcr_rule_init(&req->rule);
	p->err[0] = '\0';

	if (argc < 1)
		return fail(p, "missing command (try \"mcr-nl help\")");
	object = argv[0];
	c.what = object;

	if (object[0] == '-' && object[1]) {
		if (p->in_batch)
			return fail(p, "options are not allowed in batch lines "
				    "(\"%s\")", object);
		return fail(p, "unknown option \"%s\" (try \"mcr-nl help\")",
			    object);
	}
	if (!strcmp(object, "rule"))
		return parse_rule(&c, req);
	if (!strcmp(object, "stats")) {
		req->type = MCR_REQ_STATS;
		req->what = "stats";
		return parse_stats(&c, req);
	}
	if (!strcmp(object, "monitor")) {
		req->type = MCR_REQ_MONITOR;
		req->what = "monitor";
		if (p->in_batch)
			return fail(p, "monitor: runs until interrupted: not "
				    "in a batch file");
		return parse_monitor(&c, req);
	}
	if (!strcmp(object, "help")) {
		req->type = MCR_REQ_HELP;
		req->what = "help";
		return parse_no_args(&c);
	}
	return fail(p, "unknown command \"%s\" (try \"mcr-nl help\")", object);
}

void mcr_request_free(struct mcr_request *req)
{
	mcr_rule_free(&req->rule);
}

int mcr_parse_options(struct mcr_parser *p, int argc, char *const argv[],
		      struct mcr_options *opts)
{
	int i;

	memset(opts, 0, sizeof(*opts));
	p->err[0] = '\0';

	for (i = 0; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		const char *opt = argv[i];

		if (!strcmp(opt, "-j")) {
			opts->json = true;
		} else if (!strcmp(opt, "-p") || !strcmp(opt, "-pretty")) {
			opts->pretty = true;
		} else if (!strcmp(opt, "-s") || !strcmp(opt, "-stats") ||
			   !strcmp(opt, "-statistics")) {
			opts->stats = true;
		} else if (!strcmp(opt, "-n") || !strcmp(opt, "-netns")) {
			if (opts->netns)
				return fail(p, "duplicate option \"%s\"", opt);
			if (i + 1 >= argc)
				return fail(p, "missing namespace name after "
					    "\"%s\"", opt);
			opts->netns = argv[++i];
		} else if (family_option(opt)) {
			/* As ip takes them: the rules of one family. */
			if (opts->family && opts->family != family_option(opt))
				return fail(p, "give either \"-4\" or \"-6\", "
					    "not both");
			opts->family = family_option(opt);
		} else if (!strcmp(opt, "-force")) {
			opts->force = true;
		} else if (!strcmp(opt, "-V") || !strcmp(opt, "--version")) {
			opts->version = true;
		} else if (!strcmp(opt, "-h") || !strcmp(opt, "--help")) {
			opts->help = true;
		} else if (!strcmp(opt, "-batch")) {
			if (opts->batch)
				return fail(p, "duplicate option \"-batch\"");
			if (i + 1 >= argc)
				return fail(p, "missing file after \"-batch\" "
					    "(use \"-\" for stdin)");
			opts->batch = argv[++i];
		} else {
			return fail(p, "unknown option \"%s\" (try \"mcr-nl "
				    "help\")", opt);
		}
	}
	if ((opts->version || opts->help) && i < argc)
		return fail(p, "unexpected \"%s\" after \"%s\" (it takes no "
			    "command)", argv[i], opts->version ? "-V" : "-h");
	if (opts->batch && i < argc)
		return fail(p, "unexpected \"%s\": \"-batch\" reads the "
			    "commands from its file", argv[i]);
	return i;
}

static int hex_digit(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	ch = (char)tolower((unsigned char)ch);
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	return -1;
}

/* Decodes the escape at *s (just after a backslash in quotes). */
static int unescape(const char **s, char *out, char *err, size_t errlen)
{
	const char *p = *s;
	int hi, lo;

	if (*p == '"' || *p == '\\') {
		*out = *p;
		*s = p + 1;
		return 0;
	}
	if (*p == 'x') {
		hi = hex_digit(p[1]);
		lo = hi < 0 ? -1 : hex_digit(p[2]);
		if (lo < 0 || (hi == 0 && lo == 0)) {
			snprintf(err, errlen, "bad escape in quoted word "
				 "(expected \\xHH, 01-ff)");
			return -1;
		}
		*out = (char)(hi << 4 | lo);
		*s = p + 3;
		return 0;
	}
	snprintf(err, errlen, "bad escape \"\\%c\" in quoted word (use \\\", "
		 "\\\\ or \\xHH)", *p ? *p : ' ');
	return -1;
}

int mcr_split_line(const char *line, struct mcr_words *w, char *err,
		   size_t errlen)
{
	size_t len = strlen(line);
	/* Every word takes at least one character plus a separator, or
	 * two quotes when empty. */
	size_t max_words = len / 2 + 2;
	const char *s = line;
	char *dst;

	memset(w, 0, sizeof(*w));
	w->buf = malloc(len + 1);
	w->argv = calloc(max_words + 1, sizeof(*w->argv));
	if (!w->buf || !w->argv) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	dst = w->buf;

	for (;;) {
		char quoted = 0;	/* the open quote, or 0 */

		while (isspace((unsigned char)*s))
			s++;
		if (!*s || *s == '#')
			break;
		w->argv[w->argc++] = dst;
		while (*s && (quoted || !isspace((unsigned char)*s))) {
			if ((*s == '"' || *s == '\'') &&
			    (!quoted || quoted == *s)) {
				quoted = quoted ? 0 : *s;
				s++;
			} else if (quoted == '"' && *s == '\\') {
				s++;
				if (unescape(&s, dst++, err, errlen))
					goto fail;
			} else {
				*dst++ = *s++;
			}
		}
		if (quoted) {
			snprintf(err, errlen, "unterminated quote");
			goto fail;
		}
		*dst++ = '\0';
	}
	w->argv[w->argc] = NULL;
	return 0;

fail:
	mcr_words_free(w);
	return -1;
}

void mcr_words_free(struct mcr_words *w)
{
	free(w->argv);
	free(w->buf);
	memset(w, 0, sizeof(*w));
}

int mcr_read_batch_line(FILE *f, char **line, size_t *cap,
			unsigned int *line_no, unsigned int *first,
			char *err, size_t errlen)
{
	char *more = NULL, *grown;
	size_t more_cap = 0, len = 0;
	bool cont = false;
	ssize_t n;
	int ret = 1;

	/* A line that ends with a backslash goes on on the next one, as
	 * in iproute2's batch files. */
	for (;;) {
		errno = 0;
		n = getline(cont ? &more : line, cont ? &more_cap : cap, f);
		if (n < 0) {
			/* getline() fails without ferror() when it runs out
			 * of memory: only a clean end of file is one. */
			if (ferror(f) || errno) {
				snprintf(err, errlen, "%s",
					 strerror(errno ? errno : EIO));
				ret = -2;
			} else if (!cont) {
				ret = 0;
			}
			break;
		}
		++*line_no;
		if (!cont)
			*first = *line_no;
		/* A NUL would end the line early, silently: refuse it. */
		if (memchr(cont ? more : *line, '\0', (size_t)n)) {
			snprintf(err, errlen, "NUL byte in the line");
			ret = -1;
			break;
		}
		if (cont) {
			if (len + (size_t)n + 1 > *cap) {
				grown = realloc(*line, len + (size_t)n + 1);
				if (!grown) {
					snprintf(err, errlen, "%s",
						 strerror(ENOMEM));
					ret = -2;
					break;
				}
				*line = grown;
				*cap = len + (size_t)n + 1;
			}
			memcpy(*line + len, more, (size_t)n + 1);
		}
		len += (size_t)n;
		if (len && (*line)[len - 1] == '\n')
			len--;
		cont = len && (*line)[len - 1] == '\\';
		if (!cont)
			break;
		/* The backslash joins the lines with a blank. */
		(*line)[len - 1] = ' ';
		(*line)[len] = '\0';
	}
	free(more);
	return ret;
}

int mcr_netns_path(struct mcr_parser *p, const char *name, char *buf,
		   size_t len)
{
	int n;

	if (!*name || !strcmp(name, ".") || !strcmp(name, "..") ||
	    strchr(name, '/'))
		return fail(p, "bad namespace name \"%s\" (a name from \"ip "
			    "netns list\")", name);
	n = snprintf(buf, len, "/var/run/netns/%s", name);
	if (n < 0 || (size_t)n >= len)
		return fail(p, "namespace name \"%s\" is too long", name);
	return 0;
}
