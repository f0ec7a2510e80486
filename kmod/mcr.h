/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mcr: in-kernel multicast UDP relay. Objects shared by the module's parts.
 *
 * Configuration runs under RTNL; the packet path only reads, under RCU.
 * A rule's outputs live in one immutable array that is replaced whole, so a
 * packet sees either the old set or the new one, never a mix.
 */
#ifndef _MCR_H
#define _MCR_H

#include <linux/hashtable.h>
#include <linux/in6.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/netdevice.h>
#include <linux/netfilter.h>
#include <linux/u64_stats_sync.h>
#include <linux/udp.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>
#include <net/addrconf.h>
#include <net/genetlink.h>
#include <uapi/linux/mcr.h>

/* Internals the KUnit suites (kmod/tests/) call are exported only with KUnit. */
#include <kunit/visibility.h>

#define MCR_DEV_HASH_BITS	9
#define MCR_JOIN_HASH_BITS	6

/*
 * What a request allocates is charged to the caller's memory cgroup, as
 * nf_tables does: root in any user namespace may configure its network
 * namespace. At the cgroup's limit the request fails with ENOMEM rather
 * than invoking the OOM killer, and without a warning: it is the caller's
 * limit, reported to the caller.
 */
#define MCR_GFP		(GFP_KERNEL_ACCOUNT | __GFP_RETRY_MAYFAIL | __GFP_NOWARN)
#define MCR_NOMEM_MSG	"out of memory, or the memory cgroup's limit reached"

enum mcr_drop_reason {
	MCR_DROP_XMIT,
	MCR_DROP_TOO_BIG,
	MCR_DROP_TTL,
	MCR_DROP_NOMEM,
	MCR_DROP_MAX,
};

struct mcr_rule_pcpu_stats {
	u64_stats_t packets;
	u64_stats_t bytes;
	struct u64_stats_sync syncp;
};

struct mcr_output_pcpu_stats {
	u64_stats_t packets;
	u64_stats_t bytes;
	u64_stats_t drops[MCR_DROP_MAX];
	struct u64_stats_sync syncp;
};

enum mcr_net_counter {
	MCR_NET_NO_MATCH,
	MCR_NET_NOT_UDP,
	MCR_NET_FRAGMENTS,
	MCR_NET_NOT_ROUTABLE,
	MCR_NET_ZERO_CHECKSUM,
	MCR_NET_COUNTER_MAX,
};

struct mcr_net_pcpu_stats {
	u64_stats_t counters[MCR_NET_COUNTER_MAX];
	struct u64_stats_sync syncp;
};

struct mcr_rule_stats {
	u64 packets;
	u64 bytes;
};

struct mcr_output_stats {
	u64 packets;
	u64 bytes;
	u64 drops[MCR_DROP_MAX];
};

struct mcr_net_stats {
	u64 counters[MCR_NET_COUNTER_MAX];
};

/*
 * An address of the rule's family. The bytes an IPv4 address leaves unused
 * are zero, so that one comparison of the whole serves both families.
 */
union mcr_addr {
	__be32 ip;
	struct in6_addr in6;
};

/* Match key within one input device; zero source or port means any. */
struct mcr_key {
	union mcr_addr group;
	union mcr_addr source;
	__be16 port;
	u8 family;		/* AF_INET or AF_INET6 */
};

struct mcr_output {
	struct net_device *dev;
	netdevice_tracker dev_tracker;
	union mcr_addr daddr;	/* destination after rewrite, never zero */
	__wsum daddr_csum;	/* IPv6: UDP checksum change for daddr */
	union mcr_addr saddr;	/* new source, zero keeps the original */
	__be16 port;		/* new destination port, 0 keeps it */
	u8 ttl;			/* TTL or hop limit to set, 0 decrements */
	bool source_auto;
	bool rewrite_daddr;	/* daddr differs from the rule's group */
	bool rewrites;		/* any of the above to do: mcr_rewrite() */
	bool moved;		/* now owned by a newer set; skip on free */
	bool stats_moved;	/* stats now a newer set's; do not free them */
	struct mcr_output_pcpu_stats __percpu *stats;
	struct mcr_output_stats *stats_base;	/* at the last reset, or NULL */
};

/*
 * IPv6 extension headers that a relayed packet may carry before its UDP
 * header, in bytes: more is left to the stack (and counted in not-udp).
 * A Hop-by-Hop header with a Router Alert, or Destination Options with a
 * few options, take 8 to 24.
 */
#define MCR_IPV6_EXTHDRS_MAX	128

/*
 * A received packet as every output starts from it: its IP and UDP headers
 * as they leave without a rewrite (TTL or hop limit decremented, the UDP
 * checksum complete), made once per packet for the outputs to copy.
 */
