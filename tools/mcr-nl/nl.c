// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include <linux/mcr.h>

#include "msg.h"
#include "nl.h"
#include "stop.h"

/*
 * Socket buffers: a rule with a thousand outputs and their counters makes
 * a reply of over 100 KB, and the monitor must survive bursts.  The
 * kernel caps these at net.core.[rw]mem_max unless we may force them.
 */
#define MCR_SOCK_BUF (4 << 20)

static int __attribute__((format(printf, 2, 3)))
nl_fail(struct mcr_nl *nl, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(nl->err, sizeof(nl->err), fmt, ap);
	va_end(ap);
	return -1;
}

static int set_buffers(struct mcr_nl *nl)
{
	int fd = nl_socket_get_fd(nl->sk);
	int size = MCR_SOCK_BUF;
	int err;

	/* Forcing needs CAP_NET_ADMIN; otherwise take what the limits
	 * allow: a smaller buffer only limits the largest rules. */
	if (!setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) &&
	    !setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof(size)))
		return 0;
	err = nl_socket_set_buffer_size(nl->sk, size, size);
	if (err < 0)
		return nl_fail(nl, "cannot size the socket buffers: %s",
			       nl_geterror(err));
	return 0;
}

static int set_ack_options(struct mcr_nl *nl)
{
	int fd = nl_socket_get_fd(nl->sk);
	int one = 1;

	/*
	 * Extended acks carry the kernel's error message.  Capped acks keep
	 * a failed request of many outputs from being echoed back in full.
	 * Kernels without these options still work, with terser errors.
	 */
	if (setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one)) &&
	    errno != ENOPROTOOPT)
		return nl_fail(nl, "cannot enable extended acks: %s",
			       strerror(errno));
	if (setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one)) &&
	    errno != ENOPROTOOPT)
		return nl_fail(nl, "cannot enable capped acks: %s",
			       strerror(errno));
	return 0;
}

int mcr_nl_open(struct mcr_nl *nl)
{
	int err;

	memset(nl, 0, sizeof(*nl));
	nl->sk = nl_socket_alloc();
	if (!nl->sk)
		return nl_fail(nl, "cannot allocate a netlink socket: %s",
			       strerror(ENOMEM));
	err = genl_connect(nl->sk);
	if (err < 0) {
		nl_fail(nl, "cannot open a generic netlink socket: %s",
			nl_geterror(err));
		goto fail;
	}
	/* libnl has no nl_socket_set_ext_ack() in 3.7: do it by hand. */
	if (set_buffers(nl) || set_ack_options(nl))
		goto fail;
	/* Peek at each message's size so that no reply is truncated. */
	nl_socket_enable_msg_peek(nl->sk);

	if (mcr_nl_resolve(nl))
		goto fail;
	return 0;

fail:
	nl_socket_free(nl->sk);
	nl->sk = NULL;
	return -1;
}

static int on_family(struct nlmsghdr *nlh, void *arg)
{
	static struct nla_policy policy[CTRL_ATTR_MAX + 1] = {
		[CTRL_ATTR_FAMILY_ID] = { .type = NLA_U16 },
	};
	struct nlattr *tb[CTRL_ATTR_MAX + 1];
	int *id = arg;
	int err;

	err = genlmsg_parse(nlh, 0, tb, CTRL_ATTR_MAX, policy);
	if (err)
		return err;
	if (!tb[CTRL_ATTR_FAMILY_ID])
		return -NLE_MISSING_ATTR;
	*id = nla_get_u16(tb[CTRL_ATTR_FAMILY_ID]);
	return 0;
}

/*
 * genl_ctrl_resolve() reports every failure as "object not found": ask
 * the controller ourselves, to tell the reason.  Asking loads the module
 * when it can be (the kernel's request_module()).
 */
int mcr_nl_resolve(struct mcr_nl *nl)
{
	char why[MCR_ERR_LEN];
	struct nl_msg *msg;
	int id = -1, err;

	msg = nlmsg_alloc_size(128);
	if (!msg)
		return nl_fail(nl, "cannot allocate a message: %s",
			       strerror(ENOMEM));
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, GENL_ID_CTRL, 0, 0,
			 CTRL_CMD_GETFAMILY, 1) ||
	    nla_put_string(msg, CTRL_ATTR_FAMILY_NAME, MCR_FAMILY_NAME) < 0) {
		nlmsg_free(msg);
		return nl_fail(nl, "cannot build the family lookup");
	}
	if (mcr_nl_transact(nl, msg, on_family, &id)) {
		err = nl->kernel_error;
		if (err == -ENOENT)
			return nl_fail(nl, "the mcr kernel module is not "
				       "loaded and could not be loaded (try: "
				       "modprobe mcr)");
		if (err == -EPERM || err == -EACCES)
			return nl_fail(nl, "no permission to look up the mcr "
				       "generic netlink family: %s",
				       strerror(-err));
		snprintf(why, sizeof(why), "%s", nl->err);
		return nl_fail(nl, "cannot look up the mcr generic netlink "
			       "family: %.400s", why);
	}
	if (id < 0)
		return nl_fail(nl, "cannot look up the mcr generic netlink "
			       "family: no id in the reply");
	nl->family = id;
	return 0;
}

