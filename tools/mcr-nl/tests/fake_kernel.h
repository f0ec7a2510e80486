/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A fake kernel for the tests of nl.c and of what runs on it: libnl lets
 * a socket's send and receive be overridden, so replies, acks, dumps and
 * errors can be scripted without the module.
 */
#ifndef MCR_NL_TEST_FAKE_KERNEL_H
#define MCR_NL_TEST_FAKE_KERNEL_H

#include <stdbool.h>
#include <stdint.h>

#include <netlink/msg.h>

#include "nl.h"

#define FAKE_FAMILY 0x1d
#define MAX_DGRAMS 16

/* Datagrams the fake kernel queued, and what it was sent. */
struct fake_kernel {
	void (*respond)(const struct nlmsghdr *req);
	unsigned char *dgram[MAX_DGRAMS];
	size_t dgram_len[MAX_DGRAMS];
	int head, tail;
	unsigned int requests;
	struct nlmsghdr *last_req;
	bool recv_underrun;	/* a read found nothing queued */
};

extern struct fake_kernel kernel;

/* Forgets what was queued and sent; @respond answers the next requests. */
void kernel_reset(void (*respond)(const struct nlmsghdr *req));
/* Queues the messages (consumed) as one datagram. */
void queue_dgram(struct nl_msg **msgs, int n);
/* A socket of the mcr family that talks to the fake kernel. */
int open_fake(struct mcr_nl *nl);

/* Messages the fake kernel answers with. */
struct nl_msg *reply(const struct nlmsghdr *req, uint8_t cmd, int flags);
/* Rule @id: iif 2, group 239.1.1.1, one output on device 3. */
struct nl_msg *rule_reply(const struct nlmsghdr *req, uint32_t id,
			  int flags);
struct nl_msg *ack(const struct nlmsghdr *req, int error, const char *text);
struct nl_msg *done(const struct nlmsghdr *req, int error, const char *text);

#endif /* MCR_NL_TEST_FAKE_KERNEL_H */
