// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <stdlib.h>

#include "harness.h"
#include "parse.h"
#include "print.h"

static bool current_failed;
static char current_reason[512];

void test_fail(const char *file, int line, const char *fmt, ...)
{
	char msg[400];
	va_list ap;
	char *c;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* The reason must stay on the result line. */
	for (c = msg; *c; c++)
		if (*c == '\n' || *c == '#')
			*c = ' ';
	if (!current_failed)
		snprintf(current_reason, sizeof(current_reason), "%s:%d: %s",
			 file, line, msg);
	current_failed = true;
}

static void diag_block(const char *title, const char *s)
{
	const char *nl;

	printf("# %s:\n", title);
	while (*s) {
		nl = strchr(s, '\n');
		if (!nl)
			nl = s + strlen(s);
		printf("#   |%.*s|\n", (int)(nl - s), s);
		s = *nl ? nl + 1 : nl;
	}
}

void test_diag_strings(const char *got, const char *expected)
{
	diag_block("got", got);
	diag_block("expected", expected);
}

void capture_start(struct capture *c)
{
	memset(c, 0, sizeof(*c));
	c->f = open_memstream(&c->buf, &c->len);
	if (!c->f) {
		perror("open_memstream");
		exit(2);
	}
}

const char *capture_end(struct capture *c)
{
	fclose(c->f);
	c->f = NULL;
	return c->buf;
}

void capture_free(struct capture *c)
{
	if (c->f)
		fclose(c->f);
	free(c->buf);
	memset(c, 0, sizeof(*c));
}

unsigned int fake_ifindex(const char *name, void *arg)
{
	static const char *const names[] = { "lo", "eth0", "eth1", "eth2" };
	uint32_t n;
	size_t i;

	(void)arg;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(name, names[i]))
			return (unsigned int)i + 1;
	if (name[0] == 'd' && !mcr_parse_u32(name + 1, 0, 100000, &n))
		return 1000 + n;
	return 0;
}

const char *fake_ifname(unsigned int ifindex, char *buf, void *arg)
{
	static const char *const names[] = { "lo", "eth0", "eth1", "eth2" };

	(void)arg;
	if (ifindex >= 1 && ifindex <= 4)
		return names[ifindex - 1];
	if (ifindex == FAKE_IFINDEX_ODD)
		return "e\x1b[2J#\xc2\x85";
	if (ifindex >= 1000 && ifindex <= 101000)
		snprintf(buf, MCR_IFNAME_LEN, "d%u", ifindex - 1000);
	else
		snprintf(buf, MCR_IFNAME_LEN, "if%u", ifindex);
	return buf;
}

static const struct test_case *const suites[] = {
	parse_tests, print_tests, msg_tests, nl_tests, dump_tests,
	metrics_tests, batch_tests,
};

#define N_SUITES (sizeof(suites) / sizeof(suites[0]))

int main(void)
{
	unsigned int total = 0, passed = 0, failed = 0, n = 0;
	const struct test_case *t;
	size_t s;

	for (s = 0; s < N_SUITES; s++)
		for (t = suites[s]; t->name; t++)
			total++;

	printf("TAP version 13\n1..%u\n", total);
	for (s = 0; s < N_SUITES; s++) {
		for (t = suites[s]; t->name; t++) {
			current_failed = false;
			current_reason[0] = '\0';
			t->fn();
			fflush(NULL);
			n++;
			if (current_failed) {
				failed++;
				printf("not ok %u - %s # %s\n", n, t->name,
				       current_reason);
			} else {
				passed++;
				printf("ok %u - %s\n", n, t->name);
			}
		}
	}
	printf("%u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}