bool mcr_nl_lost_notifications(int err, int sys_errno)
{
	return err == -NLE_NOMEM && sys_errno == ENOBUFS;
}

void mcr_nl_close(struct mcr_nl *nl)
{
	if (nl->sk)
		nl_socket_free(nl->sk);
	nl->sk = NULL;
}

struct nl_msg *mcr_nl_new_request(struct mcr_nl *nl, uint8_t cmd, int flags,
				  size_t size)
{
	struct nl_msg *msg;

	msg = nlmsg_alloc_size(size);
	if (!msg) {
		nl_fail(nl, "cannot allocate a message: %s", strerror(ENOMEM));
		return NULL;
	}
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, nl->family, 0, flags,
			 cmd, MCR_FAMILY_VERSION)) {
		nlmsg_free(msg);
		nl_fail(nl, "cannot build the request header");
		return NULL;
	}
	return msg;
}

/* State of one request/reply exchange, shared by the callbacks. */
struct transaction {
	struct mcr_nl *nl;
	struct nlmsghdr *req;
	mcr_nl_msg_fn fn;
	void *arg;
	bool done;		/* ack, error or end of dump seen */
	bool kernel_failed;
	struct mcr_ack ack;	/* kernel error or warning */
	int reply_err;		/* first failure of fn */
};

static int on_valid(struct nl_msg *msg, void *arg)
{
	struct transaction *t = arg;
	int err;

	/* A failed reply does not stop the reading: the rest of the dump
	 * must still be drained from the socket. */
	if (!t->fn || t->reply_err)
		return NL_OK;
	err = t->fn(nlmsg_hdr(msg), t->arg);
	if (err < 0)
		t->reply_err = err;
	return NL_OK;
}

static void record_ack(struct transaction *t, const struct mcr_ack *ack)
{
	t->done = true;
	t->ack = *ack;
	if (ack->error < 0)
		t->kernel_failed = true;
}

static int on_ack(struct nl_msg *msg, void *arg)
{
	struct transaction *t = arg;
	struct mcr_ack ack;

	if (mcr_msg_parse_ack(nlmsg_hdr(msg), &ack))
		memset(&ack, 0, sizeof(ack));
	record_ack(t, &ack);
	return NL_STOP;
}

/* End of a dump: its payload is the dump's error code, plus TLVs. */
static int on_finish(struct nl_msg *msg, void *arg)
{
	struct transaction *t = arg;
	struct mcr_ack ack;

	if (mcr_msg_parse_done(nlmsg_hdr(msg), &ack))
		memset(&ack, 0, sizeof(ack));
	record_ack(t, &ack);
	return NL_STOP;
}

static int on_error(struct sockaddr_nl *who, struct nlmsgerr *e, void *arg)
{
	/* libnl hands over the payload; its header sits right before it,
	 * and the TLVs of the extended ack follow the nlmsgerr. */
	const struct nlmsghdr *nlh = (const void *)((char *)e - NLMSG_HDRLEN);
	struct transaction *t = arg;
	struct mcr_ack ack;

	(void)who;
	if (mcr_msg_parse_ack(nlh, &ack)) {
		memset(&ack, 0, sizeof(ack));
		ack.error = e->error;
	}
	record_ack(t, &ack);
	return NL_STOP;
}

/* Callbacks cloned from the socket's, so that NLCB=debug still works. */
static struct nl_cb *transaction_cb(struct mcr_nl *nl, struct transaction *t)
{
	struct nl_cb *orig, *cb;

	orig = nl_socket_get_cb(nl->sk);
	if (!orig)
		return NULL;
	cb = nl_cb_clone(orig);
	nl_cb_put(orig);
	if (!cb)
		return NULL;
	if (nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_valid, t) ||
	    nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_ack, t) ||
	    nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, on_finish, t) ||
	    nl_cb_err(cb, NL_CB_CUSTOM, on_error, t)) {
		nl_cb_put(cb);
		return NULL;
	}
	return cb;
}

static int receive_replies(struct mcr_nl *nl, struct nl_cb *cb,
			   struct transaction *t)
{
	int err;

	while (!t->done) {
		/* Unlike nl_recvmsgs(), tells how many messages were read:
		 * none means an empty read, which must not spin. */
		err = nl_recvmsgs_report(nl->sk, cb);
		if (err == -NLE_DUMP_INTR)
			return nl_fail(nl, "the rules changed during the "
				       "dump, try again");
		if (t->done)
			break;
		if (err < 0)
			return nl_fail(nl, "cannot read the reply: %s",
				       nl_geterror(err));
		if (err == 0)
			return nl_fail(nl, "cannot read the reply: no "
				       "message received");
	}
	if (t->kernel_failed) {
		nl->kernel_error = t->ack.error;
		mcr_ack_format(&t->ack, t->req, nl->err, sizeof(nl->err));
		return -1;
	}
	if (t->ack.msg[0])
		snprintf(nl->warning, sizeof(nl->warning), "%s", t->ack.msg);
	if (t->reply_err)
		return nl_fail(nl, "cannot decode the kernel's reply: %s",
			       nl_geterror(t->reply_err));
	return 0;
}