struct mcr_pkt {
	unsigned int len;	/* IP length: total, or IPv6's 40 + payload */
	unsigned int nh_len;	/* IP header with options or extension headers */
	unsigned int hdr_len;	/* IP and UDP headers */
	u8 ttl;			/* TTL or hop limit as received */
	bool ipv6;
	bool inner_csum;	/* a checksum past the UDP header is pending */
	union {
		struct iphdr iph;
		struct ipv6hdr ip6h;
		u8 bytes[sizeof(struct ipv6hdr) + MCR_IPV6_EXTHDRS_MAX +
			 sizeof(struct udphdr)];
	} hdrs;
};

/*
 * A received datagram's headers as the hook validated them; they may be in
 * the hook's buffers rather than in the skb.
 */
struct mcr_rx {
	union {
		const struct iphdr *iph;
		const struct ipv6hdr *ip6h;
	};
	const struct udphdr *uh;
	unsigned int nh_len;	/* IP header with options or extension headers */
	unsigned int len;	/* IP length */
	bool ipv6;
};

/*
 * What a replace swaps in one pointer store: the outputs, and the rule's
 * name, so that a reader under RCU sees either the old or the new of both.
 */
struct mcr_outputs {
	struct rcu_work free_work;
	char name[MCR_NAME_LEN];
	unsigned int count;
	struct mcr_output out[] __counted_by(count);
};

struct mcr_dev;
struct mcr_join;

struct mcr_rule {
	struct hlist_node hash_node;	/* in mcr_dev.rules, under RCU */
	struct list_head dev_node;	/* in mcr_dev.rule_list, under RTNL */
	struct mcr_dev *mdev;
	struct mcr_key key;
	u32 id;
	u32 flags;			/* MCR_RULE_FLAGS_* */
	bool joined;			/* (*,G): holds a membership of group */
	struct mcr_join *join;		/* (S,G): the membership it shares */
	struct mcr_outputs __rcu *outputs;
	struct mcr_rule_pcpu_stats __percpu *stats;
	struct mcr_rule_stats stats_base;	/* at the last reset */
	struct rcu_work free_work;
};

/* An input device with rules, and its netdev ingress hook. */
struct mcr_dev {
	struct list_head node;		/* in mcr_net.devs */
	struct net_device *dev;
	netdevice_tracker dev_tracker;
	struct mcr_net *mn;
	struct nf_hook_ops hook_ops;
	unsigned int rule_count;
	struct list_head rule_list;	/* its rules, for the control plane */
	struct rcu_head rcu;
	/* Rules by group; within a bucket, more specific rules come first. */
	struct hlist_head rules[1 << MCR_DEV_HASH_BITS];
	struct hlist_head rules6[1 << MCR_DEV_HASH_BITS];	/* IPv6 */
};

/* A netns's source-specific memberships and their sockets: join.c. */
struct mcr_join_net {
	DECLARE_HASHTABLE(hash, MCR_JOIN_HASH_BITS);	/* by group */
	DECLARE_HASHTABLE(by_dev, MCR_JOIN_HASH_BITS);	/* by ifindex */
	struct list_head pending;	/* to join, by the work */
	struct list_head socks;
	struct work_struct work;
};

struct mcr_net {
	struct net *net;
	struct list_head devs;
	struct xarray rules;		/* by id */
	/*
	 * Output index: by output ifindex, an xarray of the ids of the rules
	 * with outputs on that device, each with how many (a value entry).
	 */
	struct xarray out_devs;
	u32 next_id;
	unsigned int rule_count;
	unsigned int output_count;
	u64 outputs_removed;
	u32 gen;			/* changes with every rule or output set */
	struct mcr_net_pcpu_stats __percpu *stats;
	struct mcr_net_stats stats_base;	/* at the last reset */
	struct mcr_join_net join;
};

/*
 * Whether the checksum a sender left pending (CHECKSUM_PARTIAL, a local
 * sender's over veth) is the UDP header's at nh_len from skb->data, rather
 * than an encapsulated packet's under it.
 */
static inline bool mcr_udp_csum_pending(const struct sk_buff *skb,
					unsigned int nh_len)
{
	return skb->ip_summed == CHECKSUM_PARTIAL &&
	       skb_checksum_start_offset(skb) == nh_len &&
	       skb->csum_offset == offsetof(struct udphdr, check);
}

/*
 * Whether dev carries no IPv6, as ip6_rcv_core() and ip6_output() ask:
 * no inet6_dev (IPv6 disabled on the host, or an MTU below 1280) or
 * disable_ipv6 set.
 */
static inline bool mcr_dev_ipv6_disabled(const struct net_device *dev)
{
	const struct inet6_dev *idev = __in6_dev_get(dev);

	return !idev || READ_ONCE(idev->cnf.disable_ipv6);
}

/* main.c */
extern unsigned int mcr_max_rules;
extern unsigned int mcr_max_outputs;
extern struct workqueue_struct *mcr_wq;
struct mcr_net *mcr_net(const struct net *net);

