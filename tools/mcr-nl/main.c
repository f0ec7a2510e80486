// SPDX-License-Identifier: GPL-2.0
/*
 * mcr-nl: configure the in-kernel multicast UDP relay over generic netlink,
 * in the manner of ip(8) and tc(8).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <netlink/genl/genl.h>

#include <linux/mcr.h>

#include "batch.h"
#include "dump.h"
#include "json.h"
#include "metrics.h"
#include "monitor.h"
#include "msg.h"
#include "nl.h"
#include "parse.h"
#include "print.h"
#include "stop.h"
#include "version.h"

/* Everything one run needs; lives in main()'s frame. */
struct ctx {
	struct mcr_options opts;
	struct mcr_parser parser;
	struct mcr_nl nl;
	bool nl_open;
	struct mcr_batch batch;		/* -batch: its line, for messages */
	struct json_writer json;
	struct mcr_printer pr;
	const struct mcr_request *req;	/* request being run */
	bool has_netns;			/* stats: namespace counters */
	struct mcr_netns_stats netns;
	struct mcr_monitor mon;		/* monitor: the rules' outputs */
	bool learn_failed;		/* monitor: out of memory learning */
};

static const char usage_head[] =
"Usage: mcr-nl [OPTIONS] COMMAND\n"
"       mcr-nl [-j [-p]] [-n NETNS] [-force] -batch FILE|-\n"
"\n"
"Commands:\n";

static const char usage_rule[] =
"  rule add     iif DEV group ADDR [port PORT] [source ADDR] [name NAME]\n"
"               [consume] [nojoin] [flags N] OUTPUT [OUTPUT ...]\n"
"  rule replace (as rule add; swaps the outputs of the rule with this key)\n"
"  rule del     id ID\n"
"  rule del     iif DEV group ADDR [port PORT] [source ADDR]\n"
"  rule show    [id ID | dev DEV]     (-s: with counters)\n"
"  rule flush   [iif DEV]\n"
"  rule save    (prints the rules as a batch file)\n"
"  rule help\n"
"  (\"rule list\" and \"rule ls\" are \"rule show\", \"rule delete\" is\n"
"  \"rule del\")\n"
"\n"
"  OUTPUT := oif DEV [group ADDR] [port PORT] [ttl 1-255] [source auto|ADDR]\n"
"  ADDR is IPv4 or IPv6: the rule's group sets its family, and its other\n"
"  addresses are of the same.\n"
"  port 0 (or none) matches any port on the rule, keeps the port on an oif.\n"
"  Without ttl an output decrements the TTL (hop limit) like a router.\n";

static const char usage_stats[] =
"  stats        [id ID | dev DEV] [-w|--watch [SECONDS]]\n"
"  stats        [dev DEV] --prometheus\n"
"  stats reset  [id ID]\n"
"  stats help\n";

static const char usage_rest[] =
"  monitor      [-t] [id ID | dev DEV]\n"
"  help\n"
"\n"
"Options (before the command):\n"
"  -j            JSON output\n"
"  -p            with -j, indented JSON (as \"ip -j -p\")\n"
"  -s            rule show: the counters too (JSON always has them)\n"
"  -4, -6        rule show, rule flush, stats: IPv4 or IPv6 rules only\n"
"  -n NETNS      run in network namespace NETNS (as \"ip -n\")\n"
"  -force        in a batch, go on after a failed line\n"
"  -batch FILE   run the commands of FILE (\"-\": stdin), one per line\n"
"  -V, --version print the version\n"
"  -h, --help    print this help\n";

static void usage(FILE *out, enum mcr_help_topic topic)
{
	fputs(usage_head, out);
	if (topic != MCR_HELP_STATS)
		fputs(usage_rule, out);
	if (topic == MCR_HELP_ALL)
		fputc('\n', out);
	if (topic != MCR_HELP_RULE)
		fputs(usage_stats, out);
	if (topic == MCR_HELP_ALL)
		fputs(usage_rest, out);
}