int mcr_nl_transact(struct mcr_nl *nl, struct nl_msg *req, mcr_nl_msg_fn fn,
		    void *arg)
{
	struct transaction t = {
		.nl = nl, .req = nlmsg_hdr(req), .fn = fn, .arg = arg,
	};
	struct nl_cb *cb;
	int err, ret = -1;

	nl->err[0] = '\0';
	nl->warning[0] = '\0';
	nl->kernel_error = 0;
	cb = transaction_cb(nl, &t);
	if (!cb) {
		nl_fail(nl, "cannot set up netlink callbacks");
		goto out;
	}
	err = nl_send_auto(nl->sk, req);
	if (err < 0) {
		nl_fail(nl, "cannot send the request: %s", nl_geterror(err));
		goto out;
	}
	ret = receive_replies(nl, cb, &t);
out:
	if (cb)
		nl_cb_put(cb);
	nlmsg_free(req);
	return ret;
}

/* ---- monitor --------------------------------------------------------- */

struct monitor {
	struct mcr_nl *nl;
	mcr_nl_msg_fn fn;
	void *arg;
};

static int on_notification(struct nl_msg *msg, void *arg)
{
	struct monitor *m = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);

	if (nlh->nlmsg_type != m->nl->family)
		return NL_SKIP;
	/* An undecodable notification is skipped, not fatal: the next
	 * ones may be fine. */
	m->fn(nlh, m->arg);
	return NL_OK;
}

static int monitor_cb(struct mcr_nl *nl, struct monitor *m, struct nl_cb **cbp)
{
	struct nl_cb *orig, *cb;

	orig = nl_socket_get_cb(nl->sk);
	if (!orig)
		return -NLE_NOMEM;
	cb = nl_cb_clone(orig);
	nl_cb_put(orig);
	if (!cb)
		return -NLE_NOMEM;
	if (nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_notification, m)) {
		nl_cb_put(cb);
		return -NLE_NOMEM;
	}
	*cbp = cb;
	return 0;
}

static int monitor_loop(struct mcr_nl *nl, struct nl_cb *cb,
			struct monitor *m, struct mcr_stop *stop)
{
	int err;

	for (;;) {
		err = mcr_stop_wait(stop, nl_socket_get_fd(nl->sk), -1);
		if (err < 0)
			return nl_fail(nl, "poll: %s", strerror(-err));
		if (err == MCR_STOP_SIGNAL)
			return 0;
		errno = 0;
		err = nl_recvmsgs(nl->sk, cb);
		/* ENOBUFS: the kernel dropped notifications for us.  libnl
		 * maps it to -NLE_NOMEM, as it does ENOMEM: errno tells. */
		if (mcr_nl_lost_notifications(err, errno)) {
			m->fn(NULL, m->arg);
			continue;
		}
		if (err < 0)
			return nl_fail(nl, "cannot read notifications: %s",
				       nl_geterror(err));
	}
}

int mcr_nl_monitor(struct mcr_nl *nl, mcr_nl_msg_fn fn,
		   void (*ready)(void *arg), void *arg)
{
	struct monitor m = { .nl = nl, .fn = fn, .arg = arg };
	struct mcr_stop stop;
	struct nl_cb *cb = NULL;
	int group, err, ret;

	group = genl_ctrl_resolve_grp(nl->sk, MCR_FAMILY_NAME,
				      MCR_MCGRP_MONITOR);
	if (group < 0)
		return nl_fail(nl, "cannot find the \"%s\" multicast group: "
			       "%s", MCR_MCGRP_MONITOR, nl_geterror(group));
	/* Notifications carry sequence number 0, not ours. */
	nl_socket_disable_seq_check(nl->sk);
	err = nl_socket_add_membership(nl->sk, group);
	if (err < 0)
		return nl_fail(nl, "cannot join the \"%s\" group: %s",
			       MCR_MCGRP_MONITOR, nl_geterror(err));
	err = monitor_cb(nl, &m, &cb);
	if (err < 0)
		return nl_fail(nl, "cannot set up netlink callbacks: %s",
			       nl_geterror(err));

	/*
	 * libnl retries recvmsg() on EINTR, so a signal handler could not
	 * interrupt a blocked read: take the signals through a signalfd
	 * polled next to the socket instead.
	 */
	err = mcr_stop_open(&stop);
	if (err) {
		ret = nl_fail(nl, "cannot take SIGINT and SIGTERM: %s",
			      strerror(-err));
	} else {
		if (ready)
			ready(arg);
		ret = monitor_loop(nl, cb, &m, &stop);
		mcr_stop_close(&stop);
	}
	nl_cb_put(cb);
	return ret;
}
