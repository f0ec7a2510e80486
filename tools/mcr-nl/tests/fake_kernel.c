// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <string.h>

#include <linux/netlink.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/handlers.h>

#include "fake_kernel.h"

struct fake_kernel kernel;

void kernel_reset(void (*respond)(const struct nlmsghdr *req))
{
	while (kernel.head < kernel.tail)
		free(kernel.dgram[kernel.head++]);
	free(kernel.last_req);
	memset(&kernel, 0, sizeof(kernel));
	kernel.respond = respond;
}

void queue_dgram(struct nl_msg **msgs, int n)
{
	size_t len = 0, off = 0;
	unsigned char *buf;
	int i;

	for (i = 0; i < n; i++)
		len += NLMSG_ALIGN(nlmsg_hdr(msgs[i])->nlmsg_len);
	buf = calloc(1, len);
	for (i = 0; i < n; i++) {
		memcpy(buf + off, nlmsg_hdr(msgs[i]),
		       nlmsg_hdr(msgs[i])->nlmsg_len);
		off += NLMSG_ALIGN(nlmsg_hdr(msgs[i])->nlmsg_len);
		nlmsg_free(msgs[i]);
	}
	kernel.dgram[kernel.tail] = buf;
	kernel.dgram_len[kernel.tail++] = len;
}

static int fake_send(struct nl_sock *sk, struct nl_msg *msg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);

	(void)sk;
	kernel.requests++;
	free(kernel.last_req);
	kernel.last_req = malloc(nlh->nlmsg_len);
	memcpy(kernel.last_req, nlh, nlh->nlmsg_len);
	kernel.respond(nlh);
	return (int)nlh->nlmsg_len;
}

static int fake_recv(struct nl_sock *sk, struct sockaddr_nl *nla,
		     unsigned char **buf, struct ucred **creds)
{
	(void)sk;
	(void)creds;
	if (kernel.head == kernel.tail) {
		/* The code under test would block forever here. */
		kernel.recv_underrun = true;
		return -NLE_AGAIN;
	}
	memset(nla, 0, sizeof(*nla));
	nla->nl_family = AF_NETLINK;
	*buf = kernel.dgram[kernel.head];
	return (int)kernel.dgram_len[kernel.head++];
}

int open_fake(struct mcr_nl *nl)
{
	struct nl_cb *cb;

	memset(nl, 0, sizeof(*nl));
	nl->sk = nl_socket_alloc();
	if (!nl->sk)
		return -1;
	nl->family = FAKE_FAMILY;
	cb = nl_socket_get_cb(nl->sk);
	nl_cb_overwrite_send(cb, fake_send);
	nl_cb_overwrite_recv(cb, fake_recv);
	nl_cb_put(cb);
	return 0;
}

/* ---- replies --------------------------------------------------------- */

struct nl_msg *reply(const struct nlmsghdr *req, uint8_t cmd, int flags)
{
	struct nl_msg *m = nlmsg_alloc();

	genlmsg_put(m, 0, req->nlmsg_seq, FAKE_FAMILY, 0, flags, cmd,
		    MCR_FAMILY_VERSION);
	return m;
}

struct nl_msg *rule_reply(const struct nlmsghdr *req, uint32_t id,
			  int flags)
{
	struct nl_msg *m = reply(req, MCR_CMD_RULE_GET, flags);
	struct nlattr *out;

	nla_put_u32(m, MCR_A_RULE_ID, id);
	nla_put_u32(m, MCR_A_RULE_IIF, 2);
	nla_put_u32(m, MCR_A_RULE_GROUP, htonl(0xef010101));
	out = nla_nest_start(m, MCR_A_RULE_OUTPUT);
	nla_put_u32(m, MCR_A_OUTPUT_IFINDEX, 3);
	nla_nest_end(m, out);
	return m;
}

struct nl_msg *ack(const struct nlmsghdr *req, int error, const char *text)
{
	struct nl_msg *m = nlmsg_alloc();
	struct nlmsghdr *hdr;
	struct nlmsgerr *e;
	int flags = NLM_F_CAPPED | (text ? NLM_F_ACK_TLVS : 0);

	hdr = nlmsg_put(m, 0, req->nlmsg_seq, NLMSG_ERROR, sizeof(*e), flags);
	e = nlmsg_data(hdr);
	e->error = error;
	e->msg = *req;
	if (text)
		nla_put_string(m, NLMSGERR_ATTR_MSG, text);
	return m;
}

struct nl_msg *done(const struct nlmsghdr *req, int error, const char *text)
{
	struct nl_msg *m = nlmsg_alloc();
	struct nlmsghdr *hdr;
	int flags = NLM_F_MULTI | (text ? NLM_F_ACK_TLVS : 0);

	hdr = nlmsg_put(m, 0, req->nlmsg_seq, NLMSG_DONE, sizeof(error), flags);
	memcpy(nlmsg_data(hdr), &error, sizeof(error));
	if (text)
		nla_put_string(m, NLMSGERR_ATTR_MSG, text);
	return m;
}

