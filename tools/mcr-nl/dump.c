// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <netlink/errno.h>
#include <netlink/genl/genl.h>

#include "dump.h"
#include "msg.h"

/* ---- gathering the parts of a rule ----------------------------------- */

void mcr_gather_init(struct mcr_gather *g, mcr_rule_fn emit, void *arg)
{
	memset(g, 0, sizeof(*g));
	g->emit = emit;
	g->arg = arg;
	mcr_rule_init(&g->pending);
}

int mcr_gather_add(struct mcr_gather *g, struct mcr_rule *part)
{
	int err;

	if (g->has_pending && g->pending.id == part->id) {
		err = mcr_rule_append_outputs(&g->pending, part);
		mcr_rule_free(part);
		return err ? -NLE_NOMEM : 0;
	}
	/* A rule is whole once the next one starts. */
	mcr_gather_end(g, true);
	g->pending = *part;
	g->has_pending = true;
	mcr_rule_init(part);
	return 0;
}

void mcr_gather_end(struct mcr_gather *g, bool complete)
{
	if (g->has_pending && complete)
		g->emit(&g->pending, g->arg);
	mcr_rule_free(&g->pending);
	g->has_pending = false;
}

/* ---- dumps ----------------------------------------------------------- */

/* What the reply callbacks fill in. */
struct dump {
	struct mcr_gather gather;
	bool *has_netns;
	struct mcr_netns_stats *netns;
};

static int on_rule(struct nlmsghdr *nlh, void *arg)
{
	struct dump *d = arg;
	struct mcr_rule rule;
	int err;

	mcr_rule_init(&rule);
	err = mcr_msg_parse_rule(nlh, &rule);
	/* A rule of an address family this tool does not know: skipped. */
	if (err == -NLE_AF_NOSUPPORT)
		err = 0;
	else if (!err)
		err = mcr_gather_add(&d->gather, &rule);
	mcr_rule_free(&rule);
	return err;
}

static int on_stats(struct nlmsghdr *nlh, void *arg)
{
	struct dump *d = arg;
	struct mcr_stats_reply st;
	int err;

	mcr_stats_reply_init(&st);
	err = mcr_msg_parse_stats(nlh, &st);
	if (!err && st.has_netns) {
		*d->has_netns = true;
		*d->netns = st.netns;
	}
	if (!err && st.has_rule)
		err = mcr_gather_add(&d->gather, &st.rule);
	mcr_stats_reply_free(&st);
	return err;
}

static int run_dump(struct mcr_nl *nl, struct nl_msg *req, mcr_nl_msg_fn fn,
		    struct dump *d)
{
	int ret;

	ret = mcr_nl_transact(nl, req, fn, d);
	mcr_gather_end(&d->gather, !ret);
	return ret;
}

int mcr_dump_rules(struct mcr_nl *nl, struct nl_msg *req, mcr_rule_fn emit,
		   void *arg)
{
	struct dump d = { 0 };

	mcr_gather_init(&d.gather, emit, arg);
	return run_dump(nl, req, on_rule, &d);
}

int mcr_dump_stats(struct mcr_nl *nl, struct nl_msg *req, bool *has_netns,
		   struct mcr_netns_stats *netns, mcr_rule_fn emit, void *arg)
{
	struct dump d = { .has_netns = has_netns, .netns = netns };

	mcr_gather_init(&d.gather, emit, arg);
	return run_dump(nl, req, on_stats, &d);
}

/* ---- readings -------------------------------------------------------- */

/*
 * Every rule of a reading (of @family, 0: all), copied; a copy that fails
 * fails the reading.
 */
struct collect {
	struct mcr_rule_list *list;
	int family;
	bool failed;
};

static void collect_rule(const struct mcr_rule *rule, void *arg)
{
	struct collect *c = arg;

	if (mcr_rule_in_family(rule, c->family) &&
	    mcr_rule_list_add(c->list, rule))
		c->failed = true;
}

/* A request for @cmd; NULL with nl->err set. */
static struct nl_msg *new_request(struct mcr_nl *nl, uint8_t cmd, bool dump,
				  uint32_t id_attr, uint32_t id, uint32_t iif)
{
	struct nl_msg *msg;
	int err = 0;

	msg = mcr_nl_new_request(nl, cmd, dump ? NLM_F_DUMP : 0, 64);
	if (!msg)
		return NULL;
	if (id)
		err = nla_put_u32(msg, id_attr, id);
	else if (dump)
		err = mcr_msg_put_dump_iif(msg, iif);
	if (err) {
		/* Only a sizing bug can get here. */
		nlmsg_free(msg);
		snprintf(nl->err, sizeof(nl->err),
			 "cannot build the request: %s", nl_geterror(err));
		return NULL;
	}
	return msg;
}

