// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"
#include "parse.h"

static void __attribute__((format(printf, 2, 3)))
batch_report(struct mcr_batch *b, const char *fmt, ...)
{
	char msg[MCR_ERR_LEN + 256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	b->report(msg, b->arg);
}

/* Splits and runs one command line; returns its exit status. */
static int run_line(struct mcr_batch *b, char *line)
{
	char err[MCR_ERR_LEN];
	struct mcr_words words;
	int ret;

	if (mcr_split_line(line, &words, err, sizeof(err))) {
		batch_report(b, "%s", err);
		return MCR_EXIT_USAGE;
	}
	ret = words.argc ? b->run(words.argc, words.argv, b->arg) :
			   MCR_EXIT_OK;
	mcr_words_free(&words);
	return ret;
}

int mcr_batch_run(struct mcr_batch *b, FILE *f, const char *name)
{
	char err[MCR_ERR_LEN];
	unsigned int line_no = 0, first = 0;
	size_t cap = 0;
	char *line = NULL;
	int ret = MCR_EXIT_OK, line_ret, n;

	for (;;) {
		n = mcr_read_batch_line(f, &line, &cap, &line_no, &first,
					err, sizeof(err));
		if (n == 0 || n == -2)
			break;
		b->line = first;
		if (n < 0) {
			batch_report(b, "%s", err);
			line_ret = MCR_EXIT_USAGE;
		} else {
			line_ret = run_line(b, line);
		}
		/* With -force, go on; the status is the first failure's. */
		if (line_ret != MCR_EXIT_OK && ret == MCR_EXIT_OK)
			ret = line_ret;
		if (ret != MCR_EXIT_OK && !b->force)
			break;
	}
	b->line = 0;
	if (n == -2) {
		batch_report(b, "cannot read \"%s\": %s", name, err);
		ret = MCR_EXIT_FAILED;
	}
	free(line);
	return ret;
}

int mcr_batch_run_path(struct mcr_batch *b, const char *path)
{
	bool is_stdin = !strcmp(path, "-");
	FILE *f;
	int ret;

	f = is_stdin ? stdin : fopen(path, "r");
	if (!f) {
		b->line = 0;
		batch_report(b, "cannot open \"%s\": %s", path,
			     strerror(errno));
		return MCR_EXIT_FAILED;
	}
	ret = mcr_batch_run(b, f, path);
	if (!is_stdin)
		fclose(f);
	return ret;
}
