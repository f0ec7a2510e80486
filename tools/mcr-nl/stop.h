/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one way "monitor" and "stats -w" end: SIGINT and SIGTERM are
 * blocked and read from a signalfd polled next to whatever the command
 * waits for, so that a signal is never lost between a test and a sleep.
 */
#ifndef MCR_NL_STOP_H
#define MCR_NL_STOP_H

#include <signal.h>

struct mcr_stop {
	int fd;			/* signalfd of SIGINT and SIGTERM */
	sigset_t saved;		/* signal mask to restore */
};

/* Blocks the signals and opens the signalfd; returns 0 or -errno. */
int mcr_stop_open(struct mcr_stop *s);
/* Closes it and restores the mask (a signal taken stays consumed). */
void mcr_stop_close(struct mcr_stop *s);

enum {
	MCR_STOP_TIMEOUT = 0,	/* @ms went by */
	MCR_STOP_READY = 1,	/* @fd is readable */
	MCR_STOP_SIGNAL = 2,	/* SIGINT or SIGTERM arrived (consumed) */
};

/*
 * Waits up to @ms milliseconds (-1: no limit) for @fd (-1: none) to be
 * readable or for a stop signal, one that arrived before the call
 * included.  Returns MCR_STOP_*, or -errno.
 */
int mcr_stop_wait(struct mcr_stop *s, int fd, int ms);

#endif /* MCR_NL_STOP_H */
