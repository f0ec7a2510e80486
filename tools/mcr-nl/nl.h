/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The netlink side of mcr-nl: a generic netlink socket bound to the "mcr"
 * family, request/reply transactions that capture the kernel's extended
 * ack, and the monitor loop.
 */
#ifndef MCR_NL_NL_H
#define MCR_NL_NL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <netlink/msg.h>
#include <netlink/socket.h>

#include "parse.h"	/* MCR_ERR_LEN */

struct mcr_nl {
	struct nl_sock *sk;
	int family;			/* generic netlink id of "mcr" */
	char err[MCR_ERR_LEN];		/* why the last call failed */
	char warning[MCR_ERR_LEN];	/* kernel warning on success, or "" */
	int kernel_error;		/* -errno the kernel answered, or 0 */
};

/*
 * Looks up the "mcr" family's id into nl->family (done by
 * mcr_nl_open()).  Returns 0, or -1 with nl->err telling a missing
 * module, a missing permission and another failure apart.
 */
int mcr_nl_resolve(struct mcr_nl *nl);

/*
 * Whether a failed read of notifications (@err, a negative NLE_ code,
 * with @sys_errno the errno it left) means the kernel dropped some
 * (ENOBUFS) rather than that memory ran out (both are -NLE_NOMEM).
 */
bool mcr_nl_lost_notifications(int err, int sys_errno);

/*
 * Opens the socket and resolves the family.  Returns 0, or -1 with
 * nl->err set (e.g. "the mcr kernel module is not loaded ...").
 */
int mcr_nl_open(struct mcr_nl *nl);
void mcr_nl_close(struct mcr_nl *nl);

/*
 * A request for @cmd of the mcr family with room for @size bytes;
 * @flags is 0 or NLM_F_DUMP.  Returns NULL with nl->err set.
 */
struct nl_msg *mcr_nl_new_request(struct mcr_nl *nl, uint8_t cmd, int flags,
				  size_t size);

/*
 * Called for each reply (or notification) message.  Returns 0, or a
 * negative NLE_ code: the first one fails the transaction, which still
 * reads the remaining replies so that the socket stays in sync.
 */
typedef int (*mcr_nl_msg_fn)(struct nlmsghdr *nlh, void *arg);

/*
 * Sends @req (consumed) and reads the replies until the ack or the end of
 * the dump.  Returns 0, or -1 with nl->err set to "strerror: kernel
 * message" for a kernel error or to a description of a local failure.
 * nl->warning is set when the kernel acked with a warning.
 */
int mcr_nl_transact(struct mcr_nl *nl, struct nl_msg *req, mcr_nl_msg_fn fn,
		    void *arg);

/*
 * Subscribes to the "monitor" group and passes each notification to @fn
 * until SIGINT or SIGTERM (returns 0) or an error (returns -1, nl->err
 * set).  @fn gets a NULL message when notifications were lost because the
 * receive buffer overflowed.  @ready (may be NULL) is called once the
 * group is joined, before the first notification is read: what it reads
 * then cannot miss a change that follows.
 */
int mcr_nl_monitor(struct mcr_nl *nl, mcr_nl_msg_fn fn,
		   void (*ready)(void *arg), void *arg);

#endif /* MCR_NL_NL_H */
