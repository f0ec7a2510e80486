// SPDX-License-Identifier: GPL-2.0
/*
 * Tests of nl.c's request/reply logic against the fake kernel of
 * fake_kernel.c, and of stop.c.
 */
#include <errno.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>
#include <stdlib.h>

#include <linux/netlink.h>
#include <netlink/attr.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <linux/genetlink.h>
#include <netlink/handlers.h>
#include <netlink/msg.h>

#include "fake_kernel.h"
#include "harness.h"
#include "msg.h"
#include "nl.h"
#include "stop.h"

/* ---- reply handlers under test --------------------------------------- */

static uint32_t seen_ids[16];
static int n_seen;
static int fail_on_first;

static int collect_rule(struct nlmsghdr *nlh, void *arg)
{
	struct mcr_rule r;
	int err;

	(void)arg;
	if (fail_on_first && n_seen == 0) {
		n_seen++;
		return -NLE_INVAL;
	}
	mcr_rule_init(&r);
	err = mcr_msg_parse_rule(nlh, &r);
	if (!err && n_seen < 16)
		seen_ids[n_seen++] = r.id;
	mcr_rule_free(&r);
	return err;
}

static struct nl_msg *request(struct mcr_nl *nl, uint8_t cmd, int flags)
{
	return mcr_nl_new_request(nl, cmd, flags, 256);
}

/* ---- scripted kernels ------------------------------------------------ */

static void respond_id_then_ack(const struct nlmsghdr *req)
{
	struct nl_msg *m = reply(req, MCR_CMD_RULE_NEW, 0);

	nla_put_u32(m, MCR_A_RULE_ID, 7);
	/* The reply and the ack come as two datagrams, as from genetlink. */
	queue_dgram(&m, 1);
	m = ack(req, 0, NULL);
	queue_dgram(&m, 1);
}

static void respond_eexist(const struct nlmsghdr *req)
{
	struct nl_msg *m = ack(req, -EEXIST, "rule with this match key "
			       "exists (use \"rule replace\")");

	queue_dgram(&m, 1);
}

static void respond_enoent(const struct nlmsghdr *req)
{
	struct nl_msg *m = ack(req, -ENOENT, NULL);

	queue_dgram(&m, 1);
}

static void respond_warning(const struct nlmsghdr *req)
{
	struct nl_msg *m = ack(req, 0, "flags ignored");

	queue_dgram(&m, 1);
}

static void respond_dump(const struct nlmsghdr *req)
{
	struct nl_msg *m[3];

	m[0] = rule_reply(req, 1, NLM_F_MULTI);
	m[1] = rule_reply(req, 2, NLM_F_MULTI);
	m[2] = rule_reply(req, 3, NLM_F_MULTI);
	queue_dgram(m, 3);
	m[0] = rule_reply(req, 4, NLM_F_MULTI);
	m[1] = rule_reply(req, 5, NLM_F_MULTI);
	queue_dgram(m, 2);
	m[0] = done(req, 0, NULL);
	queue_dgram(m, 1);
}

static void respond_dump_error(const struct nlmsghdr *req)
{
	struct nl_msg *m[2];

	m[0] = rule_reply(req, 1, NLM_F_MULTI);
	m[1] = done(req, -EMSGSIZE, "rule too large for a dump message");
	queue_dgram(m, 2);
}

static void respond_dump_interrupted(const struct nlmsghdr *req)
{
	struct nl_msg *m[2];

	m[0] = rule_reply(req, 1, NLM_F_MULTI | NLM_F_DUMP_INTR);
	m[1] = done(req, 0, NULL);
	queue_dgram(m, 2);
}

/* ---- tests ----------------------------------------------------------- */

