// SPDX-License-Identifier: GPL-2.0
/*
 * Tests of batch.c: which lines run, with which words, which line a
 * message names, what -force changes and the exit status of a batch.
 * The commands are a fake: "ok" succeeds, "fail" fails (a request that
 * failed), "usage" is a usage error.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "batch.h"
#include "harness.h"
#include "parse.h"

/* "LINE:word/word|" per command run, "LINE:message|" per report. */
static char ran[1024], reported[1024];

static void append(char *log, size_t size, unsigned int line,
		   const char *text)
{
	size_t n = strlen(log);

	snprintf(log + n, size - n, "%u:%s|", line, text);
}

static int fake_run(int argc, char *const argv[], void *arg)
{
	struct mcr_batch *b = arg;
	char words[256] = "";
	size_t n = 0;
	int i;

	for (i = 0; i < argc && n < sizeof(words); i++)
		n += (size_t)snprintf(words + n, sizeof(words) - n, "%s%s",
				      i ? "/" : "", argv[i]);
	append(ran, sizeof(ran), b->line, words);
	if (!strcmp(argv[0], "fail"))
		return MCR_EXIT_FAILED;
	if (!strcmp(argv[0], "usage"))
		return MCR_EXIT_USAGE;
	return MCR_EXIT_OK;
}

static void fake_report(const char *msg, void *arg)
{
	struct mcr_batch *b = arg;

	append(reported, sizeof(reported), b->line, msg);
}

static void batch_init(struct mcr_batch *b, bool force)
{
	memset(b, 0, sizeof(*b));
	b->force = force;
	b->run = fake_run;
	b->report = fake_report;
	b->arg = b;
	ran[0] = '\0';
	reported[0] = '\0';
}

/* Runs the batch @text (@len bytes: it may hold a NUL). */
static int run_text(struct mcr_batch *b, const char *text, size_t len)
{
	FILE *f = fmemopen((void *)text, len, "r");
	int ret;

	if (!f)
		return -1;
	ret = mcr_batch_run(b, f, "test");
	fclose(f);
	return ret;
}

#define RUN(b, text) run_text(b, text, sizeof(text) - 1)

static void batch_words_and_lines(void)
{
	struct mcr_batch b;

	batch_init(&b, false);
	CHECK_INT(RUN(&b, "ok a\n\n# a comment\n   \n\tok b  c # tail\n"
		      "ok \"d e\" 'f g' \"q\\\"\\x41\"\nok"), MCR_EXIT_OK);
	CHECK_STR(ran, "1:ok/a|5:ok/b/c|6:ok/d e/f g/q\"A|7:ok|");
	CHECK_STR(reported, "");
	CHECK_INT(b.line, 0);

	/* Nothing to run is a success. */
	batch_init(&b, false);
	CHECK_INT(RUN(&b, ""), MCR_EXIT_OK);
	CHECK_INT(RUN(&b, "# only\n\n"), MCR_EXIT_OK);
	CHECK_STR(ran, "");
}

/* A backslash at the end of a line continues the command on the next;
 * the command is named by its first line. */
static void batch_continued_lines(void)
{
	struct mcr_batch b;

	batch_init(&b, false);
	CHECK_INT(RUN(&b, "ok a \\\n  b\nfail \\\n\\\nc\nok\n"),
		  MCR_EXIT_FAILED);
	CHECK_STR(ran, "1:ok/a/b|3:fail/c|");
	/* At the end of the file, a continuation just ends. */
	batch_init(&b, false);
	CHECK_INT(RUN(&b, "ok\nok x \\\n"), MCR_EXIT_OK);
	CHECK_STR(ran, "1:ok|2:ok/x|");
}

static void batch_stops_at_the_first_failure(void)
{
	struct mcr_batch b;

	batch_init(&b, false);
	CHECK_INT(RUN(&b, "ok\nfail\nok\n"), MCR_EXIT_FAILED);
	CHECK_STR(ran, "1:ok|2:fail|");
	batch_init(&b, false);
	CHECK_INT(RUN(&b, "ok\n\nusage x\nfail\n"), MCR_EXIT_USAGE);
	CHECK_STR(ran, "1:ok|3:usage/x|");
	CHECK_INT(b.line, 0);
}

/* -force runs every line; the status is the first failure's. */
static void batch_force_goes_on(void)
{
	struct mcr_batch b;

	batch_init(&b, true);
	CHECK_INT(RUN(&b, "usage\nfail\nok\n"), MCR_EXIT_USAGE);
	CHECK_STR(ran, "1:usage|2:fail|3:ok|");
	batch_init(&b, true);
	CHECK_INT(RUN(&b, "ok\nfail\nusage\nok\n"), MCR_EXIT_FAILED);
	CHECK_STR(ran, "1:ok|2:fail|3:usage|4:ok|");
	batch_init(&b, true);
	CHECK_INT(RUN(&b, "ok\nok\n"), MCR_EXIT_OK);
}

