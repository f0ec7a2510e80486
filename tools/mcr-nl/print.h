/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Human and JSON output of rules and counters.  Pure: writes to the given
 * FILE and gets device names from an injected function, so that it can be
 * unit-tested without devices.
 */
#ifndef MCR_NL_PRINT_H
#define MCR_NL_PRINT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "json.h"
#include "rule.h"

/* Room for a device name, or for the "if%u" fallback. */
#define MCR_IFNAME_LEN 16

/* Returns the name of device @ifindex, written into @buf if need be. */
typedef const char *(*mcr_ifname_fn)(unsigned int ifindex, char *buf,
				     void *arg);

struct mcr_printer {
	FILE *out;
	struct json_writer *json;	/* NULL: human output */
	mcr_ifname_fn ifname;
	void *ifname_arg;
	bool netns_printed;		/* human namespace counters printed */
	bool table_started;		/* human stats table header printed */
	bool stats;			/* -s: counters in human rule show */
	/* monitor -t: when the event being printed arrived; NULL: no time */
	const struct timespec *stamp;
};

/*
 * Each object is printed once, for both forms, through these helpers (the
 * print_*(PRINT_ANY, ...) pattern of iproute2): a field goes out as the
 * JSON member @key or, in human output, through the printf format @fmt
 * (NULL: nothing).  @t says in which forms it appears at all; a field of
 * one form only is PRINT_FP or PRINT_JSON.
 */
enum print_type {
	PRINT_FP = 1 << 0,		/* human output only */
	PRINT_JSON = 1 << 1,		/* JSON only */
	PRINT_ANY = PRINT_FP | PRINT_JSON,
};

/* Whether a field of type @t appears in @pr's form. */
static inline bool print_wanted(const struct mcr_printer *pr,
				enum print_type t)
{
	return t & (pr->json ? PRINT_JSON : PRINT_FP);
}

/* @key NULL: a value of the enclosing JSON array. */
void print_string(struct mcr_printer *pr, enum print_type t,
		  const char *key, const char *fmt, const char *value);
void print_uint(struct mcr_printer *pr, enum print_type t, const char *key,
		const char *fmt, unsigned int value);
void print_u64(struct mcr_printer *pr, enum print_type t, const char *key,
	       const char *fmt, uint64_t value);
/* JSON containers (@key NULL: in an array); nothing in human output. */
void print_open_object(struct mcr_printer *pr, enum print_type t,
		       const char *key);
void print_close_object(struct mcr_printer *pr, enum print_type t);
void print_open_array(struct mcr_printer *pr, enum print_type t,
		      const char *key);
void print_close_array(struct mcr_printer *pr, enum print_type t);
/* Text of the human form only: separators, line ends, headers. */
void print_fp(struct mcr_printer *pr, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* if_indextoname(), falling back to "if%u" for a vanished device. */
const char *mcr_ifname_system(unsigned int ifindex, char *buf, void *arg);

/*
 * Quotes @s for a batch file if it would not read back as one word (see
 * mcr_split_line()), or if it holds bytes a terminal must not get (C0
 * and C1 controls, DEL, bytes that are not UTF-8: written \xHH);
 * returns @s itself when no quoting is needed.
 */
#define MCR_QUOTED_LEN (4 * MCR_NAME_LEN + 3)
#define MCR_IFNAME_QUOTED_LEN (4 * MCR_IFNAME_LEN + 3)
const char *mcr_quote_word(const char *s, char *buf, size_t len);

/*
 * Writes @s to @f with the bytes mcr_quote_word() escapes written \xHH:
 * for messages that repeat what a user or the kernel gave.
 */
void mcr_fput_printable(const char *s, FILE *f);

/* "rule show": a block of lines, or one JSON object (of an array). */
void mcr_print_rule(struct mcr_printer *pr, const struct mcr_rule *rule);

/*
 * "rule save": the header comment, then one "rule add ..." per rule.
 * Human output only (there is no JSON form).
 */
void mcr_print_save_header(struct mcr_printer *pr);
void mcr_print_save_rule(struct mcr_printer *pr, const struct mcr_rule *rule);

/*
 * "monitor": one line per notification; returns -1 for an unknown @cmd.
 * For an output-del, @removed holds the outputs removed, or is NULL when
 * they are not known (the rule's remaining outputs are shown instead).
 * With pr->stamp, the line is preceded by ip monitor -t's "Timestamp:"
 * line, or the JSON object starts with "time" (RFC 3339, microseconds,
 * local time).
 */
int mcr_print_event(struct mcr_printer *pr, uint8_t cmd,
		    const struct mcr_rule *rule,
		    const struct mcr_rule *removed);

/* "rule add -j": {"id":N} */
void mcr_print_added(struct mcr_printer *pr, uint32_t id);

/*
 * "stats": the namespace counters (human block, or a JSON object value
 * whose key the caller wrote), then each rule's counters (a table row per
 * rule and per output, or one JSON object of an array).
 */
void mcr_print_netns_stats(struct mcr_printer *pr,
			   const struct mcr_netns_stats *stats);
void mcr_print_rule_stats(struct mcr_printer *pr, const struct mcr_rule *rule);

#endif /* MCR_NL_PRINT_H */