static void __attribute__((format(printf, 2, 3)))
report(struct ctx *ctx, const char *fmt, ...)
{
	char *msg = NULL;
	va_list ap;
	int n;

	/* Keep stdout and stderr in order on a terminal. */
	fflush(stdout);
	fputs("mcr-nl: ", stderr);
	if (ctx->batch.line)
		fprintf(stderr, "batch line %u: ", ctx->batch.line);
	va_start(ap, fmt);
	n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	/* A message may repeat a word given: no control byte gets out. */
	if (n >= 0) {
		mcr_fput_printable(msg, stderr);
		free(msg);
	} else {
		fputs(strerror(ENOMEM), stderr);
	}
	fputc('\n', stderr);
}

static unsigned int system_ifindex(const char *name, void *arg)
{
	(void)arg;
	return if_nametoindex(name);
}

static int open_nl(struct ctx *ctx)
{
	if (ctx->nl_open)
		return 0;
	if (mcr_nl_open(&ctx->nl)) {
		report(ctx, "%s", ctx->nl.err);
		return -1;
	}
	ctx->nl_open = true;
	return 0;
}

/* A request of at most @size bytes; a failure is reported (NULL). */
static struct nl_msg *new_request(struct ctx *ctx, uint8_t cmd, int flags,
				  size_t size)
{
	struct nl_msg *msg;

	if (open_nl(ctx))
		return NULL;
	msg = mcr_nl_new_request(&ctx->nl, cmd, flags, size);
	if (!msg)
		report(ctx, "%s: %s", ctx->req->what, ctx->nl.err);
	return msg;
}

/* Reports a failure to fill in a request: only a sizing bug can cause it. */
static int put_failed(struct ctx *ctx, struct nl_msg *msg, int err)
{
	nlmsg_free(msg);
	report(ctx, "%s: cannot build the request: %s", ctx->req->what,
	       nl_geterror(err));
	return MCR_EXIT_FAILED;
}

/* Reports how a transaction (@ret: 0 or -1) went; an exit status. */
static int transact_result(struct ctx *ctx, int ret)
{
	if (ctx->nl.warning[0])
		report(ctx, "%s: warning: %s", ctx->req->what,
		       ctx->nl.warning);
	if (ret) {
		report(ctx, "%s: %s", ctx->req->what, ctx->nl.err);
		return MCR_EXIT_FAILED;
	}
	return MCR_EXIT_OK;
}

static int transact(struct ctx *ctx, struct nl_msg *msg, mcr_nl_msg_fn fn)
{
	return transact_result(ctx, mcr_nl_transact(&ctx->nl, msg, fn, ctx));
}

/* ---- rule add / replace ---------------------------------------------- */

static int on_rule_added(struct nlmsghdr *nlh, void *arg)
{
	struct nlattr *tb[MCR_A_RULE_MAX + 1];
	struct ctx *ctx = arg;
	int err;

	err = genlmsg_parse(nlh, 0, tb, MCR_A_RULE_MAX, NULL);
	if (err)
		return err;
	if (!tb[MCR_A_RULE_ID] || nla_len(tb[MCR_A_RULE_ID]) < 4)
		return -NLE_MISSING_ATTR;
	mcr_print_added(&ctx->pr, nla_get_u32(tb[MCR_A_RULE_ID]));
	return 0;
}

static int do_rule_add(struct ctx *ctx, bool replace)
{
	const struct mcr_rule *rule = &ctx->req->rule;
	struct nl_msg *msg;
	int err;

	msg = new_request(ctx, MCR_CMD_RULE_NEW, 0, mcr_msg_rule_size(rule));
	if (!msg)
		return MCR_EXIT_FAILED;
	err = mcr_msg_put_rule(msg, rule, replace);
	if (err)
		return put_failed(ctx, msg, err);
	return transact(ctx, msg, on_rule_added);
}

/* ---- rule del / flush ------------------------------------------------ */

static int do_rule_del(struct ctx *ctx)
{
	struct nl_msg *msg;
	int err;

	msg = new_request(ctx, MCR_CMD_RULE_DEL, 0, 256);
	if (!msg)
		return MCR_EXIT_FAILED;
	if (ctx->req->id)
		err = nla_put_u32(msg, MCR_A_RULE_ID, ctx->req->id);
	else
		err = mcr_msg_put_key(msg, &ctx->req->rule);
	if (err)
		return put_failed(ctx, msg, err);
	return transact(ctx, msg, NULL);
}

