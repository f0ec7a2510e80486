// SPDX-License-Identifier: GPL-2.0
/*
 * insn-mark: run in the guest, makes bench/insn-count.so (the QEMU plugin)
 * append every vCPU's instruction count to its file. Does nothing
 * without the plugin.
 *
 *   insn-mark                 one marker
 *   insn-mark FILE TEXT       a marker, TEXT and a newline written to FILE
 *                             in one write, as echo does (e.g. "start" to
 *                             pktgen's pgctrl, which returns when pktgen is
 *                             done), another marker
 *
 * The second form keeps any process start-up out of the window between
 * the two markers. Exit status: 0, 1 when FILE cannot take TEXT.
 */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

static void mark(void)
{
	__asm__ volatile("xchg %%bx, %%bx" ::: "memory");
}

int main(int argc, char **argv)
{
	char line[256];
	ssize_t len;
	int fd, n;

	if (argc != 1 && argc != 3) {
		fprintf(stderr, "usage: insn-mark [FILE TEXT]\n");
		return 1;
	}
	if (argc == 1) {
		mark();
		return 0;
	}
	n = snprintf(line, sizeof(line), "%s\n", argv[2]);
	if (n < 0 || (size_t)n >= sizeof(line)) {
		fprintf(stderr, "insn-mark: TEXT too long\n");
		return 1;
	}
	fd = open(argv[1], O_WRONLY);
	if (fd < 0) {
		perror(argv[1]);
		return 1;
	}
	mark();
	len = write(fd, line, n);
	mark();
	if (len != n) {
		perror(argv[1]);
		return 1;
	}
	return close(fd) ? 1 : 0;
}
