// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: readers do not take RTNL. Any user may read rules and counters,
 * and folding the per-CPU counters of a large table takes a while: under
 * RTNL that would stall every other configuration change of the host.
 * Each reader is called from a work item while the test holds RTNL; one
 * that took RTNL would still be waiting at the deadline.
 */
#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/rtnetlink.h>
#include <linux/workqueue.h>
#include <net/genetlink.h>
#include <net/net_namespace.h>

#include "genl.h"
#include "mcr.h"

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

/* No socket has this port id (autobind never picks it): replies bounce. */
#define NO_PORTID	U32_MAX
#define NO_RULE		U32_MAX
/* A reader of nothing takes microseconds; this allows for KASAN and TCG. */
#define READER_DEADLINE	(30 * HZ)
#define READER_ATTRS	(MAX((int)MCR_A_RULE_MAX, (int)MCR_A_STATS_MAX) + 1)

struct reader_case {
	const char *name;
	int (*doit)(struct sk_buff *skb, struct genl_info *info);
	u8 cmd;
	int id_type;		/* 0: the request has no rule id */
	int err;		/* what the reader returns */
};

static const struct reader_case reader_cases[] = {
	{ "rule_get_missing_id", mcr_nl_rule_get_doit, MCR_CMD_RULE_GET,
	  MCR_A_RULE_ID, -ENOENT },
	{ "stats_get_missing_id", mcr_nl_stats_get_doit, MCR_CMD_STATS_GET,
	  MCR_A_STATS_RULE_ID, -ENOENT },
	/* Folds the namespace's counters, then the reply finds no socket. */
	{ "stats_get_netns", mcr_nl_stats_get_doit, MCR_CMD_STATS_GET,
	  0, -ECONNREFUSED },
};

static void reader_desc(const struct reader_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(reader, reader_cases, reader_desc);

struct reader {
	struct work_struct work;
	struct completion done;
	const struct reader_case *c;
	struct genl_info info;
	struct genlmsghdr genlhdr;
	struct netlink_ext_ack extack;
	struct nlattr *attrs[READER_ATTRS];
	struct {
		struct nlattr nla;
		u32 value;
	} id;
	int err;
};

static void reader_work(struct work_struct *work)
{
	struct reader *r = container_of(work, struct reader, work);

	r->err = r->c->doit(NULL, &r->info);
	complete(&r->done);
}

static void mcr_nl_reader_without_rtnl_test(struct kunit *test)
{
	const struct reader_case *c = test->param_value;
	unsigned long left;
	struct reader *r;

	r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, r);
	INIT_WORK(&r->work, reader_work);
	init_completion(&r->done);
	r->c = c;
	r->genlhdr.cmd = c->cmd;
	r->info.snd_portid = NO_PORTID;
	r->info.genlhdr = &r->genlhdr;
	r->info.attrs = r->attrs;
	r->info.extack = &r->extack;
	genl_info_net_set(&r->info, &init_net);
	if (c->id_type) {
		r->id.nla.nla_len = nla_attr_size(sizeof(u32));
		r->id.nla.nla_type = c->id_type;
		r->id.value = NO_RULE;
		r->attrs[c->id_type] = &r->id.nla;
	}

	rtnl_lock();
	queue_work(system_unbound_wq, &r->work);
	left = wait_for_completion_timeout(&r->done, READER_DEADLINE);
	rtnl_unlock();
	/* A reader that waited for RTNL gets it now and ends. */
	flush_work(&r->work);

	KUNIT_EXPECT_NE_MSG(test, left, 0, "the reader waited for RTNL");
	KUNIT_EXPECT_EQ(test, r->err, c->err);
}

static struct kunit_case mcr_netlink_cases[] = {
	KUNIT_CASE_PARAM(mcr_nl_reader_without_rtnl_test, reader_gen_params),
	{}
};

static struct kunit_suite mcr_netlink_suite = {
	.name = "mcr_netlink",
	.test_cases = mcr_netlink_cases,
};

kunit_test_suite(mcr_netlink_suite);