static void do_with_reply_and_ack(void)
{
	struct mcr_nl nl;
	struct nl_msg *req;
	struct genlmsghdr *g;
	uint32_t id = 0;
	int ret;

	kernel_reset(respond_id_then_ack);
	CHECK_INT(open_fake(&nl), 0);
	req = request(&nl, MCR_CMD_RULE_NEW, 0);
	CHECK(req);
	n_seen = 0;
	fail_on_first = 0;
	ret = mcr_nl_transact(&nl, req, collect_rule, &id);
	mcr_nl_close(&nl);
	CHECK_STR(nl.err, "");
	CHECK_INT(ret, 0);
	CHECK_INT(n_seen, 1);
	CHECK_INT(seen_ids[0], 7);
	CHECK(!kernel.recv_underrun);
	CHECK_INT(kernel.head, kernel.tail);
	/* What went out: a request asking for an ack, of our family. */
	CHECK_INT(kernel.last_req->nlmsg_type, FAKE_FAMILY);
	CHECK(kernel.last_req->nlmsg_flags & NLM_F_REQUEST);
	CHECK(kernel.last_req->nlmsg_flags & NLM_F_ACK);
	g = NLMSG_DATA(kernel.last_req);
	CHECK_INT(g->cmd, MCR_CMD_RULE_NEW);
	CHECK_INT(g->version, MCR_FAMILY_VERSION);
	kernel_reset(NULL);
}

static void kernel_error_with_extack(void)
{
	struct mcr_nl nl;
	int ret;

	kernel_reset(respond_eexist);
	CHECK_INT(open_fake(&nl), 0);
	ret = mcr_nl_transact(&nl, request(&nl, MCR_CMD_RULE_NEW, 0), NULL,
			      NULL);
	mcr_nl_close(&nl);
	CHECK_INT(ret, -1);
	CHECK_STR(nl.err, "File exists: rule with this match key exists (use "
		  "\"rule replace\")");
	CHECK(!kernel.recv_underrun);
	kernel_reset(NULL);
}

static void kernel_error_plain(void)
{
	struct mcr_nl nl;
	int ret;

	kernel_reset(respond_enoent);
	CHECK_INT(open_fake(&nl), 0);
	ret = mcr_nl_transact(&nl, request(&nl, MCR_CMD_RULE_DEL, 0), NULL,
			      NULL);
	mcr_nl_close(&nl);
	CHECK_INT(ret, -1);
	CHECK_STR(nl.err, "No such file or directory");
	kernel_reset(NULL);
}

static void success_with_warning(void)
{
	struct mcr_nl nl;
	int ret;

	kernel_reset(respond_warning);
	CHECK_INT(open_fake(&nl), 0);
	ret = mcr_nl_transact(&nl, request(&nl, MCR_CMD_RULE_FLUSH, 0), NULL,
			      NULL);
	mcr_nl_close(&nl);
	CHECK_INT(ret, 0);
	CHECK_STR(nl.warning, "flags ignored");
	kernel_reset(NULL);
}

static void dump_over_several_datagrams(void)
{
	struct mcr_nl nl;
	int ret;

	kernel_reset(respond_dump);
	CHECK_INT(open_fake(&nl), 0);
	n_seen = 0;
	fail_on_first = 0;
	ret = mcr_nl_transact(&nl, request(&nl, MCR_CMD_RULE_GET, NLM_F_DUMP),
			      collect_rule, NULL);
	mcr_nl_close(&nl);
	CHECK_STR(nl.err, "");
	CHECK_INT(ret, 0);
	CHECK_INT(n_seen, 5);
	CHECK_INT(seen_ids[0], 1);
	CHECK_INT(seen_ids[4], 5);
	CHECK(kernel.last_req->nlmsg_flags & NLM_F_DUMP);
	CHECK(!kernel.recv_underrun);
	kernel_reset(NULL);
}

static void dump_error_in_done(void)
{
	struct mcr_nl nl;
	int ret;

	kernel_reset(respond_dump_error);
	CHECK_INT(open_fake(&nl), 0);
	n_seen = 0;
	fail_on_first = 0;
	ret = mcr_nl_transact(&nl, request(&nl, MCR_CMD_RULE_GET, NLM_F_DUMP),
			      collect_rule, NULL);
	mcr_nl_close(&nl);
	CHECK_INT(ret, -1);
	CHECK_INT(n_seen, 1);
	CHECK_STR(nl.err, "Message too long: rule too large for a dump "
		  "message");
	kernel_reset(NULL);
}