static int do_rule_flush(struct ctx *ctx)
{
	struct nl_msg *msg;
	int err = 0;

	/* The kernel's flush knows no family: rule by rule, then. */
	if (ctx->opts.family) {
		if (open_nl(ctx))
			return MCR_EXIT_FAILED;
		return transact_result(ctx, mcr_flush_family(&ctx->nl,
							     ctx->req->rule.iif,
							     ctx->opts.family));
	}
	msg = new_request(ctx, MCR_CMD_RULE_FLUSH, 0, 64);
	if (!msg)
		return MCR_EXIT_FAILED;
	if (ctx->req->rule.iif)
		err = nla_put_u32(msg, MCR_A_RULE_IIF, ctx->req->rule.iif);
	if (err)
		return put_failed(ctx, msg, err);
	return transact(ctx, msg, NULL);
}

/* ---- rule show / save ------------------------------------------------ */

/* -4, -6: whether @rule is of the family asked for (any without). */
static bool family_wanted(const struct ctx *ctx, const struct mcr_rule *rule)
{
	return mcr_rule_in_family(rule, ctx->opts.family);
}

static void emit_show(const struct mcr_rule *rule, void *arg)
{
	struct ctx *ctx = arg;

	if (family_wanted(ctx, rule))
		mcr_print_rule(&ctx->pr, rule);
}

static void emit_save(const struct mcr_rule *rule, void *arg)
{
	struct ctx *ctx = arg;

	mcr_print_save_rule(&ctx->pr, rule);
}

/* rule-get: do with an id, or dump all rules. */
static struct nl_msg *rule_get_request(struct ctx *ctx)
{
	struct nl_msg *msg;
	int err;

	msg = new_request(ctx, MCR_CMD_RULE_GET,
			  ctx->req->id ? 0 : NLM_F_DUMP, 64);
	if (!msg)
		return NULL;
	if (ctx->req->id)
		err = nla_put_u32(msg, MCR_A_RULE_ID, ctx->req->id);
	else
		err = mcr_msg_put_dump_iif(msg, ctx->req->rule.iif);
	if (err) {
		put_failed(ctx, msg, err);
		return NULL;
	}
	return msg;
}

static int do_rule_show(struct ctx *ctx)
{
	struct nl_msg *msg = rule_get_request(ctx);
	int ret;

	if (!msg)
		return MCR_EXIT_FAILED;
	if (ctx->pr.json)
		json_begin_array(ctx->pr.json);
	ret = transact_result(ctx, mcr_dump_rules(&ctx->nl, msg, emit_show,
						  ctx));
	/* Closed even on failure, so that stdout stays valid JSON. */
	if (ctx->pr.json) {
		json_end_array(ctx->pr.json);
		json_end_line(ctx->pr.json);
	}
	return ret;
}

static int do_rule_save(struct ctx *ctx)
{
	struct nl_msg *msg;

	if (ctx->opts.json) {
		report(ctx, "%s", mcr_request_no_json(ctx->req));
		return MCR_EXIT_USAGE;
	}
	msg = rule_get_request(ctx);
	if (!msg)
		return MCR_EXIT_FAILED;
	mcr_print_save_header(&ctx->pr);
	return transact_result(ctx, mcr_dump_rules(&ctx->nl, msg, emit_save,
						   ctx));
}

/* ---- stats ----------------------------------------------------------- */

static void emit_stats(const struct mcr_rule *rule, void *arg)
{
	struct ctx *ctx = arg;

	if (family_wanted(ctx, rule))
		mcr_print_rule_stats(&ctx->pr, rule);
}

/* Namespace counters go with every rule, not with one or a device's. */
static bool whole_namespace(const struct mcr_request *req)
{
	return !req->id && !req->rule.iif;
}

/*
 * -4, -6: the rules' counters from a rule-get dump (of one rule with an
 * id), whose rules say their family; stats-get replies do not.
 */