/* A line that cannot be split is a usage error naming its line. */
static void batch_line_errors_name_the_line(void)
{
	struct mcr_batch b;

	batch_init(&b, false);
	CHECK_INT(RUN(&b, "ok\nok \"open\nok\n"), MCR_EXIT_USAGE);
	CHECK_STR(ran, "1:ok|");
	CHECK_STR(reported, "2:unterminated quote|");

	batch_init(&b, true);
	CHECK_INT(RUN(&b, "ok 'x\n# fine\nok \\\n \"y\\q\"\nok\n"),
		  MCR_EXIT_USAGE);
	CHECK_STR(ran, "5:ok|");
	CHECK(!strncmp(reported, "1:unterminated quote|3:bad escape ", 34));

	/* A NUL byte would cut the line short unseen: refused. */
	batch_init(&b, true);
	CHECK_INT(RUN(&b, "ok\nrule\0 flush\nok\n"), MCR_EXIT_USAGE);
	CHECK_STR(ran, "1:ok|3:ok|");
	CHECK_STR(reported, "2:NUL byte in the line|");
}

static void batch_files(void)
{
	char path[] = "/tmp/mcr-nl-batch-XXXXXX";
	struct mcr_batch b;
	int fd;

	batch_init(&b, false);
	CHECK_INT(mcr_batch_run_path(&b, "/nonexistent/mcr-nl.batch"),
		  MCR_EXIT_FAILED);
	CHECK_STR(reported, "0:cannot open \"/nonexistent/mcr-nl.batch\": "
		  "No such file or directory|");

	/* Opens, but every read fails. */
	batch_init(&b, false);
	CHECK_INT(mcr_batch_run_path(&b, "/"), MCR_EXIT_FAILED);
	CHECK_STR(reported, "0:cannot read \"/\": Is a directory|");
	CHECK_STR(ran, "");

	fd = mkstemp(path);
	CHECK(fd >= 0);
	if (write(fd, "ok 1\nfail 2\n", 12) != 12) {
		close(fd);
		unlink(path);
		CHECK(!"cannot write the batch file");
	}
	close(fd);
	batch_init(&b, false);
	CHECK_INT(mcr_batch_run_path(&b, path), MCR_EXIT_FAILED);
	unlink(path);
	CHECK_STR(ran, "1:ok/1|2:fail/2|");
	CHECK_STR(reported, "");
}

/* A file of one endless line: at most ENDLESS_LINE bytes, no newline. */
#define ENDLESS_LINE (256u << 20)

static ssize_t endless_read(void *cookie, char *buf, size_t size)
{
	size_t *left = cookie;

	if (size > *left)
		size = *left;
	memset(buf, 'a', size);
	*left -= size;
	return (ssize_t)size;
}

/* The address space the process holds now, in bytes. */
static size_t address_space(void)
{
	unsigned long pages = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (f) {
		if (fscanf(f, "%lu", &pages) != 1)
			pages = 0;
		fclose(f);
	}
	return pages * (size_t)sysconf(_SC_PAGESIZE);
}

/*
 * getline() fails without ferror() when it runs out of memory: that is
 * not the end of the batch, which would run nothing and exit 0, but a
 * file that cannot be read, even with -force. Run in a child whose
 * address space is limited; valgrind's allocator aborts at such a limit
 * instead of failing, so under valgrind the case is left to the plain run.
 */
static void batch_out_of_memory(void)
{
	cookie_io_functions_t io = { .read = endless_read };
	const char *preload = getenv("LD_PRELOAD");
	size_t left = ENDLESS_LINE;
	char result[sizeof(ran) + sizeof(reported) + 16] = "";
	struct mcr_batch b;
	struct rlimit lim;
	int fds[2], status;
	ssize_t n;
	pid_t pid;
	FILE *f;

	if (preload && strstr(preload, "vgpreload")) {
		printf("# batch_out_of_memory: not under valgrind\n");
		return;
	}
	CHECK(pipe(fds) == 0);
	fflush(NULL);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		close(fds[0]);
		batch_init(&b, true);
		f = fopencookie(&left, "r", io);
		lim.rlim_cur = lim.rlim_max = address_space() + (32u << 20);
		if (!f || setrlimit(RLIMIT_AS, &lim))
			_exit(2);
		n = mcr_batch_run(&b, f, "test");
		snprintf(result, sizeof(result), "%d %s %s", (int)n, ran,
			 reported);
		n = write(fds[1], result, strlen(result));
		_exit(n > 0 ? 0 : 3);
	}
	close(fds[1]);
	n = read(fds[0], result, sizeof(result) - 1);
	close(fds[0]);
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK_INT(WIFEXITED(status) ? WEXITSTATUS(status) : -1, 0);
	CHECK(n > 0);
	result[n] = '\0';
	CHECK_STR(result, "1  0:cannot read \"test\": Cannot allocate memory|");
}

const struct test_case batch_tests[] = {
	TEST(batch_words_and_lines),
	TEST(batch_continued_lines),
	TEST(batch_stops_at_the_first_failure),
	TEST(batch_force_goes_on),
	TEST(batch_line_errors_name_the_line),
	TEST(batch_files),
	TEST(batch_out_of_memory),
	TEST_END
};
