/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Rules as dumps deliver them, and readings of the counters: on top of
 * nl.c and msg.c, without printing, so that the tests run them against
 * the fake kernel.
 *
 * A dump splits a rule with more outputs than one message holds over
 * consecutive messages that repeat its id and key: the parts are gathered
 * into the whole rule before anyone sees it.
 */
#ifndef MCR_NL_DUMP_H
#define MCR_NL_DUMP_H

#include <stdbool.h>
#include <stdint.h>

#include <netlink/msg.h>

#include "metrics.h"	/* struct mcr_sample */
#include "nl.h"
#include "rule.h"

/* Gets each whole rule, in dump order. */
typedef void (*mcr_rule_fn)(const struct mcr_rule *rule, void *arg);

/* The rule being gathered from its parts. */
struct mcr_gather {
	mcr_rule_fn emit;
	void *arg;
	bool has_pending;
	struct mcr_rule pending;
};

void mcr_gather_init(struct mcr_gather *g, mcr_rule_fn emit, void *arg);

/*
 * Appends @part to the pending rule if it continues it (same id); else
 * emits the pending rule and keeps @part as the next one.  Takes over
 * @part's outputs.  Returns 0 or -NLE_NOMEM.
 */
int mcr_gather_add(struct mcr_gather *g, struct mcr_rule *part);

/*
 * The dump ended: emits the pending rule when @complete, drops it
 * otherwise (after a failure the last rule may lack outputs).
 */
void mcr_gather_end(struct mcr_gather *g, bool complete);

/*
 * Sends a rule-get request (@req, consumed) and passes each whole rule
 * to @emit; a rule of an address family this tool does not know is
 * skipped.  Returns 0, or -1 with nl->err set.
 */
int mcr_dump_rules(struct mcr_nl *nl, struct nl_msg *req, mcr_rule_fn emit,
		   void *arg);

/*
 * The same for a stats-get request: each rule's counters go to @emit,
 * the namespace counters, if a reply has them, to *@netns (and
 * *@has_netns is set; it is left alone otherwise).
 */
int mcr_dump_stats(struct mcr_nl *nl, struct nl_msg *req, bool *has_netns,
		   struct mcr_netns_stats *netns, mcr_rule_fn emit, void *arg);

/* What one reading of the counters covers. */
struct mcr_sampler {
	struct mcr_nl *nl;
	uint32_t id;		/* one rule; 0: every rule (on iif) */
	uint32_t iif;		/* the rules on this device; 0: all */
	/* Read from a rule-get dump, whose rules carry their match key
	 * (Prometheus labels); else from stats-get. */
	bool with_keys;
	/* Only the rules of this family (-4, -6), 0: all; read from a
	 * rule-get dump too, the one that tells a rule's family. */
	int family;
	/* Told each warning the kernel acked a request with (may be NULL):
	 * a reading takes two requests, nl->warning keeps only the last. */
	void (*warn)(const char *warning, void *arg);
	void *arg;
};

/*
 * One reading into @s (initialised by the caller): the time
 * (CLOCK_MONOTONIC), the namespace counters when it covers every rule,
 * and the rules.  Returns 0, or -1 with sr->nl->err set.
 */
int mcr_sample_read(const struct mcr_sampler *sr, struct mcr_sample *s);

/*
 * rule flush -4|-6: deletes the rules of @family (AF_INET or AF_INET6)
 * on input device @iif (0: on every device).  The kernel's flush takes
 * no family: the rules are read with a dump, then deleted one by one by
 * id, and one deleted meanwhile by someone else (ENOENT) is fine.
 * Returns 0, or -1 with nl->err set, naming the rule that could not be
 * deleted (the ones before it are gone, the next ones not tried).
 */
int mcr_flush_family(struct mcr_nl *nl, uint32_t iif, int family);

#endif /* MCR_NL_DUMP_H */
