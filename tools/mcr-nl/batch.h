/* SPDX-License-Identifier: GPL-2.0 */
/*
 * -batch FILE: runs one command a line, as ip -batch does.  The commands
 * themselves are run by a callback, so that the tests drive the runner
 * (line numbers, -force, exit statuses) without netlink.
 */
#ifndef MCR_NL_BATCH_H
#define MCR_NL_BATCH_H

#include <stdbool.h>
#include <stdio.h>

struct mcr_batch {
	bool force;		/* -force: go on after a failed line */
	/* Runs the words of one command; returns an exit status. */
	int (*run)(int argc, char *const argv[], void *arg);
	/* Reports a line the runner cannot run, or a file it cannot read. */
	void (*report)(const char *msg, void *arg);
	void *arg;
	/*
	 * The number of the first line of the command being run or
	 * reported, for messages to name it; 0 outside a command.
	 */
	unsigned int line;
};

/*
 * Runs the commands of @f, read as @name.  Stops at the first failure,
 * unless b->force; the status is the first failure's (MCR_EXIT_*).  A
 * file that cannot be read is MCR_EXIT_FAILED.
 */
int mcr_batch_run(struct mcr_batch *b, FILE *f, const char *name);

/* The same for the file at @path, or stdin for "-". */
int mcr_batch_run_path(struct mcr_batch *b, const char *path);

#endif /* MCR_NL_BATCH_H */