static int family_stats_request(struct ctx *ctx)
{
	struct nl_msg *msg;
	int err;

	msg = new_request(ctx, MCR_CMD_RULE_GET, NLM_F_DUMP, 64);
	if (!msg)
		return MCR_EXIT_FAILED;
	if (ctx->req->id)
		err = nla_put_u32(msg, MCR_A_RULE_ID, ctx->req->id);
	else
		err = mcr_msg_put_dump_iif(msg, ctx->req->rule.iif);
	if (err)
		return put_failed(ctx, msg, err);
	return transact_result(ctx, mcr_dump_rules(&ctx->nl, msg, emit_stats,
						   ctx));
}

static int stats_request(struct ctx *ctx, int flags)
{
	struct nl_msg *msg;
	int err;

	msg = new_request(ctx, MCR_CMD_STATS_GET, flags, 64);
	if (!msg)
		return MCR_EXIT_FAILED;
	if (ctx->req->id)
		err = nla_put_u32(msg, MCR_A_STATS_RULE_ID, ctx->req->id);
	else if (flags & NLM_F_DUMP)
		err = mcr_msg_put_dump_iif(msg, ctx->req->rule.iif);
	else
		err = 0;
	if (err)
		return put_failed(ctx, msg, err);
	return transact_result(ctx, mcr_dump_stats(&ctx->nl, msg,
						   &ctx->has_netns,
						   &ctx->netns, emit_stats,
						   ctx));
}

/*
 * Without an id: the namespace counters (do), then every rule's (dump).
 * With one: that rule's counters only.  JSON: {"netns":{...},"rules":[]}.
 */
static int do_stats(struct ctx *ctx)
{
	struct json_writer *w = ctx->pr.json;
	int ret;

	ctx->has_netns = false;
	if (whole_namespace(ctx->req)) {
		ret = stats_request(ctx, 0);
		if (ret)
			return ret;
	}
	if (w) {
		json_begin_object(w);
		if (ctx->has_netns) {
			json_key(w, "netns");
			mcr_print_netns_stats(&ctx->pr, &ctx->netns);
		}
		json_key(w, "rules");
		json_begin_array(w);
	} else if (ctx->has_netns) {
		mcr_print_netns_stats(&ctx->pr, &ctx->netns);
	}
	if (ctx->opts.family)
		ret = family_stats_request(ctx);
	else
		ret = stats_request(ctx, ctx->req->id ? 0 : NLM_F_DUMP);
	if (w) {
		json_end_array(w);
		json_end_object(w);
		json_end_line(w);
	}
	return ret;
}

/* stats reset [id ID]: the counters back to zero; prints nothing. */
static int do_stats_reset(struct ctx *ctx)
{
	struct nl_msg *msg;
	int err = 0;

	msg = new_request(ctx, MCR_CMD_STATS_RESET, 0, 64);
	if (!msg)
		return MCR_EXIT_FAILED;
	if (ctx->req->id)
		err = nla_put_u32(msg, MCR_A_STATS_RULE_ID, ctx->req->id);
	if (err)
		return put_failed(ctx, msg, err);
	return transact(ctx, msg, NULL);
}

/* ---- stats --prometheus, stats -w ------------------------------------ */

static void sample_warning(const char *warning, void *arg)
{
	struct ctx *ctx = arg;

	report(ctx, "%s: warning: %s", ctx->req->what, warning);
}

/* One reading; the rules from a rule-get dump when @with_keys. */
static int read_sample(struct ctx *ctx, struct mcr_sample *s, bool with_keys)
{
	const struct mcr_sampler sampler = {
		.nl = &ctx->nl,
		.id = ctx->req->id,
		.iif = ctx->req->rule.iif,
		.with_keys = with_keys,
		.family = ctx->opts.family,
		.warn = sample_warning,
		.arg = ctx,
	};

	if (open_nl(ctx))
		return MCR_EXIT_FAILED;
	if (mcr_sample_read(&sampler, s)) {
		report(ctx, "%s: %s", ctx->req->what, ctx->nl.err);
		return MCR_EXIT_FAILED;
	}
	return MCR_EXIT_OK;
}