/* table.c */
struct mcr_rule *mcr_rule_alloc(void);
void mcr_rule_free(struct mcr_rule *rule);
struct mcr_outputs *mcr_outputs_alloc(unsigned int count);
void mcr_outputs_free(struct mcr_outputs *outs);
void mcr_outputs_free_rcu(struct mcr_outputs *outs);
int mcr_rule_insert(struct mcr_net *mn, struct net_device *dev,
		    struct mcr_rule *rule, struct netlink_ext_ack *extack);
void mcr_rule_remove(struct mcr_net *mn, struct mcr_rule *rule);
int mcr_rule_set_outputs(struct mcr_net *mn, struct mcr_rule *rule,
			 struct mcr_outputs *outs);
struct mcr_rule *mcr_rule_find(struct mcr_net *mn, int ifindex,
			       const struct mcr_key *key);
struct mcr_rule *mcr_dev_lookup(const struct mcr_dev *mdev, __be32 daddr,
				__be32 saddr, __be16 dport);
struct mcr_rule *mcr_dev_lookup6(const struct mcr_dev *mdev,
				 const struct in6_addr *daddr,
				 const struct in6_addr *saddr, __be16 dport);
unsigned int mcr_key_specificity(const struct mcr_key *key);
void mcr_dev_link_rule(struct mcr_dev *mdev, struct mcr_rule *rule);
void mcr_rule_update_join(struct mcr_rule *rule, bool join);
unsigned int mcr_net_flush(struct mcr_net *mn, int ifindex, bool notify);
void mcr_netdev_inet_changed(struct mcr_net *mn, struct net_device *dev);
void mcr_netdev_unregister(struct mcr_net *mn, struct net_device *dev);

/* join.c */
void mcr_join_source(struct mcr_rule *rule, bool join);
void mcr_join_inet_changed(struct mcr_net *mn, struct net_device *dev);
void mcr_join_net_init(struct mcr_net *mn);
void mcr_join_net_exit(struct mcr_net *mn);

/* hook.c */
int mcr_hook_register(struct mcr_dev *mdev);
void mcr_hook_unregister(struct mcr_dev *mdev);

/* xmit.c */
void mcr_xmit_exit(void);
void mcr_outputs_xmit(const struct mcr_outputs *outs, struct sk_buff *skb,
		      const struct mcr_rx *rx, bool consume);
void mcr_outputs_drop(const struct mcr_outputs *outs,
		      enum skb_drop_reason reason);
void mcr_output_set_group(struct mcr_output *out, u8 family,
			  const union mcr_addr *group);
#if IS_ENABLED(CONFIG_KUNIT)
unsigned int mcr_outputs_on_dev(const struct mcr_outputs *outs,
				const struct net_device *dev);
void mcr_pkt_init(struct mcr_pkt *pkt, const struct sk_buff *skb,
		  const struct iphdr *iph, const struct udphdr *uh);
int mcr_pkt_init6(struct mcr_pkt *pkt, const struct sk_buff *skb,
		  const struct ipv6hdr *ip6h, unsigned int nh_len);
enum skb_drop_reason mcr_rewrite(const struct mcr_output *out,
				 struct iphdr *iph, unsigned int ihl);
enum skb_drop_reason mcr_rewrite6(const struct mcr_output *out,
				  struct ipv6hdr *ip6h, unsigned int nh_len);
struct sk_buff *mcr_pkt_copy(unsigned int headroom, const struct sk_buff *skb,
			     const void *hdrs, unsigned int hdr_len,
			     unsigned int len);
bool mcr_payload_shareable(struct sk_buff *skb, unsigned int hdr_len,
			   unsigned int ihl);
struct sk_buff *mcr_pkt_share(unsigned int headroom,
			      const struct sk_buff *owner, const void *hdrs,
			      unsigned int hdr_len, unsigned int len);
struct sk_buff *mcr_payload_clone(struct sk_buff *skb, unsigned int hdr_len,
				  unsigned int len);
struct sk_buff *mcr_pkt_chain(unsigned int headroom, const struct sk_buff *skb,
			      const void *hdrs, unsigned int hdr_len,
			      struct sk_buff *payload);
#endif

/* stats.c */
void mcr_rule_stats_fold(const struct mcr_rule *rule,
			 struct mcr_rule_stats *sum);
void mcr_output_stats_fold(const struct mcr_output *out,
			   struct mcr_output_stats *sum);
void mcr_net_stats_fold(const struct mcr_net *mn, struct mcr_net_stats *sum);
void mcr_rule_stats_reset(struct mcr_rule *rule);
int mcr_output_stats_base_alloc(struct mcr_output *out);
void mcr_output_stats_reset(struct mcr_output *out);
void mcr_net_stats_reset(struct mcr_net *mn);

/* netlink.c */
int mcr_nl_init(void);
void mcr_nl_exit(void);
void mcr_nl_notify_rule(struct mcr_net *mn, const struct mcr_rule *rule,
			u8 cmd, struct genl_info *info);
void mcr_nl_notify_output_del(struct mcr_net *mn, const struct mcr_rule *rule,
			      const struct mcr_outputs *old,
			      const struct net_device *dev, unsigned int count);

#endif /* _MCR_H */