static void dump_interrupted(void)
{
	struct mcr_nl nl;
	int ret;

	kernel_reset(respond_dump_interrupted);
	CHECK_INT(open_fake(&nl), 0);
	n_seen = 0;
	fail_on_first = 0;
	ret = mcr_nl_transact(&nl, request(&nl, MCR_CMD_RULE_GET, NLM_F_DUMP),
			      collect_rule, NULL);
	mcr_nl_close(&nl);
	CHECK_INT(ret, -1);
	CHECK_STR(nl.err, "the rules changed during the dump, try again");
	kernel_reset(NULL);
}

/* A bad reply fails the request, but the dump is still drained. */
static void bad_reply_drains_dump(void)
{
	struct mcr_nl nl;
	int ret;

	kernel_reset(respond_dump);
	CHECK_INT(open_fake(&nl), 0);
	n_seen = 0;
	fail_on_first = 1;
	ret = mcr_nl_transact(&nl, request(&nl, MCR_CMD_RULE_GET, NLM_F_DUMP),
			      collect_rule, NULL);
	fail_on_first = 0;
	mcr_nl_close(&nl);
	CHECK_INT(ret, -1);
	CHECK_INT(n_seen, 1);
	CHECK(!strncmp(nl.err, "cannot decode the kernel's reply: ", 34));
	CHECK_INT(kernel.head, kernel.tail);
	CHECK(!kernel.recv_underrun);
	kernel_reset(NULL);
}

/* Sequence numbers stay in step over requests on one socket (batch). */
static void requests_in_a_row(void)
{
	struct mcr_nl nl;
	int i, ret;

	CHECK_INT(open_fake(&nl), 0);
	for (i = 0; i < 3; i++) {
		kernel_reset(respond_id_then_ack);
		n_seen = 0;
		ret = mcr_nl_transact(&nl, request(&nl, MCR_CMD_RULE_NEW, 0),
				      collect_rule, NULL);
		if (ret)
			break;
		kernel_reset(respond_dump);
		n_seen = 0;
		ret = mcr_nl_transact(&nl, request(&nl, MCR_CMD_RULE_GET,
						   NLM_F_DUMP),
				      collect_rule, NULL);
		if (ret)
			break;
		kernel_reset(respond_eexist);
		ret = mcr_nl_transact(&nl, request(&nl, MCR_CMD_RULE_NEW, 0),
				      NULL, NULL);
		if (ret != -1)
			break;
		ret = 0;
	}
	mcr_nl_close(&nl);
	kernel_reset(NULL);
	CHECK_STR(nl.err, "File exists: rule with this match key exists (use "
		  "\"rule replace\")");
	CHECK_INT(ret, 0);
	CHECK_INT(i, 3);
}

/* ---- family lookup --------------------------------------------------- */

static int family_error;

static void respond_family(const struct nlmsghdr *req)
{
	const struct genlmsghdr *g = nlmsg_data(req);
	struct nl_msg *m;

	if (req->nlmsg_type != GENL_ID_CTRL || g->cmd != CTRL_CMD_GETFAMILY) {
		m = ack(req, -EINVAL, "not a family lookup");
		queue_dgram(&m, 1);
		return;
	}
	if (family_error) {
		m = ack(req, family_error, NULL);
		queue_dgram(&m, 1);
		return;
	}
	m = nlmsg_alloc();
	genlmsg_put(m, 0, req->nlmsg_seq, GENL_ID_CTRL, 0, 0,
		    CTRL_CMD_NEWFAMILY, 2);
	nla_put_string(m, CTRL_ATTR_FAMILY_NAME, MCR_FAMILY_NAME);
	nla_put_u16(m, CTRL_ATTR_FAMILY_ID, 0x2a);
	queue_dgram(&m, 1);
	m = ack(req, 0, NULL);
	queue_dgram(&m, 1);
}

