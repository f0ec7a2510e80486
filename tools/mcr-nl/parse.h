/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Pure parsing of mcr-nl command lines into requests: no netlink and no
 * device lookups of its own (the caller injects name -> ifindex), so that
 * it can be unit-tested on any host.
 */
#ifndef MCR_NL_PARSE_H
#define MCR_NL_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "rule.h"

/* Process exit codes. */
enum {
	MCR_EXIT_OK = 0,
	MCR_EXIT_FAILED = 1,	/* a request failed */
	MCR_EXIT_USAGE = 2,	/* bad command line */
};

enum mcr_req_type {
	MCR_REQ_RULE_ADD,
	MCR_REQ_RULE_REPLACE,
	MCR_REQ_RULE_DEL,
	MCR_REQ_RULE_SHOW,
	MCR_REQ_RULE_FLUSH,
	MCR_REQ_RULE_SAVE,
	MCR_REQ_STATS,
	MCR_REQ_STATS_RESET,
	MCR_REQ_MONITOR,
	MCR_REQ_HELP,
};

/* What "help" prints: everything, or one command's part. */
enum mcr_help_topic {
	MCR_HELP_ALL,
	MCR_HELP_RULE,
	MCR_HELP_STATS,
};

struct mcr_request {
	enum mcr_req_type type;
	const char *what;	/* "rule add", ...: prefix of messages */
	/*
	 * add/replace: the whole rule; del by key: iif, group, port and
	 * source; flush, and show and stats with "dev": iif (0 for all
	 * devices).
	 */
	struct mcr_rule rule;
	uint32_t id;		/* del/show/stats by id; 0 when not given */
	/* stats: -w [SECONDS] (interval_ms, default 1000), --prometheus */
	bool watch;
	unsigned int interval_ms;
	bool prometheus;
	/* monitor: -t; only the events of rule id (or input device rule.iif) */
	bool timestamp;
	enum mcr_help_topic help;	/* help */
};

/*
 * Why @req cannot be answered in JSON (-j), as a message, or NULL when
 * it can: "rule save" and "stats --prometheus" have one form only.
 */
const char *mcr_request_no_json(const struct mcr_request *req);

/* Returns the index of device @name, or 0 if there is no such device. */
typedef unsigned int (*mcr_ifindex_fn)(const char *name, void *arg);

#define MCR_ERR_LEN 512

struct mcr_parser {
	mcr_ifindex_fn ifindex;
	void *ifindex_arg;
	bool in_batch;			/* reject options inside batch lines */
	char err[MCR_ERR_LEN];		/* message of the last failure */
};

struct mcr_options {
	bool json;
	bool pretty;		/* -p: indented JSON (with -j) */
	bool stats;		/* -s: rule show prints counters */
	bool version;
	bool help;
	bool force;		/* -force: a batch goes on after a failure */
	/* -4, -6: only the rules of this family (AF_INET, AF_INET6); 0: all */
	int family;
	const char *netns;	/* -n NAME: the named network namespace */
	const char *batch;	/* file name, "-" for stdin; NULL if none */
};

/*
 * Parses the leading options of argv (argv[0] is the first word after the
 * program name).  Returns the number of words consumed, or -1 with
 * p->err set.
 */
int mcr_parse_options(struct mcr_parser *p, int argc, char *const argv[],
		      struct mcr_options *opts);

/*
 * Parses one command ("rule add ...", "stats", ...).  Returns 0, or -1
 * with p->err set (a usage error).  The request must be released with
 * mcr_request_free() either way.
 */
int mcr_parse_request(struct mcr_parser *p, int argc, char *const argv[],
		      struct mcr_request *req);

void mcr_request_free(struct mcr_request *req);

/*
 * Whether -4 or -6 (@family AF_INET or AF_INET6) can go with @req: they
 * filter the rules "rule show", "stats" and "rule flush" act on (and
 * change nothing for "help").  Returns 0, or -1 with p->err set (a usage
 * error, as -j with "rule save").
 */
int mcr_request_family_check(struct mcr_parser *p,
			     const struct mcr_request *req, int family);

/* Words of one batch line. */
struct mcr_words {
	int argc;
	char **argv;	/* argv[argc] is NULL */
	char *buf;	/* storage of the words */
};

/*
 * Splits a batch line into words.  Words are separated by blanks; a word
 * starting with an unquoted '#' starts a comment; double quotes group
 * blanks into a word, and inside them \" \\ and \xHH are escapes;
 * single quotes group blanks too, and nothing is special inside them.
 * Returns 0, or -1 with a message in @err.  A blank line gives argc 0.
 */
int mcr_split_line(const char *line, struct mcr_words *words,
		   char *err, size_t errlen);
void mcr_words_free(struct mcr_words *words);

/*
 * Reads the next command of a batch file into *@line (getline()
 * storage): a line, joined with the next ones while it ends with a
 * backslash.  *@line_no counts the lines read, *@first is the number of
 * the command's first line.  Returns 1; 0 at the end of the file; -1
 * with a message in @err for a line that cannot be a command (a NUL byte
 * in it), after which the next one can be read; -2 with a message in
 * @err when nothing more can be read (a read error, out of memory).
 */
int mcr_read_batch_line(FILE *f, char **line, size_t *cap,
			unsigned int *line_no, unsigned int *first,
			char *err, size_t errlen);

/*
 * A rule name is for people: well-formed UTF-8 without control
 * characters (C0, DEL, C1).  Returns 0, or -1 with the reason in @why.
 */
int mcr_name_check(const char *name, char *why, size_t len);

/*
 * The file of network namespace @name as "ip netns" names it
 * (/var/run/netns/NAME).  Returns 0, or -1 with @p->err set for a name
 * that is not one (empty, ".", "..", or holding a '/').
 */
int mcr_netns_path(struct mcr_parser *p, const char *name, char *buf,
		   size_t len);

/* Number parsing helpers, shared with tests; return 0 or -1. */
int mcr_parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *val);
int mcr_parse_ipv4(const char *s, in_addr_t *addr);
/* An IPv4 address into @v4 or else an IPv6 one into @v6; @family says
 * which. */
int mcr_parse_addr(const char *s, sa_family_t *family, in_addr_t *v4,
		   struct in6_addr *v6);
/*
 * Why the IPv6 address @a cannot be a group of a rule or an output (with
 * @source: a source), or NULL when it can.
 */
const char *mcr_ipv6_unfit(const struct in6_addr *a, bool source);
/* Seconds with up to 3 decimals ("1", "0.5", "2.250") within
 * [@min_ms, @max_ms] milliseconds. */
int mcr_parse_seconds(const char *s, unsigned int min_ms,
		      unsigned int max_ms, unsigned int *ms);

#endif /* MCR_NL_PARSE_H */