static int do_stats_prometheus(struct ctx *ctx)
{
	struct mcr_sample s;
	int ret;

	if (ctx->pr.json) {
		report(ctx, "%s", mcr_request_no_json(ctx->req));
		return MCR_EXIT_USAGE;
	}
	mcr_sample_init(&s);
	ret = read_sample(ctx, &s, true);
	if (ret == MCR_EXIT_OK)
		mcr_print_prometheus(&ctx->pr, &s);
	mcr_sample_free(&s);
	return ret;
}

static void watch_stamp(struct ctx *ctx, bool tty, char *buf, size_t len)
{
	time_t now = time(NULL);
	struct tm tm;

	localtime_r(&now, &tm);
	mcr_format_stamp(&tm, tty ? MCR_STAMP_CLOCK : ctx->pr.json ?
			 MCR_STAMP_RFC3339 : MCR_STAMP_LOG, buf, len);
}

/*
 * Refreshes a screen in place (ANSI home and clear) on a terminal; plain
 * lines, or one JSON object per reading, otherwise.  SIGINT and SIGTERM
 * end it with status 0.
 */
static int do_stats_watch(struct ctx *ctx)
{
	bool tty = !ctx->pr.json && isatty(STDOUT_FILENO);
	double interval = ctx->req->interval_ms / 1000.0;
	struct mcr_sample samples[2], *prev = NULL, *cur = &samples[0];
	struct mcr_stop stop;
	bool stopped = false;
	char stamp[64];
	int ret = MCR_EXIT_OK, err;

	/* A signal that arrives while a reading is taken waits, blocked,
	 * for the sleep that follows, which it ends at once. */
	err = mcr_stop_open(&stop);
	if (err) {
		report(ctx, "stats: cannot take SIGINT and SIGTERM: %s",
		       strerror(-err));
		return MCR_EXIT_FAILED;
	}
	mcr_sample_init(&samples[0]);
	mcr_sample_init(&samples[1]);
	while (!stopped) {
		mcr_sample_free(cur);
		ret = read_sample(ctx, cur, false);
		if (ret)
			break;
		watch_stamp(ctx, tty, stamp, sizeof(stamp));
		if (tty)
			fputs("\033[H\033[2J", stdout);
		mcr_print_rates(&ctx->pr, prev, cur, tty, interval, stamp);
		if (fflush(stdout) || ferror(stdout))
			break;	/* main() reports it */
		prev = cur;
		cur = cur == &samples[0] ? &samples[1] : &samples[0];
		err = mcr_stop_wait(&stop, -1, (int)ctx->req->interval_ms);
		if (err < 0) {
			report(ctx, "stats: poll: %s", strerror(-err));
			ret = MCR_EXIT_FAILED;
			break;
		}
		stopped = err == MCR_STOP_SIGNAL;
	}
	mcr_stop_close(&stop);
	mcr_sample_free(&samples[0]);
	mcr_sample_free(&samples[1]);
	return stopped ? MCR_EXIT_OK : ret;
}

/* ---- monitor --------------------------------------------------------- */

static int on_event(struct nlmsghdr *nlh, void *arg)
{
	struct ctx *ctx = arg;
	struct mcr_rule rule, removed, sent;
	struct timespec ts;
	int err, known = 0;
	uint8_t cmd;

	if (!nlh) {
		report(ctx, "monitor: warning: notifications were lost "
		       "(receive buffer overrun)");
		return 0;
	}
	mcr_rule_init(&rule);
	mcr_rule_init(&removed);
	mcr_rule_init(&sent);
	/* The time it arrived, not the time it was decoded. */
	clock_gettime(CLOCK_REALTIME, &ts);
	cmd = genlmsg_hdr(nlh)->cmd;
	err = mcr_msg_parse_rule(nlh, &rule);
	if (!err) {
		/* Every event is followed, to know the rules' outputs. */
		known = mcr_monitor_track(&ctx->mon, cmd, &rule, &removed);
		/* A module that names the outputs that left is believed
		 * over what was followed; an older one names none. */
		if (cmd == MCR_CMD_OUTPUT_DEL_NTF &&
		    mcr_msg_parse_removed(nlh, &sent) > 0) {
			mcr_rule_free(&removed);
			removed = sent;
			mcr_rule_init(&sent);
			known = 1;
		}
		if (known < 0)
			report(ctx, "monitor: warning: out of memory: "
			       "removed outputs may not be named");
		ctx->pr.stamp = ctx->req->timestamp ? &ts : NULL;
		if (mcr_monitor_wants(ctx->req->id, ctx->req->rule.iif, &rule))
			mcr_print_event(&ctx->pr, cmd, &rule,
					known > 0 ? &removed : NULL);
		ctx->pr.stamp = NULL;
	} else if (err != -NLE_AF_NOSUPPORT) {
		report(ctx, "monitor: warning: cannot decode a notification: "
		       "%s", nl_geterror(err));
	}
	mcr_rule_free(&sent);
	mcr_rule_free(&removed);
	mcr_rule_free(&rule);
	/* Each event reaches a pipe reader as it happens. */
	fflush(stdout);
	return 0;
}