/* Each reason a lookup fails gets its own message, not "not loaded". */
static void family_lookup(void)
{
	static const struct {
		int error;
		const char *msg;
	} cases[] = {
		{ -ENOENT, "the mcr kernel module is not loaded and could not "
		  "be loaded (try: modprobe mcr)" },
		{ -EPERM, "no permission to look up the mcr generic netlink "
		  "family: Operation not permitted" },
		{ -EACCES, "no permission to look up the mcr generic netlink "
		  "family: Permission denied" },
		{ -ENOMEM, "cannot look up the mcr generic netlink family: "
		  "Cannot allocate memory" },
	};
	struct mcr_nl nl;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		kernel_reset(respond_family);
		family_error = cases[i].error;
		CHECK_INT(open_fake(&nl), 0);
		CHECK_INT(mcr_nl_resolve(&nl), -1);
		mcr_nl_close(&nl);
		CHECK_STR(nl.err, cases[i].msg);
	}
	kernel_reset(respond_family);
	family_error = 0;
	CHECK_INT(open_fake(&nl), 0);
	CHECK_INT(mcr_nl_resolve(&nl), 0);
	mcr_nl_close(&nl);
	CHECK_INT(nl.family, 0x2a);
	CHECK(!kernel.recv_underrun);
	kernel_reset(NULL);
}

static void lost_or_out_of_memory(void)
{
	CHECK(mcr_nl_lost_notifications(-NLE_NOMEM, ENOBUFS));
	CHECK(!mcr_nl_lost_notifications(-NLE_NOMEM, ENOMEM));
	CHECK(!mcr_nl_lost_notifications(-NLE_NOMEM, 0));
	CHECK(!mcr_nl_lost_notifications(-NLE_INVAL, ENOBUFS));
}

/* ---- stop signals ---------------------------------------------------- */

static double elapsed(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) +
	       (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

/*
 * A signal that arrives before the wait (while "stats -w" takes a
 * reading) ends the wait at once instead of after the interval.
 */
static void stop_signal_before_wait(void)
{
	struct mcr_stop stop;
	struct timespec t0;
	int ret;

	CHECK_INT(mcr_stop_open(&stop), 0);
	raise(SIGTERM);		/* blocked: pending until read */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ret = mcr_stop_wait(&stop, -1, 20000);
	mcr_stop_close(&stop);
	CHECK_INT(ret, MCR_STOP_SIGNAL);
	CHECK(elapsed(&t0) < 1.0);

	CHECK_INT(mcr_stop_open(&stop), 0);
	raise(SIGINT);
	ret = mcr_stop_wait(&stop, -1, -1);
	mcr_stop_close(&stop);
	CHECK_INT(ret, MCR_STOP_SIGNAL);
}

static void stop_timeout_and_fd(void)
{
	struct mcr_stop stop;
	struct timespec t0;
	int fds[2], ret;
	double dt;

	CHECK_INT(pipe(fds), 0);
	CHECK_INT(mcr_stop_open(&stop), 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ret = mcr_stop_wait(&stop, fds[0], 50);
	dt = elapsed(&t0);
	if (write(fds[1], "x", 1) != 1)
		ret = -1;
	CHECK_INT(mcr_stop_wait(&stop, fds[0], 5000), MCR_STOP_READY);
	mcr_stop_close(&stop);
	close(fds[0]);
	close(fds[1]);
	CHECK_INT(ret, MCR_STOP_TIMEOUT);
	CHECK(dt >= 0.045 && dt < 2.0);
}

const struct test_case nl_tests[] = {
	TEST(do_with_reply_and_ack),
	TEST(kernel_error_with_extack),
	TEST(kernel_error_plain),
	TEST(success_with_warning),
	TEST(dump_over_several_datagrams),
	TEST(dump_error_in_done),
	TEST(dump_interrupted),
	TEST(bad_reply_drains_dump),
	TEST(requests_in_a_row),
	TEST(family_lookup),
	TEST(lost_or_out_of_memory),
	TEST(stop_signal_before_wait),
	TEST(stop_timeout_and_fd),
	TEST_END
};
