// SPDX-License-Identifier: GPL-2.0
/*
 * insn-count: a QEMU TCG plugin that counts the guest instructions each
 * vCPU executes, for the benchmark's cost per packet. Wall-clock figures
 * under emulation vary up to 3x between consecutive seconds; an
 * instruction count does not depend on what else the host runs.
 *
 * The guest asks for the counts by executing the marker instruction
 * "xchg %bx,%bx" (66 87 db, which compilers do not emit; bench/insn-mark
 * runs it). Each marker appends one line to the file named by out=:
 *
 *   SEQ COUNT_VCPU0 COUNT_VCPU1 ...
 *
 * SEQ counts markers from 1. A halted vCPU executes nothing, so an idle
 * one adds nothing.
 *
 * With profile=PFILE, it also counts the instructions executed between
 * each odd marker and the next, per translation block, and writes them to
 * PFILE at exit as "VADDR INSNS" lines (bench/insn-profile.py maps them
 * to kernel symbols).
 *
 *   qemu-system-x86_64 -plugin bench/insn-count.so,out=FILE[,profile=PFILE] ...
 *
 * QEMU's plugin API (version 1, QEMU 7.2) is declared below: Debian ships
 * no qemu-plugin.h.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define QEMU_PLUGIN_EXPORT __attribute__((visibility("default")))

typedef uint64_t qemu_plugin_id_t;
struct qemu_info_t;
struct qemu_plugin_tb;
struct qemu_plugin_insn;

enum qemu_plugin_cb_flags { QEMU_PLUGIN_CB_NO_REGS };

typedef void (*qemu_plugin_vcpu_udata_cb_t)(unsigned int vcpu_index,
					    void *userdata);
typedef void (*qemu_plugin_udata_cb_t)(qemu_plugin_id_t id, void *userdata);
typedef void (*qemu_plugin_vcpu_tb_trans_cb_t)(qemu_plugin_id_t id,
					       struct qemu_plugin_tb *tb);

void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id,
					   qemu_plugin_vcpu_tb_trans_cb_t cb);
void qemu_plugin_register_vcpu_tb_exec_cb(struct qemu_plugin_tb *tb,
					  qemu_plugin_vcpu_udata_cb_t cb,
					  enum qemu_plugin_cb_flags flags,
					  void *userdata);
void qemu_plugin_register_vcpu_insn_exec_cb(struct qemu_plugin_insn *insn,
					    qemu_plugin_vcpu_udata_cb_t cb,
					    enum qemu_plugin_cb_flags flags,
					    void *userdata);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
uint64_t qemu_plugin_tb_vaddr(const struct qemu_plugin_tb *tb);
struct qemu_plugin_insn *qemu_plugin_tb_get_insn(const struct qemu_plugin_tb *tb,
						 size_t idx);
const void *qemu_plugin_insn_data(const struct qemu_plugin_insn *insn);
size_t qemu_plugin_insn_size(const struct qemu_plugin_insn *insn);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id,
				    qemu_plugin_udata_cb_t cb, void *userdata);
void qemu_plugin_outs(const char *string);

QEMU_PLUGIN_EXPORT int qemu_plugin_version = 1;
QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id,
					   const struct qemu_info_t *info,
					   int argc, char **argv);

#define MAX_VCPUS 64

static const unsigned char marker[] = { 0x66, 0x87, 0xdb };

/* A translated block; QEMU may translate one address more than once. */
struct block {
	uint64_t vaddr;
	uint64_t n_insns;
	uint64_t profiled;	/* instructions between an odd marker and the next */
	struct block *next;
};

/* One slot per vCPU, written only by that vCPU's thread. */
static uint64_t counts[MAX_VCPUS];
static uint64_t seq;
static bool profiling;
static FILE *out, *profile;
static struct block *blocks;