/* The kernel's warning, if any, to its listener (once). */
static int warned(const struct mcr_sampler *sr, int ret)
{
	if (sr->nl->warning[0] && sr->warn)
		sr->warn(sr->nl->warning, sr->arg);
	sr->nl->warning[0] = '\0';
	return ret;
}

int mcr_sample_read(const struct mcr_sampler *sr, struct mcr_sample *s)
{
	struct collect c = { .list = &s->rules, .family = sr->family };
	bool with_keys = sr->with_keys || sr->family;
	struct mcr_nl *nl = sr->nl;
	struct mcr_netns_stats unused;
	bool unused_has = false;
	struct timespec ts;
	struct nl_msg *msg;
	int ret;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	s->time = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
	s->has_netns = false;
	/* Namespace counters go with every rule, not with one or a
	 * device's: a stats-get "do" without an id. */
	if (!sr->id && !sr->iif) {
		msg = new_request(nl, MCR_CMD_STATS_GET, false, 0, 0, 0);
		if (!msg)
			return -1;
		ret = mcr_dump_stats(nl, msg, &s->has_netns, &s->netns,
				     collect_rule, &c);
		if (warned(sr, ret))
			return -1;
	}
	/* A rule-get dump takes an id too, and carries the counters. */
	if (with_keys)
		msg = new_request(nl, MCR_CMD_RULE_GET, true, MCR_A_RULE_ID,
				  sr->id, sr->iif);
	else
		msg = new_request(nl, MCR_CMD_STATS_GET, !sr->id,
				  MCR_A_STATS_RULE_ID, sr->id, sr->iif);
	if (!msg)
		return -1;
	if (with_keys)
		ret = mcr_dump_rules(nl, msg, collect_rule, &c);
	else	/* the rules only: the namespace's were read above */
		ret = mcr_dump_stats(nl, msg, &unused_has, &unused,
				     collect_rule, &c);
	if (warned(sr, ret))
		return -1;
	if (c.failed) {
		snprintf(nl->err, sizeof(nl->err), "out of memory");
		return -1;
	}
	return 0;
}

/* ---- rule flush -4|-6 ------------------------------------------------ */

/* The ids of the rules of one family, as a dump delivers them. */
struct rule_ids {
	int family;
	uint32_t *ids;
	size_t n, cap;
	bool failed;
};

static void collect_id(const struct mcr_rule *rule, void *arg)
{
	struct rule_ids *l = arg;
	uint32_t *ids;

	if (!mcr_rule_in_family(rule, l->family) || l->failed)
		return;
	if (l->n == l->cap) {
		ids = reallocarray(l->ids, l->cap ? 2 * l->cap : 64,
				   sizeof(*ids));
		if (!ids) {
			l->failed = true;
			return;
		}
		l->ids = ids;
		l->cap = l->cap ? 2 * l->cap : 64;
	}
	l->ids[l->n++] = rule->id;
}

static int delete_rule(struct mcr_nl *nl, uint32_t id)
{
	char why[MCR_ERR_LEN];
	struct nl_msg *msg;

	msg = new_request(nl, MCR_CMD_RULE_DEL, false, MCR_A_RULE_ID, id, 0);
	if (!msg)
		return -1;
	if (!mcr_nl_transact(nl, msg, NULL, NULL))
		return 0;
	/* Gone since the dump: what the flush wants anyway. */
	if (nl->kernel_error == -ENOENT) {
		nl->err[0] = '\0';
		return 0;
	}
	snprintf(why, sizeof(why), "%s", nl->err);
	snprintf(nl->err, sizeof(nl->err), "rule %u: %.400s", id, why);
	return -1;
}

int mcr_flush_family(struct mcr_nl *nl, uint32_t iif, int family)
{
	struct rule_ids l = { .family = family };
	struct nl_msg *msg;
	size_t i;
	int ret;

	msg = new_request(nl, MCR_CMD_RULE_GET, true, 0, 0, iif);
	if (!msg)
		return -1;
	ret = mcr_dump_rules(nl, msg, collect_id, &l);
	if (!ret && l.failed) {
		snprintf(nl->err, sizeof(nl->err), "out of memory");
		ret = -1;
	}
	for (i = 0; !ret && i < l.n; i++)
		ret = delete_rule(nl, l.ids[i]);
	free(l.ids);
	return ret;
}
