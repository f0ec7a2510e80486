// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <poll.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "stop.h"

static void stop_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
}

int mcr_stop_open(struct mcr_stop *s)
{
	sigset_t set;
	int err;

	stop_signals(&set);
	if (sigprocmask(SIG_BLOCK, &set, &s->saved))
		return -errno;
	s->fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (s->fd < 0) {
		err = -errno;
		sigprocmask(SIG_SETMASK, &s->saved, NULL);
		return err;
	}
	return 0;
}

void mcr_stop_close(struct mcr_stop *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	sigprocmask(SIG_SETMASK, &s->saved, NULL);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int mcr_stop_wait(struct mcr_stop *s, int fd, int ms)
{
	struct pollfd fds[2] = {
		{ .fd = s->fd, .events = POLLIN },
		{ .fd = fd, .events = POLLIN },
	};
	long long end = ms < 0 ? 0 : now_ms() + ms;
	int left = ms;

	for (;;) {
		int n = poll(fds, fd >= 0 ? 2 : 1, left);

		if (n < 0 && errno != EINTR)
			return -errno;
		if (n > 0 && fds[0].revents) {
			struct signalfd_siginfo info;

			/* Consumed: it must not be delivered once the mask
			 * is restored. */
			if (read(s->fd, &info, sizeof(info)) < 0 &&
			    errno != EAGAIN)
				return -errno;
			return MCR_STOP_SIGNAL;
		}
		if (n > 0 && fds[1].revents)
			return MCR_STOP_READY;
		if (ms < 0)
			continue;
		/* Another signal (SIGSTOP/SIGCONT) cut it short: the rest. */
		left = (int)(end - now_ms());
		if (left <= 0)
			return MCR_STOP_TIMEOUT;
	}
}