static void tb_exec(unsigned int vcpu, void *udata)
{
	struct block *b = udata;

	if (vcpu < MAX_VCPUS)
		__atomic_store_n(&counts[vcpu],
				 __atomic_load_n(&counts[vcpu], __ATOMIC_RELAXED) +
				 b->n_insns, __ATOMIC_RELAXED);
	if (__atomic_load_n(&profiling, __ATOMIC_RELAXED))
		__atomic_add_fetch(&b->profiled, b->n_insns, __ATOMIC_RELAXED);
}

/* Runs in the marking vCPU's thread, before the guest goes on. */
static void marker_exec(unsigned int vcpu, void *unused)
{
	unsigned int i, last = 0;

	(void)vcpu;
	(void)unused;
	for (i = 0; i < MAX_VCPUS; i++)
		if (__atomic_load_n(&counts[i], __ATOMIC_RELAXED))
			last = i;
	uint64_t n = __atomic_add_fetch(&seq, 1, __ATOMIC_SEQ_CST);

	__atomic_store_n(&profiling, profile && (n & 1), __ATOMIC_RELAXED);
	fprintf(out, "%" PRIu64, n);
	for (i = 0; i <= last; i++)
		fprintf(out, " %" PRIu64,
			__atomic_load_n(&counts[i], __ATOMIC_RELAXED));
	fputc('\n', out);
	fflush(out);
}

static void tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	size_t i, n = qemu_plugin_tb_n_insns(tb);
	struct block *b = calloc(1, sizeof(*b));

	(void)id;
	if (!b)
		abort();
	b->vaddr = qemu_plugin_tb_vaddr(tb);
	b->n_insns = n;
	/* vCPU threads translate concurrently. */
	b->next = __atomic_load_n(&blocks, __ATOMIC_RELAXED);
	while (!__atomic_compare_exchange_n(&blocks, &b->next, b, true,
					    __ATOMIC_RELEASE, __ATOMIC_RELAXED))
		;
	qemu_plugin_register_vcpu_tb_exec_cb(tb, tb_exec, QEMU_PLUGIN_CB_NO_REGS, b);
	for (i = 0; i < n; i++) {
		struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);

		if (qemu_plugin_insn_size(insn) == sizeof(marker) &&
		    !memcmp(qemu_plugin_insn_data(insn), marker, sizeof(marker)))
			qemu_plugin_register_vcpu_insn_exec_cb(insn, marker_exec,
							       QEMU_PLUGIN_CB_NO_REGS,
							       NULL);
	}
}

static void at_exit(qemu_plugin_id_t id, void *unused)
{
	struct block *b;

	(void)id;
	(void)unused;
	fclose(out);
	if (!profile)
		return;
	for (b = blocks; b; b = b->next)
		if (b->profiled)
			fprintf(profile, "%" PRIx64 " %" PRIu64 "\n", b->vaddr,
				b->profiled);
	fclose(profile);
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id,
					   const struct qemu_info_t *info,
					   int argc, char **argv)
{
	const char *path = NULL, *ppath = NULL;
	int i;

	(void)info;
	for (i = 0; i < argc; i++) {
		if (!strncmp(argv[i], "out=", 4)) {
			path = argv[i] + 4;
		} else if (!strncmp(argv[i], "profile=", 8)) {
			ppath = argv[i] + 8;
		} else {
			qemu_plugin_outs("insn-count: unknown argument\n");
			return -1;
		}
	}
	if (!path) {
		qemu_plugin_outs("insn-count: usage: -plugin insn-count.so,out=FILE[,profile=PFILE]\n");
		return -1;
	}
	out = fopen(path, "w");
	if (!out) {
		qemu_plugin_outs("insn-count: cannot open the out= file\n");
		return -1;
	}
	if (ppath) {
		profile = fopen(ppath, "w");
		if (!profile) {
			qemu_plugin_outs("insn-count: cannot open the profile= file\n");
			return -1;
		}
	}
	qemu_plugin_register_vcpu_tb_trans_cb(id, tb_trans);
	qemu_plugin_register_atexit_cb(id, at_exit, NULL);
	return 0;
}