static void emit_learn(const struct mcr_rule *rule, void *arg)
{
	struct ctx *ctx = arg;

	if (mcr_monitor_learn(&ctx->mon, rule))
		ctx->learn_failed = true;
}

/*
 * Once subscribed, the rules as they are, on a socket of their own: an
 * output-del notification carries the remaining outputs only, and the
 * removed one is told by what the rule had.  Without them, monitoring
 * goes on; such an event shows what remains.
 */
static void monitor_ready(void *arg)
{
	struct ctx *ctx = arg;
	struct nl_msg *msg;
	struct mcr_nl nl;
	int err = -1;

	if (mcr_nl_open(&nl))
		goto out;
	msg = mcr_nl_new_request(&nl, MCR_CMD_RULE_GET, NLM_F_DUMP, 64);
	if (msg)
		err = mcr_dump_rules(&nl, msg, emit_learn, ctx);
out:
	if (err || ctx->learn_failed)
		report(ctx, "monitor: warning: cannot read the rules (%s): "
		       "an output-del event will show the outputs that "
		       "remain, not the removed one",
		       ctx->learn_failed ? "out of memory" : nl.err);
	ctx->learn_failed = false;
	mcr_nl_close(&nl);
}

static int do_monitor(struct ctx *ctx)
{
	int ret = MCR_EXIT_OK;

	if (open_nl(ctx))
		return MCR_EXIT_FAILED;
	mcr_monitor_init(&ctx->mon);
	if (mcr_nl_monitor(&ctx->nl, on_event, monitor_ready, ctx)) {
		report(ctx, "monitor: %s", ctx->nl.err);
		ret = MCR_EXIT_FAILED;
	}
	mcr_monitor_free(&ctx->mon);
	return ret;
}

/* ---- dispatch -------------------------------------------------------- */

static int run_request(struct ctx *ctx, const struct mcr_request *req)
{
	ctx->req = req;
	ctx->pr.netns_printed = false;
	ctx->pr.table_started = false;
	switch (req->type) {
	case MCR_REQ_RULE_ADD:
		return do_rule_add(ctx, false);
	case MCR_REQ_RULE_REPLACE:
		return do_rule_add(ctx, true);
	case MCR_REQ_RULE_DEL:
		return do_rule_del(ctx);
	case MCR_REQ_RULE_SHOW:
		return do_rule_show(ctx);
	case MCR_REQ_RULE_FLUSH:
		return do_rule_flush(ctx);
	case MCR_REQ_RULE_SAVE:
		return do_rule_save(ctx);
	case MCR_REQ_STATS:
		if (req->prometheus)
			return do_stats_prometheus(ctx);
		if (req->watch)
			return do_stats_watch(ctx);
		return do_stats(ctx);
	case MCR_REQ_STATS_RESET:
		return do_stats_reset(ctx);
	case MCR_REQ_MONITOR:
		return do_monitor(ctx);
	case MCR_REQ_HELP:
		usage(stdout, req->help);
		return MCR_EXIT_OK;
	}
	return MCR_EXIT_USAGE;
}

