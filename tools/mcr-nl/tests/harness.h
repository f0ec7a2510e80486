/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A tiny unit-test harness printing KTAP/TAP: "TAP version 13", the plan,
 * one "ok N - name" or "not ok N - name # reason" per test, and a final
 * "N passed, N failed" line.  A CHECK failure ends the test at once.
 */
#ifndef MCR_NL_TEST_HARNESS_H
#define MCR_NL_TEST_HARNESS_H

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

struct test_case {
	const char *name;
	void (*fn)(void);
};

#define TEST(fn) { #fn, fn }
#define TEST_END { NULL, NULL }

/* Suites, one per test file. */
extern const struct test_case parse_tests[];
extern const struct test_case print_tests[];
extern const struct test_case msg_tests[];
extern const struct test_case nl_tests[];
extern const struct test_case dump_tests[];
extern const struct test_case metrics_tests[];
extern const struct test_case batch_tests[];

void test_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Diagnostic for a multi-line mismatch, printed as "# " lines. */
void test_diag_strings(const char *got, const char *expected);

#define CHECK(cond)							\
	do {								\
		if (!(cond)) {						\
			test_fail(__FILE__, __LINE__, "%s", #cond);	\
			return;						\
		}							\
	} while (0)

#define CHECK_INT(got, expected)					\
	do {								\
		long long _g = (long long)(got);			\
		long long _e = (long long)(expected);			\
		if (_g != _e) {						\
			test_fail(__FILE__, __LINE__, "%s is %lld, "	\
				  "expected %lld", #got, _g, _e);	\
			return;						\
		}							\
	} while (0)

#define CHECK_STR(got, expected)					\
	do {								\
		const char *_g = (got), *_e = (expected);		\
		if (!_g || strcmp(_g, _e)) {				\
			test_diag_strings(_g ? _g : "(null)", _e);	\
			test_fail(__FILE__, __LINE__, "%s differs from " \
				  "the expected string", #got);		\
			return;						\
		}							\
	} while (0)

/* Output capture: a FILE writing into memory. */
struct capture {
	FILE *f;
	char *buf;
	size_t len;
};

void capture_start(struct capture *c);
/* Ends the capture; c->buf holds the text until capture_free(). */
const char *capture_end(struct capture *c);
void capture_free(struct capture *c);

/* Fake devices: lo=1 eth0=2 eth1=3 eth2=4, "dN" = 1000 + N. */
unsigned int fake_ifindex(const char *name, void *arg);
/* A device whose name holds an escape sequence, '#' and a C1 control. */
#define FAKE_IFINDEX_ODD 66
const char *fake_ifname(unsigned int ifindex, char *buf, void *arg);

#endif /* MCR_NL_TEST_HARNESS_H */