/* Parses then runs one command: nothing is sent for a bad command line. */
static int run_words(struct ctx *ctx, int argc, char *const argv[])
{
	struct mcr_request req;
	int ret;

	if (mcr_parse_request(&ctx->parser, argc, argv, &req) ||
	    (ctx->opts.family &&
	     mcr_request_family_check(&ctx->parser, &req, ctx->opts.family))) {
		report(ctx, "%s", ctx->parser.err);
		ret = MCR_EXIT_USAGE;
	} else {
		ret = run_request(ctx, &req);
	}
	mcr_request_free(&req);
	return ret;
}

static int run_batch_words(int argc, char *const argv[], void *arg)
{
	return run_words(arg, argc, argv);
}

static void report_batch(const char *msg, void *arg)
{
	report(arg, "%s", msg);
}

/* Runs each line of @path; stops at the first failure, naming its line. */
static int run_batch(struct ctx *ctx, const char *path)
{
	int ret;

	ctx->batch = (struct mcr_batch){
		.force = ctx->opts.force,
		.run = run_batch_words,
		.report = report_batch,
		.arg = ctx,
	};
	ctx->parser.in_batch = true;
	ret = mcr_batch_run_path(&ctx->batch, path);
	ctx->parser.in_batch = false;
	return ret;
}

/*
 * -n NAME: join the namespace "ip netns add NAME" made, as ip -n does.
 * Returns an exit status.
 */
static int enter_netns(struct ctx *ctx, const char *name)
{
	char path[PATH_MAX];
	int fd;

	if (mcr_netns_path(&ctx->parser, name, path, sizeof(path))) {
		report(ctx, "%s", ctx->parser.err);
		return MCR_EXIT_USAGE;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		report(ctx, "cannot open network namespace \"%s\": %s", name,
		       strerror(errno));
		return MCR_EXIT_FAILED;
	}
	if (setns(fd, CLONE_NEWNET)) {
		report(ctx, "cannot enter network namespace \"%s\": %s", name,
		       strerror(errno));
		close(fd);
		return MCR_EXIT_FAILED;
	}
	close(fd);
	return MCR_EXIT_OK;
}

static int run(struct ctx *ctx, int argc, char *const argv[])
{
	int n;

	n = mcr_parse_options(&ctx->parser, argc, argv, &ctx->opts);
	if (n < 0) {
		report(ctx, "%s", ctx->parser.err);
		return MCR_EXIT_USAGE;
	}
	if (ctx->opts.version) {
		printf("mcr-nl %s\n", MCR_VERSION);
		return MCR_EXIT_OK;
	}
	if (ctx->opts.help) {
		usage(stdout, MCR_HELP_ALL);
		return MCR_EXIT_OK;
	}
	/* Before anything looks a device up or opens a socket. */
	if (ctx->opts.netns) {
		int ret = enter_netns(ctx, ctx->opts.netns);

		if (ret != MCR_EXIT_OK)
			return ret;
	}
	if (ctx->opts.json)
		ctx->pr.json = &ctx->json;
	/* Without -j, -p changes nothing, as with ip. */
	ctx->json.pretty = ctx->opts.pretty;
	/* JSON always carries the counters: scripts read them there. */
	ctx->pr.stats = ctx->opts.stats;
	if (ctx->opts.batch)
		return run_batch(ctx, ctx->opts.batch);
	if (n == argc) {
		usage(stderr, MCR_HELP_ALL);
		return MCR_EXIT_USAGE;
	}
	return run_words(ctx, argc - n, argv + n);
}

int main(int argc, char *argv[])
{
	struct ctx ctx = {
		.parser = { .ifindex = system_ifindex },
		.pr = { .out = stdout, .ifname = mcr_ifname_system },
	};
	int ret;

	json_init(&ctx.json, stdout);
	ret = run(&ctx, argc - 1, argv + 1);
	if (ctx.nl_open)
		mcr_nl_close(&ctx.nl);
	/* A full disk or a closed pipe must not pass for success. */
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "mcr-nl: cannot write the output: %s\n",
			strerror(errno));
		if (ret == MCR_EXIT_OK)
			ret = MCR_EXIT_FAILED;
	}
	return ret;
}
