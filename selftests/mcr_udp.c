// SPDX-License-Identifier: GPL-2.0
/*
 * mcr-udp: traffic generator and checker for the mcr selftests.
 *
 *   mcr-udp send --dst G --port P [--src ADDR] [--src-port SP] [--count N]
 *                [--rate PPS] [--size BYTES] [--ttl N] [--tos N] [--flow ID]
 *                [--iface DEV] [--start-seq N] [--duration-max S] [--keep-going]
 *                [--loop] [--raw [--dst-mac MAC] [--zero-csum] [--dstopts]
 *                [--frag|--frag-more]] [--gso N] [--flowlabel N]
 *
 *   mcr-udp recv --iface DEV --group G --port P --expect N|any
 *                [--flow ID] [--start-seq N] [--timeout S] [--idle-ms MS]
 *                [--mode packet|socket|tun] [--src-port SP] [--saddr A] [--ttl N]
 *                [--tos N] [--flowlabel N] [--expect-exthdr N] [--allow-reorder]
 *                [--allow-dup] [--allow-partial-csum] [--ready-file PATH] [--json]
 *
 * IPv4 or IPv6: the family is the one of --dst (send) or --group (recv);
 * --src and --saddr must be of the same family. For IPv6, "TTL" is the hop
 * limit and "TOS" the traffic class, everywhere below.
 *
 * Every datagram carries a header {magic, flow, seq, size} (network byte
 * order) followed by bytes derived from (flow, seq, offset), so the receiver
 * checks every byte of the payload without knowing anything but the flow.
 *
 * send: paces with absolute deadlines (clock_nanosleep TIMER_ABSTIME) so a
 * rate is honoured on average even when one send is late; --rate 0 sends as
 * fast as the socket allows. ENOBUFS (the first device dropped the packet;
 * reported thanks to IP_RECVERR / IPV6_RECVERR) is retried with the same
 * sequence number, so "sent=N" counts packets that left the sender. Stops
 * after --count packets (0 = no limit), after --duration-max seconds, or on
 * SIGTERM/SIGINT, and prints "sent=N". Default TTL is 64 (not the multicast
 * default of 1, which a TTL-decrementing relay would drop); it is set for
 * multicast and unicast (IP_MULTICAST_TTL and IP_TTL; IPV6_MULTICAST_HOPS
 * and IPV6_UNICAST_HOPS). --tos sets IP_TOS (IPv6: IPV6_TCLASS). --iface
 * picks the multicast output device (IP_MULTICAST_IF / IPV6_MULTICAST_IF;
 * SO_BINDTODEVICE for a unicast --dst). --loop leaves the host's own
 * multicast looping back (IP_MULTICAST_LOOP / IPV6_MULTICAST_LOOP, off by
 * default). --flowlabel N (IPv6 only, 0 to 0xfffff) sends with that flow
 * label (IPV6_FLOWLABEL_MGR and IPV6_FLOWINFO_SEND; 0 turns the kernel's
 * automatic labels off); without it the kernel picks the label. --raw sends
 * frames of its own through an AF_PACKET socket on --iface: the IP and UDP
 * headers (checksums complete) with --src as the source, whatever it is (a
 * martian one too; default 0.0.0.0 or ::), from --src-port (default 4000),
 * to --dst-mac (default: the multicast MAC of --dst, 01:00:5e:... or
 * 33:33:...). With --raw only: --zero-csum sends a UDP checksum of 0 (IPv4:
 * "no checksum"; IPv6: not allowed, receivers must drop it); --dstopts
 * (IPv6) puts an 8-byte Destination Options header (one PadN option)
 * between the IPv6 and UDP headers; --frag (IPv6) a Fragment header with
 * offset 0 and M = 0 (an atomic fragment, RFC 6946; identification = the
 * sequence number), before the Destination Options header if both are
 * given; --frag-more the same with M = 1: the first fragment of a datagram
 * whose other fragments never come (--size a multiple of 8). --gso N hands
 * the kernel N datagrams per send with UDP_SEGMENT, as one GSO skb; each
 * datagram still has a header and sequence number of its own.
 *
 * recv --mode packet (default): an AF_PACKET socket on DEV checks, for each
 * IPv4/UDP frame to G:P: the IP header checksum, the UDP checksum (0 = none
 * is fine; TP_STATUS_CSUMNOTREADY counts as bad, the relay promises complete
 * checksums), the destination MAC (the group's multicast MAC; none on a
 * device without a link layer header, such as a tunnel), the payload,
 * and optionally TTL, TOS, source address and source port. --allow-partial-csum accepts
 * CHECKSUM_PARTIAL frames unchecked (traffic straight from a local socket
 * over veth, which never had its checksum completed). For each IPv6 frame
 * to [G]:P it checks: version 6; the payload length (at most the frame's,
 * not 0); the extension headers (Hop-by-Hop, Routing, Destination Options,
 * AH, an atomic fragment's Fragment header) walked to the UDP header, each
 * within the payload; the UDP length (exactly what follows the extension
 * headers); the UDP checksum over the IPv6 pseudo-header (source, G, UDP
 * length, 17; a zero checksum is bad); the destination MAC (33:33 and the
 * low 32 bits of G, for a multicast G); the payload; optionally hop limit (--ttl), traffic class (--tos), flow
 * label (--flowlabel), source address, source port, and --expect-exthdr N:
 * exactly N extension headers before UDP. An IPv4 or IPv6 fragment to G
 * (any port) counts as bad_hdr; an IPv6 atomic fragment (offset 0, M = 0)
 * is a whole datagram (RFC 6946), its Fragment header an extension header.
 * --mode socket: a UDP socket bound to G:P (to the wildcard address and P
 * for a unicast G), joined on DEV (IP_ADD_MEMBERSHIP / IPV6_JOIN_GROUP;
 * IP_MULTICAST_ALL / IPV6_MULTICAST_ALL off), checks payload, TTL, TOS (IPv6: hop limit,
 * traffic class and flow label, from IPV6_RECVHOPLIMIT, IPV6_RECVTCLASS
 * and IPV6_FLOWINFO), source port and address.
 * --mode tun: attaches to the tun device DEV (IFF_TUN, IFF_NO_PI) as its
 * reader and checks what it is sent (packets of G's family) as packet
 * mode does.
 *
 * Stops once --expect unique packets arrived and nothing more came for
 * --idle-ms (default 300), at --timeout (default 10 s), or on SIGTERM/SIGINT
 * (then after the idle time, to drain). --expect any: no count is required
 * and the receiver runs until the timeout or a signal; so does --expect 0,
 * which passes only if nothing at all arrived. Prints
 *   received=N unique=N dup=N reordered=N missing=N bad_payload=N bad_csum=N
 *   bad_mac=N bad_hdr=N other_flow=N sock_drops=N min_seq=N max_seq=N
 * (or JSON with --json, with per-flow details). "missing" counts the
 * sequence numbers absent from [start-seq, max seen] (with --expect any:
 * [min seen, max seen]), or expect - unique if that is larger.
 * Exit status: 0 if unique == expect (any count with --expect any) and all
 * bad_* counters, dup, reordered, missing and sock_drops are 0 (dup and
 * reordered allowed by --allow-dup / --allow-reorder); 1 otherwise; 2 on a
 * usage or setup error.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/if_tun.h>
#include <net/ethernet.h>
#include <net/if_arp.h>
#include <net/if.h>
#include <netinet/in.h>
#include <linux/in6.h>	/* after netinet/in.h: struct in6_flowlabel_req */
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAGIC		0x4d435231u	/* "MCR1" */
#define HDR_LEN		20
#define MAX_PAYLOAD	65507
#define MAX_FLOWS	256
/* A flow's sequence window; beyond it a sequence number is a bad header. */
#define MAX_SEQ_SPAN	(1u << 26)

struct hdr {
	uint32_t magic;
	uint32_t flow;
	uint64_t seq;
	uint32_t size;
} __attribute__((packed));

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static void install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: a blocking send/poll must return EINTR. */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
}

static void die(const char *fmt, const char *arg)
{
	fprintf(stderr, "mcr-udp: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n");
	exit(2);
}

static void die_errno(const char *what)
{
	fprintf(stderr, "mcr-udp: %s: %s\n", what, strerror(errno));
	exit(2);
}

static uint64_t parse_u64(const char *opt, const char *s, uint64_t max)
{
	char *end;
	unsigned long long v;

	errno = 0;
	if (!s || !*s || *s == '-')
		die("bad number for %s", opt);
	v = strtoull(s, &end, 0);
	if (errno || *end || v > max)
		die("bad number for %s", opt);
	return v;
}

static struct in_addr parse_addr(const char *opt, const char *s)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1)
		die("bad IPv4 address for %s", opt);
	return a;
}

/* An IPv4 or an IPv6 address. */
struct ipaddr {
	int family;		/* AF_INET or AF_INET6 */
	struct in_addr v4;
	struct in6_addr v6;
};

static struct ipaddr parse_ipaddr(const char *opt, const char *s)
{
	struct ipaddr a;

	memset(&a, 0, sizeof(a));
	a.family = AF_INET;
	if (inet_pton(AF_INET, s, &a.v4) == 1)
		return a;
	a.family = AF_INET6;
	if (inet_pton(AF_INET6, s, &a.v6) != 1)
		die("bad IPv4 or IPv6 address for %s", opt);
	return a;
}

/* An IPv6 address that means something only with an interface. */
static bool needs_scope(const struct in6_addr *a)
{
	return IN6_IS_ADDR_LINKLOCAL(a) || IN6_IS_ADDR_MC_LINKLOCAL(a) ||
	       IN6_IS_ADDR_MC_NODELOCAL(a);
}

/* The multicast MAC of group g: 01:00:5e + 23 bits, or 33:33 + 32 bits. */
static void mcast_mac(const struct ipaddr *g, uint8_t mac[6])
{
	if (g->family == AF_INET6) {
		mac[0] = 0x33;
		mac[1] = 0x33;
		memcpy(mac + 2, &g->v6.s6_addr[12], 4);
	} else {
		uint32_t a = ntohl(g->v4.s_addr);

		mac[0] = 0x01;
		mac[1] = 0x00;
		mac[2] = 0x5e;
		mac[3] = (a >> 16) & 0x7f;
		mac[4] = (a >> 8) & 0xff;
		mac[5] = a & 0xff;
	}
}

static unsigned int parse_ifindex(const char *dev)
{
	unsigned int idx = if_nametoindex(dev);

	if (!idx)
		die("no such device: %s", dev);
	return idx;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* splitmix64: a fixed, well-mixed function of its input. */
static uint64_t mix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

/* Byte i of the body (after the header) of packet (flow, seq). */
static void fill_body(uint8_t *p, size_t len, uint32_t flow, uint64_t seq)
{
	uint64_t base = ((uint64_t)flow << 32) ^ mix64(seq);
	size_t i;

	for (i = 0; i < len; i += 8) {
		uint64_t v = mix64(base + i / 8);
		size_t j;

		for (j = 0; j < 8 && i + j < len; j++)
			p[i + j] = (uint8_t)(v >> (8 * j));
	}
}

static uint64_t htonll(uint64_t v)
{
	return ((uint64_t)htonl((uint32_t)v) << 32) | htonl((uint32_t)(v >> 32));
}

static uint64_t ntohll(uint64_t v)
{
	return htonll(v);
}

static void build_payload(uint8_t *buf, size_t size, uint32_t flow, uint64_t seq)
{
	struct hdr h = {
		.magic = htonl(MAGIC),
		.flow = htonl(flow),
		.seq = htonll(seq),
		.size = htonl((uint32_t)size),
	};

	memcpy(buf, &h, HDR_LEN);
	fill_body(buf + HDR_LEN, size - HDR_LEN, flow, seq);
}

/* ------------------------------------------------------------------ */
/* send                                                                */
/* ------------------------------------------------------------------ */

/* The Internet checksum's 32-bit sum of len bytes at p, added to sum. */
static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/*
 * For --raw: the IPv4 and UDP headers in front of the payload at
 * frame + 28 (size bytes), checksums complete.
 */
static void build_headers(uint8_t *frame, size_t size, struct in_addr src,
			  struct in_addr dst, unsigned int sport,
			  unsigned int dport, unsigned int ttl,
			  unsigned int tos, uint16_t id, bool zero_csum)
{
	struct iphdr *iph = (struct iphdr *)frame;
	struct udphdr *uh = (struct udphdr *)(frame + sizeof(*iph));
	uint8_t pseudo[12];
	uint16_t ulen = (uint16_t)(sizeof(*uh) + size);
	uint16_t check;

	memset(iph, 0, sizeof(*iph));
	iph->version = 4;
	iph->ihl = 5;
	iph->tos = (uint8_t)tos;
	iph->tot_len = htons((uint16_t)(sizeof(*iph) + ulen));
	iph->id = htons(id);
	iph->ttl = (uint8_t)ttl;
	iph->protocol = IPPROTO_UDP;
	iph->saddr = src.s_addr;
	iph->daddr = dst.s_addr;
	iph->check = htons(csum_fold(csum_add(0, frame, sizeof(*iph))));

	uh->source = htons((uint16_t)sport);
	uh->dest = htons((uint16_t)dport);
	uh->len = htons(ulen);
	uh->check = 0;
	memcpy(pseudo, &iph->saddr, 4);
	memcpy(pseudo + 4, &iph->daddr, 4);
	pseudo[8] = 0;
	pseudo[9] = IPPROTO_UDP;
	memcpy(pseudo + 10, &uh->len, 2);
	check = csum_fold(csum_add(csum_add(0, pseudo, sizeof(pseudo)),
				   (const uint8_t *)uh, ulen));
	uh->check = zero_csum ? 0 : htons(check ? check : 0xffff);
}

#define IP6_HLEN	40
#define EXTHDR_LEN	8	/* the --frag and --dstopts headers' */

/* --frag, --frag-more: the Fragment header to send, if any. */
enum frag_kind {
	FRAG_NONE,
	FRAG_ATOMIC,		/* offset 0, M = 0 */
	FRAG_FIRST,		/* offset 0, M = 1 */
};

/* For --raw over IPv6: the bytes in front of the payload. */
static size_t headers6_len(enum frag_kind frag, bool dstopts)
{
	return IP6_HLEN + (frag ? EXTHDR_LEN : 0) + (dstopts ? EXTHDR_LEN : 0) +
	       sizeof(struct udphdr);
}

/*
 * For --raw over IPv6: the IPv6 header, a Fragment header (frag), a
 * Destination Options header (dstopts) and the UDP header in front of the
 * payload at frame + headers6_len() (size bytes); the UDP checksum
 * complete (over this datagram, or fragment), or 0 (zero_csum).
 */
static void build_headers6(uint8_t *frame, size_t size, const struct in6_addr *src,
			   const struct in6_addr *dst, unsigned int sport,
			   unsigned int dport, unsigned int hops,
			   unsigned int tclass, uint32_t label, uint32_t id,
			   enum frag_kind frag, bool dstopts, bool zero_csum)
{
	uint8_t *p = frame + IP6_HLEN, *next = frame + 6;
	uint16_t ulen = (uint16_t)(sizeof(struct udphdr) + size);
	uint16_t check, plen;
	uint32_t sum;

	memset(frame, 0, IP6_HLEN);
	frame[0] = (uint8_t)(0x60 | (tclass >> 4));
	frame[1] = (uint8_t)(((tclass & 0xf) << 4) | ((label >> 16) & 0xf));
	frame[2] = (uint8_t)(label >> 8);
	frame[3] = (uint8_t)label;
	frame[7] = (uint8_t)hops;
	memcpy(frame + 8, src, 16);
	memcpy(frame + 24, dst, 16);
	if (frag) {
		uint32_t nid = htonl(id);

		*next = IPPROTO_FRAGMENT;
		next = p;
		p[1] = 0;
		p[2] = 0;		/* offset 0 */
		p[3] = frag == FRAG_FIRST;	/* M */
		memcpy(p + 4, &nid, 4);
		p += EXTHDR_LEN;
	}
	if (dstopts) {
		*next = IPPROTO_DSTOPTS;
		next = p;
		p[1] = 0;		/* (0 + 1) * 8 bytes */
		p[2] = 1;		/* PadN */
		p[3] = 4;		/* of 4 bytes */
		memset(p + 4, 0, 4);
		p += EXTHDR_LEN;
	}
	*next = IPPROTO_UDP;
	plen = (uint16_t)(p - frame - IP6_HLEN + ulen);
	frame[4] = (uint8_t)(plen >> 8);
	frame[5] = (uint8_t)plen;

	p[0] = (uint8_t)(sport >> 8);
	p[1] = (uint8_t)sport;
	p[2] = (uint8_t)(dport >> 8);
	p[3] = (uint8_t)dport;
	p[4] = (uint8_t)(ulen >> 8);
	p[5] = (uint8_t)ulen;
	p[6] = p[7] = 0;
	if (zero_csum)
		return;
	/* Pseudo-header: source, destination, UDP length, next header. */
	sum = csum_add(0, frame + 8, 32) + ulen + IPPROTO_UDP;
	check = csum_fold(csum_add(sum, p, ulen));
	if (!check)
		check = 0xffff;
	p[6] = (uint8_t)(check >> 8);
	p[7] = (uint8_t)check;
}

static void parse_mac(const char *s, uint8_t mac[6])
{
	unsigned int b[6], i;
	char tail;

	if (sscanf(s, "%x:%x:%x:%x:%x:%x%c", &b[0], &b[1], &b[2], &b[3],
		   &b[4], &b[5], &tail) != 6)
		die("bad MAC address for --dst-mac: %s", s);
	for (i = 0; i < 6; i++) {
		if (b[i] > 0xff)
			die("bad MAC address for --dst-mac: %s", s);
		mac[i] = (uint8_t)b[i];
	}
}

/*
 * The IPv6 sending socket: cmd_send()'s options for it, as the IPv4 code
 * sets them up. label: the flow label to send, or -1 for the kernel's.
 * Sets dst's scope (a link-local destination) and flow information.
 */
static int open_send6(struct sockaddr_in6 *dst, const char *iface,
		      const struct ipaddr *src, unsigned int src_port,
		      unsigned int ttl, unsigned int tos, bool loop,
		      unsigned int gso, unsigned int size, long label)
{
	int ifindex = iface ? (int)parse_ifindex(iface) : 0;
	int fd = socket(AF_INET6, SOCK_DGRAM, 0), one = 1, zero = 0, v;

	if (fd < 0)
		die_errno("socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	/* Report ENOBUFS instead of silently counting it (udp_v6_send_skb). */
	if (setsockopt(fd, IPPROTO_IPV6, IPV6_RECVERR, &one, sizeof(one)))
		die_errno("IPV6_RECVERR");
	if (src || src_port) {
		struct sockaddr_in6 b = {
			.sin6_family = AF_INET6,
			.sin6_port = htons(src_port),
		};

		if (src) {
			b.sin6_addr = src->v6;
			if (needs_scope(&b.sin6_addr))
				b.sin6_scope_id = (uint32_t)ifindex;
		}
		if (bind(fd, (struct sockaddr *)&b, sizeof(b)))
			die_errno("bind");
	}
	if (iface) {
		if (IN6_IS_ADDR_MULTICAST(&dst->sin6_addr)) {
			if (setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF,
				       &ifindex, sizeof(ifindex)))
				die_errno("IPV6_MULTICAST_IF");
		} else if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, iface,
				      strlen(iface))) {
			die_errno("SO_BINDTODEVICE");
		}
		if (needs_scope(&dst->sin6_addr))
			dst->sin6_scope_id = (uint32_t)ifindex;
	}
	v = (int)ttl;
	if (setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &v, sizeof(v)) ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &v, sizeof(v)))
		die_errno("hop limit");
	/* Our own copy must not loop back into a local listener. */
	if (!loop)
		setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, &zero, sizeof(zero));
	v = (int)tos;
	if (tos && setsockopt(fd, IPPROTO_IPV6, IPV6_TCLASS, &v, sizeof(v)))
		die_errno("IPV6_TCLASS");
	if (label == 0) {
		/* Label 0 is "none": the kernel would make one up. */
		if (setsockopt(fd, IPPROTO_IPV6, IPV6_AUTOFLOWLABEL, &zero, sizeof(zero)))
			die_errno("IPV6_AUTOFLOWLABEL");
	} else if (label > 0) {
		/* A label is sent only once the socket holds it (lease). */
		struct in6_flowlabel_req fr = {
			.flr_dst = dst->sin6_addr,
			.flr_label = htonl((uint32_t)label),
			.flr_action = IPV6_FL_A_GET,
			.flr_share = IPV6_FL_S_ANY,
			.flr_flags = IPV6_FL_F_CREATE,
		};

		if (setsockopt(fd, IPPROTO_IPV6, IPV6_FLOWLABEL_MGR, &fr, sizeof(fr)))
			die_errno("IPV6_FLOWLABEL_MGR");
		if (setsockopt(fd, IPPROTO_IPV6, IPV6_FLOWINFO_SEND, &one, sizeof(one)))
			die_errno("IPV6_FLOWINFO_SEND");
		dst->sin6_flowinfo = htonl((uint32_t)label);
	}
	v = (int)size;
	if (gso > 1 && setsockopt(fd, SOL_UDP, UDP_SEGMENT, &v, sizeof(v)))
		die_errno("UDP_SEGMENT");
	return fd;
}

static int cmd_send(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dst", required_argument, NULL, 'd' },
		{ "port", required_argument, NULL, 'p' },
		{ "src", required_argument, NULL, 'S' },
		{ "src-port", required_argument, NULL, 's' },
		{ "count", required_argument, NULL, 'c' },
		{ "rate", required_argument, NULL, 'r' },
		{ "size", required_argument, NULL, 'z' },
		{ "ttl", required_argument, NULL, 't' },
		{ "tos", required_argument, NULL, 'o' },
		{ "flow", required_argument, NULL, 'f' },
		{ "iface", required_argument, NULL, 'i' },
		{ "start-seq", required_argument, NULL, 'q' },
		{ "duration-max", required_argument, NULL, 'D' },
		{ "keep-going", no_argument, NULL, 'k' },
		{ "loop", no_argument, NULL, 'l' },
		{ "raw", no_argument, NULL, 'R' },
		{ "dst-mac", required_argument, NULL, 'M' },
		{ "gso", required_argument, NULL, 'G' },
		{ "flowlabel", required_argument, NULL, 'L' },
		{ "zero-csum", no_argument, NULL, 'Z' },
		{ "dstopts", no_argument, NULL, 'X' },
		{ "frag", no_argument, NULL, 'F' },
		{ "frag-more", no_argument, NULL, 'm' },
		{ NULL, 0, NULL, 0 },
	};
	const char *dst = NULL, *iface = NULL, *src = NULL, *dst_mac = NULL;
	bool loop = false, raw = false, zero_csum = false, dstopts = false;
	enum frag_kind frag = FRAG_NONE;
	struct ipaddr dsta, srca;
	struct sockaddr_in6 sin6;
	long label = -1;
	unsigned int gso = 1, batch, j;
	struct sockaddr_ll sll;
	const struct sockaddr *dest;
	socklen_t dest_len;
	uint8_t *frame;
	size_t frame_len, hdr_room = 0;
	uint64_t count = 1000, rate = 1000, seq, start_seq = 0, duration = 0;
	unsigned int port = 0, src_port = 0, ttl = 64, tos = 0, size = 100;
	uint32_t flow = 0;
	bool keep_going = false;
	uint64_t sent = 0, errors = 0, retries = 0, t0, deadline_end;
	struct sockaddr_in sin;
	uint8_t *buf;
	int fd, c, one = 1;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd': dst = optarg; break;
		case 'p': port = parse_u64("--port", optarg, 65535); break;
		case 'S': src = optarg; break;
		case 's': src_port = parse_u64("--src-port", optarg, 65535); break;
		case 'c': count = parse_u64("--count", optarg, UINT64_MAX); break;
		case 'r': rate = parse_u64("--rate", optarg, 100000000); break;
		case 'z': size = parse_u64("--size", optarg, MAX_PAYLOAD); break;
		case 't': ttl = parse_u64("--ttl", optarg, 255); break;
		case 'o': tos = parse_u64("--tos", optarg, 255); break;
		case 'f': flow = parse_u64("--flow", optarg, UINT32_MAX); break;
		case 'i': iface = optarg; break;
		case 'q': start_seq = parse_u64("--start-seq", optarg, UINT64_MAX / 2); break;
		case 'D': duration = parse_u64("--duration-max", optarg, 1000000); break;
		case 'k': keep_going = true; break;
		case 'l': loop = true; break;
		case 'R': raw = true; break;
		case 'M': dst_mac = optarg; break;
		case 'G': gso = parse_u64("--gso", optarg, 64); break;
		case 'L': label = (long)parse_u64("--flowlabel", optarg, 0xfffff); break;
		case 'Z': zero_csum = true; break;
		case 'X': dstopts = true; break;
		case 'F': frag = FRAG_ATOMIC; break;
		case 'm': frag = FRAG_FIRST; break;
		default: exit(2);
		}
	}
	if (optind != argc)
		die("unexpected argument: %s", argv[optind]);
	if (!dst || !port)
		die("%s", "send needs --dst and --port");
	dsta = parse_ipaddr("--dst", dst);
	srca = dsta;
	if (src) {
		srca = parse_ipaddr("--src", src);
		if (srca.family != dsta.family)
			die("%s", "--src and --dst must be of the same family");
	}
	if (dsta.family == AF_INET && (label >= 0 || dstopts || frag))
		die("%s", "--flowlabel, --dstopts and --frag(-more) are for IPv6");
	if ((zero_csum || dstopts || frag) && !raw)
		die("%s", "--zero-csum, --dstopts and --frag(-more) need --raw");
	/* All but the last fragment: a multiple of 8 bytes after the header. */
	if (frag == FRAG_FIRST && (size + (dstopts ? EXTHDR_LEN : 0)) % 8)
		die("%s", "--frag-more needs a --size that is a multiple of 8");
	if (size < HDR_LEN)
		die("%s", "--size must be at least 20 (the header)");
	if (raw && !iface)
		die("%s", "--raw needs --iface");
	if (dst_mac && !raw)
		die("%s", "--dst-mac needs --raw");
	if (!gso || (gso > 1 && raw))
		die("%s", "--gso takes 1 to 64 datagrams, and not with --raw");

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr = dsta.v4;
	sin.sin_port = htons(port);
	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	sin6.sin6_addr = dsta.v6;
	sin6.sin6_port = htons(port);

	if (raw)
		goto raw_socket;
	if (dsta.family == AF_INET6) {
		fd = open_send6(&sin6, iface, src ? &srca : NULL, src_port, ttl,
				tos, loop, gso, size, label);
		dest = (const struct sockaddr *)&sin6;
		dest_len = sizeof(sin6);
		goto socket_ready;
	}
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		die_errno("socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	/* Report ENOBUFS instead of silently counting it (udp_send_skb). */
	if (setsockopt(fd, IPPROTO_IP, IP_RECVERR, &one, sizeof(one)))
		die_errno("IP_RECVERR");
	if (src || src_port) {
		struct sockaddr_in b = { .sin_family = AF_INET };

		if (src)
			b.sin_addr = parse_addr("--src", src);
		b.sin_port = htons(src_port);
		if (bind(fd, (struct sockaddr *)&b, sizeof(b)))
			die_errno("bind");
	}
	if (iface) {
		struct ip_mreqn mr = { .imr_ifindex = (int)parse_ifindex(iface) };

		if (IN_MULTICAST(ntohl(sin.sin_addr.s_addr))) {
			if (setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &mr, sizeof(mr)))
				die_errno("IP_MULTICAST_IF");
		} else if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, iface,
				      strlen(iface))) {
			die_errno("SO_BINDTODEVICE");
		}
	}
	{
		int v = (int)ttl, zero = 0;

		if (setsockopt(fd, IPPROTO_IP, IP_MULTICAST_TTL, &v, sizeof(v)) ||
		    setsockopt(fd, IPPROTO_IP, IP_TTL, &v, sizeof(v)))
			die_errno("TTL");
		/* Our own copy must not loop back into a local listener. */
		if (!loop)
			setsockopt(fd, IPPROTO_IP, IP_MULTICAST_LOOP, &zero,
				   sizeof(zero));
		v = (int)tos;
		if (tos && setsockopt(fd, IPPROTO_IP, IP_TOS, &v, sizeof(v)))
			die_errno("IP_TOS");
		v = (int)size;
		if (gso > 1 && setsockopt(fd, SOL_UDP, UDP_SEGMENT, &v, sizeof(v)))
			die_errno("UDP_SEGMENT");
	}
	dest = (const struct sockaddr *)&sin;
	dest_len = sizeof(sin);
	goto socket_ready;

raw_socket:
	{
		uint16_t proto = dsta.family == AF_INET6 ? ETH_P_IPV6 : ETH_P_IP;

		fd = socket(AF_PACKET, SOCK_DGRAM, htons(proto));
		if (fd < 0)
			die_errno("socket(AF_PACKET)");
		memset(&sll, 0, sizeof(sll));
		sll.sll_family = AF_PACKET;
		sll.sll_protocol = htons(proto);
	}
	sll.sll_ifindex = (int)parse_ifindex(iface);
	sll.sll_halen = 6;
	if (dst_mac)
		parse_mac(dst_mac, sll.sll_addr);
	else
		mcast_mac(&dsta, sll.sll_addr);
	dest = (const struct sockaddr *)&sll;
	dest_len = sizeof(sll);
	if (dsta.family == AF_INET6)
		hdr_room = headers6_len(frag, dstopts);
	else
		hdr_room = sizeof(struct iphdr) + sizeof(struct udphdr);

socket_ready:
	frame_len = hdr_room + (size_t)size * gso;
	frame = malloc(frame_len);
	if (!frame)
		die_errno("malloc");
	buf = frame + hdr_room;
	install_signals();

	t0 = now_ns();
	deadline_end = duration ? t0 + duration * 1000000000ull : UINT64_MAX;
	for (seq = start_seq; !stop_requested && (!count || sent < count); ) {
		uint64_t now;

		if (rate) {
			uint64_t due = t0 + (sent * 1000000000ull) / rate;
			struct timespec ts = {
				.tv_sec = due / 1000000000ull,
				.tv_nsec = due % 1000000000ull,
			};

			while (now_ns() < due && !stop_requested)
				clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
			if (stop_requested)
				break;
		}
		now = now_ns();
		if (now >= deadline_end)
			break;
		batch = gso;
		if (count && count - sent < batch)
			batch = (unsigned int)(count - sent);
		for (j = 0; j < batch; j++)
			build_payload(buf + (size_t)j * size, size, flow, seq + j);
		frame_len = hdr_room + (size_t)size * batch;
		if (raw && dsta.family == AF_INET6)
			build_headers6(frame, size,
				       src ? &srca.v6 : &(struct in6_addr){ 0 },
				       &dsta.v6, src_port ? src_port : 4000, port,
				       ttl, tos, label > 0 ? (uint32_t)label : 0,
				       (uint32_t)seq, frag, dstopts, zero_csum);
		else if (raw)
			build_headers(frame, size,
				      src ? srca.v4 : (struct in_addr){ 0 },
				      sin.sin_addr, src_port ? src_port : 4000, port,
				      ttl, tos, (uint16_t)seq, zero_csum);
		if (sendto(fd, frame, frame_len, 0, dest, dest_len) == (ssize_t)frame_len) {
			sent += batch;
			seq += batch;
			continue;
		}
		if (errno == EINTR)
			continue;
		if (errno == ENOBUFS || errno == EAGAIN) {
			/* The first device dropped it: retry the same seq. */
			struct timespec ts = { .tv_nsec = 50000 };

			retries++;
			nanosleep(&ts, NULL);
			continue;
		}
		errors++;
		if (!keep_going) {
			fprintf(stderr, "mcr-udp: sendto: %s\n", strerror(errno));
			printf("sent=%" PRIu64 "\n", sent);
			return 1;
		}
		/* Skip this sequence number: it never left. Keep the pace. */
		{
			struct timespec ts = { .tv_nsec = 1000000 };

			nanosleep(&ts, NULL);
		}
	}
	if (errors || retries)
		fprintf(stderr, "mcr-udp: send errors=%" PRIu64 " enobufs_retries=%" PRIu64 "\n",
			errors, retries);
	printf("sent=%" PRIu64 "\n", sent);
	fflush(stdout);
	free(frame);
	close(fd);
	return 0;
}

/* ------------------------------------------------------------------ */
/* recv                                                                */
/* ------------------------------------------------------------------ */

struct flow_state {
	bool used;
	uint32_t flow;
	uint64_t base;		/* seq of bit 0 */
	uint64_t min_seq, max_seq;
	uint64_t unique, dup, reordered;
	uint8_t *bits;
	uint64_t nbits;		/* allocated bits */
};

struct recv_ctx {
	/* options */
	int family;		/* the group's: AF_INET or AF_INET6 */
	struct in_addr group;
	struct in6_addr group6;
	unsigned int port;
	bool have_flow;
	uint32_t flow;
	uint64_t start_seq;
	bool expect_any;
	uint64_t expect;
	int want_ttl, want_tos, want_sport;
	bool have_saddr;
	struct in_addr want_saddr;
	struct in6_addr want_saddr6;
	long want_label;	/* IPv6 flow label, -1: any */
	int want_exthdr;	/* IPv6 extension headers before UDP, -1: any */
	bool allow_partial;
	/* counters */
	uint64_t received, bad_payload, bad_csum, bad_mac, bad_hdr, other_flow;
	uint64_t sock_drops;
	uint64_t unique;
	struct flow_state flows[MAX_FLOWS];
	uint8_t *expbuf;
};

static struct flow_state *get_flow(struct recv_ctx *c, uint32_t flow)
{
	struct flow_state *f;
	int i;

	for (i = 0; i < MAX_FLOWS; i++) {
		f = &c->flows[i];
		if (f->used && f->flow == flow)
			return f;
		if (!f->used) {
			f->used = true;
			f->flow = flow;
			f->base = c->expect_any ? 0 : c->start_seq;
			f->min_seq = UINT64_MAX;
			return f;
		}
	}
	return NULL;
}

/* Record seq; returns false if seq is outside the window. */
static bool record_seq(struct recv_ctx *c, struct flow_state *f, uint64_t seq)
{
	uint64_t off;

	if (seq < f->base || seq - f->base >= MAX_SEQ_SPAN)
		return false;
	off = seq - f->base;
	if (off >= f->nbits) {
		uint64_t n = f->nbits ? f->nbits : 8192;
		uint8_t *nb;

		while (n <= off)
			n *= 2;
		nb = realloc(f->bits, n / 8);
		if (!nb)
			die_errno("realloc");
		memset(nb + f->nbits / 8, 0, (n - f->nbits) / 8);
		f->bits = nb;
		f->nbits = n;
	}
	if (f->bits[off / 8] & (1u << (off % 8))) {
		f->dup++;
		return true;
	}
	f->bits[off / 8] |= 1u << (off % 8);
	if (f->unique && seq < f->max_seq)
		f->reordered++;
	if (!f->unique || seq > f->max_seq)
		f->max_seq = seq;
	if (seq < f->min_seq)
		f->min_seq = seq;
	f->unique++;
	c->unique++;
	return true;
}

static uint64_t flow_gaps(const struct recv_ctx *c, const struct flow_state *f)
{
	uint64_t lo;

	if (!f->unique)
		return 0;
	lo = c->expect_any ? f->min_seq : c->start_seq;
	return (f->max_seq - lo + 1) - f->unique;
}

/* Checks the UDP payload and records its sequence number. */
static void check_payload(struct recv_ctx *c, const uint8_t *p, size_t len)
{
	struct hdr h;
	struct flow_state *f;
	uint64_t seq;
	uint32_t flow;

	if (len < HDR_LEN) {
		c->received++;
		c->bad_payload++;
		return;
	}
	memcpy(&h, p, HDR_LEN);
	flow = ntohl(h.flow);
	if (c->have_flow && flow != c->flow && ntohl(h.magic) == MAGIC) {
		c->other_flow++;
		return;
	}
	c->received++;
	if (ntohl(h.magic) != MAGIC || ntohl(h.size) != len) {
		c->bad_payload++;
		return;
	}
	seq = ntohll(h.seq);
	fill_body(c->expbuf, len - HDR_LEN, flow, seq);
	if (memcmp(c->expbuf, p + HDR_LEN, len - HDR_LEN)) {
		c->bad_payload++;
		return;
	}
	f = get_flow(c, flow);
	if (!f || !record_seq(c, f, seq))
		c->bad_hdr++;
}

/*
 * The UDP datagram udp (ulen bytes) of a packet to G:P whose headers were
 * checked (bad_*: what was wrong with them): count it, and check its
 * payload if they were fine.
 */
static void handle_udp(struct recv_ctx *c, const uint8_t *udp, size_t ulen,
		       bool bad_hdr, bool bad_csum, bool bad_mac)
{
	if (ulen >= 8 + HDR_LEN && c->have_flow) {
		uint32_t magic, flow;

		memcpy(&magic, udp + 8, 4);
		memcpy(&flow, udp + 8 + 4, 4);
		if (ntohl(magic) == MAGIC && ntohl(flow) != c->flow) {
			c->other_flow++;
			return;
		}
	}
	if (bad_hdr || bad_csum || bad_mac) {
		c->received++;
		c->bad_hdr += bad_hdr;
		c->bad_csum += bad_csum;
		c->bad_mac += bad_mac;
		return;
	}
	check_payload(c, udp + 8, ulen - 8);
}

/*
 * Check one IPv4 packet, ip (len bytes), and the destination MAC it came
 * to, dmac (NULL: a device without a link layer header, such as a tunnel).
 */
static void handle_ip(struct recv_ctx *c, const uint8_t *ip, size_t len,
		      const uint8_t *dmac, bool csum_not_ready)
{
	const uint8_t *udp;
	size_t ihl, tot, ulen;
	uint32_t g = ntohl(c->group.s_addr), sum;
	bool bad_hdr = false, bad_csum = false, bad_mac = false;
	unsigned int frag;

	if (len < 20 || (ip[0] >> 4) != 4 || ip[9] != IPPROTO_UDP)
		return;
	if (memcmp(ip + 16, &c->group.s_addr, 4))
		return;
	ihl = (ip[0] & 0xf) * 4u;
	tot = (size_t)ip[2] << 8 | ip[3];
	frag = ((unsigned int)ip[6] << 8 | ip[7]) & 0x3fff;	/* MF + offset */
	if (ihl < 20 || tot < ihl || tot > len) {
		c->received++;
		c->bad_hdr++;
		return;
	}
	if (frag) {
		/* A fragment of ours (we cannot see its port in later ones). */
		c->received++;
		c->bad_hdr++;
		return;
	}
	if (tot < ihl + 8)
		return;
	udp = ip + ihl;
	if (((unsigned int)udp[2] << 8 | udp[3]) != c->port)
		return;
	ulen = (size_t)udp[4] << 8 | udp[5];

	if (csum_fold(csum_add(0, ip, ihl)) != 0)
		bad_csum = true;
	if (ulen < 8 || ulen > tot - ihl) {
		bad_hdr = true;
		ulen = tot - ihl;
	} else if (csum_not_ready) {
		/* The UDP checksum field holds only the pseudo-header sum. */
		bad_csum = !c->allow_partial;
	} else if (udp[6] || udp[7]) {
		sum = csum_add(0, ip + 12, 8);	/* saddr, daddr */
		sum += IPPROTO_UDP + (uint32_t)ulen;
		sum = csum_add(sum, udp, ulen);
		if (csum_fold(sum) != 0)
			bad_csum = true;
	}
	if (dmac && IN_MULTICAST(g)) {
		const uint8_t want[6] = { 0x01, 0x00, 0x5e, (g >> 16) & 0x7f,
					  (g >> 8) & 0xff, g & 0xff };

		if (memcmp(dmac, want, 6))
			bad_mac = true;
	}
	if (c->want_ttl >= 0 && ip[8] != c->want_ttl)
		bad_hdr = true;
	if (c->want_tos >= 0 && ip[1] != c->want_tos)
		bad_hdr = true;
	if (c->want_sport >= 0 &&
	    ((unsigned int)udp[0] << 8 | udp[1]) != (unsigned int)c->want_sport)
		bad_hdr = true;
	if (c->have_saddr && memcmp(ip + 12, &c->want_saddr.s_addr, 4))
		bad_hdr = true;

	handle_udp(c, udp, ulen, bad_hdr, bad_csum, bad_mac);
}

/*
 * The rest of an IPv6 packet, ip (len bytes; dmac as for handle_ip()),
 * from the extension header or UDP header nh at ip + off on, up to end:
 * walks the extension headers to UDP, counting them in *exthdrs. Returns
 * the UDP header's offset; 0 if the packet is not UDP (or has no room for
 * its header); -1 if an extension header overruns end; -2 at the Fragment
 * header of a fragment.
 */
static long walk_ip6(const uint8_t *ip, size_t off, size_t end, unsigned int *exthdrs)
{
	unsigned int nh = ip[6];

	for (;;) {
		size_t hl;

		switch (nh) {
		case IPPROTO_HOPOPTS:
		case IPPROTO_ROUTING:
		case IPPROTO_DSTOPTS:
		case IPPROTO_AH:
		case IPPROTO_FRAGMENT:
			break;
		case IPPROTO_UDP:
			return off + 8 <= end ? (long)off : 0;
		default:
			return 0;
		}
		if (off + 8 > end)
			return -1;
		/*
		 * A fragment, unless atomic (offset 0, M = 0): that one is a
		 * whole datagram with a Fragment header (RFC 6946).
		 */
		if (nh == IPPROTO_FRAGMENT && (ip[off + 2] || (ip[off + 3] & 0xf9)))
			return -2;
		if (nh == IPPROTO_AH)
			hl = ((size_t)ip[off + 1] + 2) * 4;
		else if (nh == IPPROTO_FRAGMENT)
			hl = 8;
		else
			hl = ((size_t)ip[off + 1] + 1) * 8;
		if (off + hl > end)
			return -1;
		nh = ip[off];
		off += hl;
		(*exthdrs)++;
	}
}

/* handle_ip() for an IPv6 packet, ip (len bytes). */
static void handle_ip6(struct recv_ctx *c, const uint8_t *ip, size_t len,
		       const uint8_t *dmac, bool csum_not_ready)
{
	const uint8_t *udp;
	size_t end, ulen;
	unsigned int exthdrs = 0, tclass;
	uint32_t label, sum;
	bool bad_hdr = false, bad_csum = false, bad_mac = false;
	long off;

	if (len < IP6_HLEN || (ip[0] >> 4) != 6)
		return;
	if (memcmp(ip + 24, &c->group6, 16))
		return;
	end = IP6_HLEN + ((size_t)ip[4] << 8 | ip[5]);
	if (end == IP6_HLEN || end > len) {
		/* Truncated, or a jumbogram (payload length 0). */
		c->received++;
		c->bad_hdr++;
		return;
	}
	off = walk_ip6(ip, IP6_HLEN, end, &exthdrs);
	if (off < 0) {
		/* Bad extension headers, or a fragment of ours (we cannot see
		 * its port in later ones). */
		c->received++;
		c->bad_hdr++;
		return;
	}
	if (!off)
		return;
	udp = ip + off;
	if (((unsigned int)udp[2] << 8 | udp[3]) != c->port)
		return;
	ulen = (size_t)udp[4] << 8 | udp[5];

	if (ulen != end - (size_t)off) {
		bad_hdr = true;
		ulen = end - (size_t)off;
	} else if (csum_not_ready) {
		/* The UDP checksum field holds only the pseudo-header sum. */
		bad_csum = !c->allow_partial;
	} else if (!udp[6] && !udp[7]) {
		bad_csum = true;	/* IPv6 does not allow "no checksum" */
	} else {
		/* Pseudo-header: saddr, daddr, UDP length, next header. */
		sum = csum_add(0, ip + 8, 32) + (uint32_t)ulen + IPPROTO_UDP;
		sum = csum_add(sum, udp, ulen);
		if (csum_fold(sum) != 0)
			bad_csum = true;
	}
	if (dmac && IN6_IS_ADDR_MULTICAST(&c->group6)) {
		const uint8_t want[6] = { 0x33, 0x33, c->group6.s6_addr[12],
					  c->group6.s6_addr[13], c->group6.s6_addr[14],
					  c->group6.s6_addr[15] };

		if (memcmp(dmac, want, 6))
			bad_mac = true;
	}
	tclass = (ip[0] & 0xfu) << 4 | ip[1] >> 4;
	label = (uint32_t)(ip[1] & 0xf) << 16 | (uint32_t)ip[2] << 8 | ip[3];
	if (c->want_ttl >= 0 && ip[7] != c->want_ttl)
		bad_hdr = true;
	if (c->want_tos >= 0 && tclass != (unsigned int)c->want_tos)
		bad_hdr = true;
	if (c->want_label >= 0 && label != (uint32_t)c->want_label)
		bad_hdr = true;
	if (c->want_exthdr >= 0 && exthdrs != (unsigned int)c->want_exthdr)
		bad_hdr = true;
	if (c->want_sport >= 0 &&
	    ((unsigned int)udp[0] << 8 | udp[1]) != (unsigned int)c->want_sport)
		bad_hdr = true;
	if (c->have_saddr && memcmp(ip + 8, &c->want_saddr6, 16))
		bad_hdr = true;

	handle_udp(c, udp, ulen, bad_hdr, bad_csum, bad_mac);
}

/* One packet in G's family: handle_ip() or handle_ip6(). */
static void handle_l3(struct recv_ctx *c, const uint8_t *ip, size_t len,
		      const uint8_t *dmac, bool csum_not_ready)
{
	if (c->family == AF_INET6)
		handle_ip6(c, ip, len, dmac, csum_not_ready);
	else
		handle_ip(c, ip, len, dmac, csum_not_ready);
}

/* A frame read from an AF_PACKET socket; hatype: the device's ARPHRD_*. */
static void handle_frame(struct recv_ctx *c, const uint8_t *fr, size_t len,
			 unsigned short hatype, bool csum_not_ready)
{
	const struct ether_header *eth = (const void *)fr;

	if (hatype != ARPHRD_ETHER) {
		handle_l3(c, fr, len, NULL, csum_not_ready);
		return;
	}
	if (len < sizeof(*eth) ||
	    ntohs(eth->ether_type) != (c->family == AF_INET6 ? ETHERTYPE_IPV6 : ETHERTYPE_IP))
		return;
	handle_l3(c, fr + sizeof(*eth), len - sizeof(*eth), eth->ether_dhost,
		  csum_not_ready);
}

/* Room for a whole burst: a receiver that overflows fails the count. */
static void set_big_rcvbuf(int fd)
{
	int bufsz = 64 << 20;

	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &bufsz, sizeof(bufsz)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bufsz, sizeof(bufsz));
}

/* A UDP receiving socket that reports the drops it had (SO_RXQ_OVFL). */
static int udp_rx_socket(int family)
{
	int one = 1;
	int fd = socket(family, SOCK_DGRAM, 0);

	if (fd < 0)
		die_errno("socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	set_big_rcvbuf(fd);
	setsockopt(fd, SOL_SOCKET, SO_RXQ_OVFL, &one, sizeof(one));
	return fd;
}

/* An AF_PACKET socket on iface for proto (ETH_P_IP or ETH_P_IPV6). */
static int open_packet(const char *iface, uint16_t proto)
{
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(proto),
		.sll_ifindex = (int)parse_ifindex(iface),
	};
	int one = 1;
	/* Protocol 0 until bound: no frames from other devices sneak in. */
	int fd = socket(AF_PACKET, SOCK_RAW, 0);

	if (fd < 0)
		die_errno("socket(AF_PACKET)");
	set_big_rcvbuf(fd);
	if (setsockopt(fd, SOL_PACKET, PACKET_AUXDATA, &one, sizeof(one)))
		die_errno("PACKET_AUXDATA");
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)))
		die_errno("bind(AF_PACKET)");
	return fd;
}

static int open_udp(const char *iface, struct in_addr group, unsigned int port)
{
	struct sockaddr_in sin = {
		.sin_family = AF_INET,
		.sin_port = htons(port),
	};
	int one = 1, zero = 0;
	int ifindex = (int)parse_ifindex(iface);
	bool mc = IN_MULTICAST(ntohl(group.s_addr));
	int fd = udp_rx_socket(AF_INET);

	setsockopt(fd, IPPROTO_IP, IP_RECVTTL, &one, sizeof(one));
	setsockopt(fd, IPPROTO_IP, IP_RECVTOS, &one, sizeof(one));
	/* Only groups this socket joined on this device, not the host's. */
	setsockopt(fd, IPPROTO_IP, IP_MULTICAST_ALL, &zero, sizeof(zero));
	if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, iface, strlen(iface)))
		die_errno("SO_BINDTODEVICE");
	sin.sin_addr.s_addr = mc ? group.s_addr : htonl(INADDR_ANY);
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)))
		die_errno("bind");
	if (mc) {
		struct ip_mreqn mr = {
			.imr_multiaddr = group,
			.imr_ifindex = ifindex,
		};

		if (setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mr, sizeof(mr)))
			die_errno("IP_ADD_MEMBERSHIP");
	}
	return fd;
}

/* open_udp() for an IPv6 group (or unicast address); label: want flow labels. */
static int open_udp6(const char *iface, const struct in6_addr *group,
		     unsigned int port, bool label)
{
	struct sockaddr_in6 sin6 = {
		.sin6_family = AF_INET6,
		.sin6_port = htons(port),
	};
	int one = 1, zero = 0;
	int ifindex = (int)parse_ifindex(iface);
	bool mc = IN6_IS_ADDR_MULTICAST(group);
	int fd = udp_rx_socket(AF_INET6);

	setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (setsockopt(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, &one, sizeof(one)) ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_RECVTCLASS, &one, sizeof(one)))
		die_errno("IPV6_RECVHOPLIMIT/IPV6_RECVTCLASS");
	/* The flow information of every packet (when it is not 0). */
	if (label && setsockopt(fd, IPPROTO_IPV6, IPV6_FLOWINFO, &one, sizeof(one)))
		die_errno("IPV6_FLOWINFO");
	/* Only groups this socket joined on this device, not the host's. */
	setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_ALL, &zero, sizeof(zero));
	if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, iface, strlen(iface)))
		die_errno("SO_BINDTODEVICE");
	sin6.sin6_addr = mc ? *group : in6addr_any;
	if (mc && needs_scope(group))
		sin6.sin6_scope_id = (uint32_t)ifindex;
	if (bind(fd, (struct sockaddr *)&sin6, sizeof(sin6)))
		die_errno("bind");
	if (mc) {
		struct ipv6_mreq mr = {
			.ipv6mr_multiaddr = *group,
			.ipv6mr_interface = (unsigned int)ifindex,
		};

		if (setsockopt(fd, IPPROTO_IPV6, IPV6_JOIN_GROUP, &mr, sizeof(mr)))
			die_errno("IPV6_JOIN_GROUP");
	}
	return fd;
}

/* Attach to the tun device iface (IFF_TUN, no packet information). */
static int open_tun(const char *iface)
{
	struct ifreq ifr = { .ifr_flags = IFF_TUN | IFF_NO_PI };
	int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK);

	if (fd < 0)
		die_errno("open /dev/net/tun");
	if (strlen(iface) >= sizeof(ifr.ifr_name))
		die("bad --iface: %s", iface);
	strcpy(ifr.ifr_name, iface);
	if (ioctl(fd, TUNSETIFF, &ifr))
		die_errno("TUNSETIFF");
	return fd;
}

/* Returns false once the tun device has nothing more queued. */
static bool read_tun(struct recv_ctx *c, int fd, uint8_t *buf, size_t bufsz)
{
	ssize_t n = read(fd, buf, bufsz);

	if (n < 0)
		return false;
	handle_l3(c, buf, (size_t)n, NULL, false);
	return true;
}

/* Returns false once the socket has nothing more queued. */
static bool read_packet(struct recv_ctx *c, int fd, uint8_t *buf, size_t bufsz)
{
	union {
		struct cmsghdr align;
		char b[CMSG_SPACE(sizeof(struct tpacket_auxdata))];
	} cb;
	struct sockaddr_ll from;
	struct iovec iov = { .iov_base = buf, .iov_len = bufsz };
	struct msghdr m = {
		.msg_name = &from, .msg_namelen = sizeof(from),
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cb.b, .msg_controllen = sizeof(cb.b),
	};
	struct cmsghdr *cm;
	bool not_ready = false;
	ssize_t n = recvmsg(fd, &m, MSG_DONTWAIT | MSG_TRUNC);

	if (n < 0)
		return false;
	if (from.sll_pkttype == PACKET_OUTGOING)
		return true;
	for (cm = CMSG_FIRSTHDR(&m); cm; cm = CMSG_NXTHDR(&m, cm)) {
		if (cm->cmsg_level == SOL_PACKET && cm->cmsg_type == PACKET_AUXDATA) {
			struct tpacket_auxdata aux;

			memcpy(&aux, CMSG_DATA(cm), sizeof(aux));
			if (aux.tp_status & TP_STATUS_CSUMNOTREADY)
				not_ready = true;
		}
	}
	if ((size_t)n > bufsz) {
		c->received++;
		c->bad_hdr++;
		return true;
	}
	handle_frame(c, buf, (size_t)n, from.sll_hatype, not_ready);
	return true;
}

static bool read_udp(struct recv_ctx *c, int fd, uint8_t *buf, size_t bufsz)
{
	char cb[256];
	union {
		struct sockaddr_in v4;
		struct sockaddr_in6 v6;
	} from;
	struct iovec iov = { .iov_base = buf, .iov_len = bufsz };
	struct msghdr m = {
		.msg_name = &from, .msg_namelen = sizeof(from),
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cb, .msg_controllen = sizeof(cb),
	};
	struct cmsghdr *cm;
	int ttl = -1, tos = -1, sport;
	long label = 0;		/* no IPV6_FLOWINFO: flow information 0 */
	bool bad_saddr;
	ssize_t n = recvmsg(fd, &m, MSG_DONTWAIT | MSG_TRUNC);

	if (n < 0)
		return false;
	for (cm = CMSG_FIRSTHDR(&m); cm; cm = CMSG_NXTHDR(&m, cm)) {
		if (cm->cmsg_level == IPPROTO_IP && cm->cmsg_type == IP_TTL)
			memcpy(&ttl, CMSG_DATA(cm), sizeof(int));
		else if (cm->cmsg_level == IPPROTO_IP && cm->cmsg_type == IP_TOS)
			tos = *(uint8_t *)CMSG_DATA(cm);
		else if (cm->cmsg_level == IPPROTO_IPV6 && cm->cmsg_type == IPV6_HOPLIMIT)
			memcpy(&ttl, CMSG_DATA(cm), sizeof(int));
		else if (cm->cmsg_level == IPPROTO_IPV6 && cm->cmsg_type == IPV6_TCLASS)
			memcpy(&tos, CMSG_DATA(cm), sizeof(int));
		else if (cm->cmsg_level == IPPROTO_IPV6 && cm->cmsg_type == IPV6_FLOWINFO) {
			uint32_t fi;

			memcpy(&fi, CMSG_DATA(cm), sizeof(fi));
			label = ntohl(fi) & IPV6_FLOWINFO_FLOWLABEL;
		} else if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SO_RXQ_OVFL) {
			uint32_t d;

			memcpy(&d, CMSG_DATA(cm), sizeof(d));
			c->sock_drops = d;
		}
	}
	if (c->family == AF_INET6) {
		sport = ntohs(from.v6.sin6_port);
		bad_saddr = c->have_saddr &&
			    memcmp(&from.v6.sin6_addr, &c->want_saddr6, 16);
	} else {
		sport = ntohs(from.v4.sin_port);
		bad_saddr = c->have_saddr &&
			    from.v4.sin_addr.s_addr != c->want_saddr.s_addr;
	}
	if ((size_t)n > bufsz ||
	    (c->want_ttl >= 0 && ttl != c->want_ttl) ||
	    (c->want_tos >= 0 && tos != c->want_tos) ||
	    (c->want_label >= 0 && label != c->want_label) ||
	    (c->want_sport >= 0 && sport != c->want_sport) ||
	    bad_saddr) {
		c->received++;
		c->bad_hdr++;
		return true;
	}
	check_payload(c, buf, (size_t)n);
	return true;
}

static void write_ready(const char *path)
{
	char tmp[PATH_MAX];
	int fd;

	/* Appear atomically: a poller never sees a half-written file. */
	snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		die_errno("ready-file");
	dprintf(fd, "%d\n", (int)getpid());
	close(fd);
	if (rename(tmp, path))
		die_errno("rename ready-file");
}

static int cmd_recv(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "iface", required_argument, NULL, 'i' },
		{ "group", required_argument, NULL, 'g' },
		{ "port", required_argument, NULL, 'p' },
		{ "flow", required_argument, NULL, 'f' },
		{ "expect", required_argument, NULL, 'e' },
		{ "start-seq", required_argument, NULL, 'q' },
		{ "timeout", required_argument, NULL, 'T' },
		{ "idle-ms", required_argument, NULL, 'I' },
		{ "mode", required_argument, NULL, 'm' },
		{ "src-port", required_argument, NULL, 's' },
		{ "ttl", required_argument, NULL, 't' },
		{ "tos", required_argument, NULL, 'o' },
		{ "allow-reorder", no_argument, NULL, 'R' },
		{ "allow-dup", no_argument, NULL, 'U' },
		{ "ready-file", required_argument, NULL, 'F' },
		{ "json", no_argument, NULL, 'j' },
		{ "allow-partial-csum", no_argument, NULL, 'P' },
		{ "saddr", required_argument, NULL, 'A' },
		{ "flowlabel", required_argument, NULL, 'L' },
		{ "expect-exthdr", required_argument, NULL, 'X' },
		{ NULL, 0, NULL, 0 },
	};
	static struct recv_ctx ctx;
	struct recv_ctx *c = &ctx;
	const char *iface = NULL, *group = NULL, *ready = NULL, *mode = "packet";
	const char *saddr = NULL;
	struct ipaddr ga;
	bool have_expect = false, allow_reorder = false, allow_dup = false, json = false;
	uint64_t timeout_s = 10, idle_ms = 300, t_start, t_last, t_stop = 0;
	uint64_t dup = 0, reordered = 0, missing = 0, gaps = 0;
	uint64_t min_seq = 0, max_seq = 0;
	bool packet, tun, ok;
	size_t bufsz = 65536 + 64;
	uint8_t *buf;
	int fd, ch, i;

	c->want_ttl = c->want_tos = c->want_sport = c->want_exthdr = -1;
	c->want_label = -1;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'i': iface = optarg; break;
		case 'g': group = optarg; break;
		case 'p': c->port = parse_u64("--port", optarg, 65535); break;
		case 'f':
			c->have_flow = true;
			c->flow = parse_u64("--flow", optarg, UINT32_MAX);
			break;
		case 'e':
			have_expect = true;
			if (!strcmp(optarg, "any"))
				c->expect_any = true;
			else
				c->expect = parse_u64("--expect", optarg, MAX_SEQ_SPAN);
			break;
		case 'q': c->start_seq = parse_u64("--start-seq", optarg, UINT64_MAX / 2); break;
		case 'T': timeout_s = parse_u64("--timeout", optarg, 100000); break;
		case 'I': idle_ms = parse_u64("--idle-ms", optarg, 10000000); break;
		case 'm': mode = optarg; break;
		case 's': c->want_sport = parse_u64("--src-port", optarg, 65535); break;
		case 't': c->want_ttl = parse_u64("--ttl", optarg, 255); break;
		case 'o': c->want_tos = parse_u64("--tos", optarg, 255); break;
		case 'R': allow_reorder = true; break;
		case 'U': allow_dup = true; break;
		case 'F': ready = optarg; break;
		case 'j': json = true; break;
		case 'P': c->allow_partial = true; break;
		case 'A':
			c->have_saddr = true;
			saddr = optarg;
			break;
		case 'L': c->want_label = (long)parse_u64("--flowlabel", optarg, 0xfffff); break;
		case 'X': c->want_exthdr = (int)parse_u64("--expect-exthdr", optarg, 255); break;
		default: exit(2);
		}
	}
	if (optind != argc)
		die("unexpected argument: %s", argv[optind]);
	if (!iface || !group || !c->port || !have_expect)
		die("%s", "recv needs --iface, --group, --port and --expect");
	if (strcmp(mode, "packet") && strcmp(mode, "socket") &&
	    strcmp(mode, "tun"))
		die("bad --mode: %s", mode);
	packet = !strcmp(mode, "packet");
	tun = !strcmp(mode, "tun");
	ga = parse_ipaddr("--group", group);
	c->family = ga.family;
	c->group = ga.v4;
	c->group6 = ga.v6;
	if (saddr) {
		struct ipaddr sa = parse_ipaddr("--saddr", saddr);

		if (sa.family != ga.family)
			die("%s", "--saddr and --group must be of the same family");
		c->want_saddr = sa.v4;
		c->want_saddr6 = sa.v6;
	}
	if (c->family == AF_INET && (c->want_label >= 0 || c->want_exthdr >= 0))
		die("%s", "--flowlabel and --expect-exthdr are for IPv6");
	if (c->want_exthdr >= 0 && !packet && !tun)
		die("%s", "--expect-exthdr needs --mode packet or tun");
	c->expbuf = malloc(bufsz);
	buf = malloc(bufsz);
	if (!buf || !c->expbuf)
		die_errno("malloc");

	if (tun)
		fd = open_tun(iface);
	else if (packet)
		fd = open_packet(iface, c->family == AF_INET6 ? ETH_P_IPV6 : ETH_P_IP);
	else if (c->family == AF_INET6)
		fd = open_udp6(iface, &c->group6, c->port, c->want_label >= 0);
	else
		fd = open_udp(iface, c->group, c->port);
	install_signals();
	if (ready)
		write_ready(ready);

	t_start = t_last = now_ns();
	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		uint64_t now = now_ns(), wait_until;
		uint64_t received_before = c->received + c->other_flow;
		int r;

		if (stop_requested && !t_stop)
			t_stop = now;
		if (now >= t_start + timeout_s * 1000000000ull)
			break;
		/* Done: got what we wanted (or were told to stop), then idle. */
		if ((t_stop || (!c->expect_any && c->expect && c->unique >= c->expect)) &&
		    now >= t_last + idle_ms * 1000000ull && now >= t_stop + idle_ms * 1000000ull)
			break;
		wait_until = t_start + timeout_s * 1000000000ull;
		if (now + 50000000ull < wait_until)
			wait_until = now + 50000000ull;	/* re-check every 50 ms */
		r = poll(&pfd, 1, (int)((wait_until - now + 999999) / 1000000));
		if (r < 0 && errno != EINTR)
			die_errno("poll");
		if (r <= 0)
			continue;
		/* Drain what is queued. */
		for (i = 0; i < 4096; i++) {
			bool more;

			if (tun)
				more = read_tun(c, fd, buf, bufsz);
			else if (packet)
				more = read_packet(c, fd, buf, bufsz);
			else
				more = read_udp(c, fd, buf, bufsz);
			if (!more)
				break;
		}
		if (c->received + c->other_flow != received_before)
			t_last = now_ns();
	}

	if (packet) {
		struct tpacket_stats st;
		socklen_t sl = sizeof(st);

		if (!getsockopt(fd, SOL_PACKET, PACKET_STATISTICS, &st, &sl))
			c->sock_drops += st.tp_drops;
	}

	for (i = 0; i < MAX_FLOWS && c->flows[i].used; i++) {
		struct flow_state *f = &c->flows[i];

		dup += f->dup;
		reordered += f->reordered;
		gaps += flow_gaps(c, f);
		if (f->unique && (i == 0 || f->min_seq < min_seq))
			min_seq = f->min_seq;
		if (f->unique && f->max_seq > max_seq)
			max_seq = f->max_seq;
	}
	missing = gaps;
	if (!c->expect_any && c->expect > c->unique && c->expect - c->unique > missing)
		missing = c->expect - c->unique;

	ok = (c->expect_any || c->unique == c->expect) && !missing &&
	     !c->bad_payload && !c->bad_csum && !c->bad_mac && !c->bad_hdr &&
	     !c->sock_drops && (allow_dup || !dup) && (allow_reorder || !reordered);

	if (json) {
		printf("{\"received\":%" PRIu64 ",\"unique\":%" PRIu64 ",\"dup\":%" PRIu64
		       ",\"reordered\":%" PRIu64 ",\"missing\":%" PRIu64
		       ",\"bad_payload\":%" PRIu64 ",\"bad_csum\":%" PRIu64
		       ",\"bad_mac\":%" PRIu64 ",\"bad_hdr\":%" PRIu64
		       ",\"other_flow\":%" PRIu64 ",\"sock_drops\":%" PRIu64
		       ",\"min_seq\":%" PRIu64 ",\"max_seq\":%" PRIu64 ",\"ok\":%s,\"flows\":[",
		       c->received, c->unique, dup, reordered, missing, c->bad_payload,
		       c->bad_csum, c->bad_mac, c->bad_hdr, c->other_flow, c->sock_drops,
		       min_seq, max_seq, ok ? "true" : "false");
		for (i = 0; i < MAX_FLOWS && c->flows[i].used; i++) {
			struct flow_state *f = &c->flows[i];

			printf("%s{\"flow\":%" PRIu32 ",\"unique\":%" PRIu64 ",\"dup\":%" PRIu64
			       ",\"reordered\":%" PRIu64 ",\"missing\":%" PRIu64
			       ",\"min_seq\":%" PRIu64 ",\"max_seq\":%" PRIu64 "}",
			       i ? "," : "", f->flow, f->unique, f->dup, f->reordered,
			       flow_gaps(c, f), f->unique ? f->min_seq : 0, f->max_seq);
		}
		printf("]}\n");
	} else {
		printf("received=%" PRIu64 " unique=%" PRIu64 " dup=%" PRIu64
		       " reordered=%" PRIu64 " missing=%" PRIu64 " bad_payload=%" PRIu64
		       " bad_csum=%" PRIu64 " bad_mac=%" PRIu64 " bad_hdr=%" PRIu64
		       " other_flow=%" PRIu64 " sock_drops=%" PRIu64
		       " min_seq=%" PRIu64 " max_seq=%" PRIu64 "\n",
		       c->received, c->unique, dup, reordered, missing, c->bad_payload,
		       c->bad_csum, c->bad_mac, c->bad_hdr, c->other_flow, c->sock_drops,
		       min_seq, max_seq);
	}
	fflush(stdout);
	return ok ? 0 : 1;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: mcr-udp send --dst G --port P [--src ADDR] [--src-port SP] [--count N]\n"
		"                    [--rate PPS] [--size BYTES] [--ttl N] [--tos N] [--flow ID]\n"
		"                    [--iface DEV] [--start-seq N] [--duration-max S] [--keep-going]\n"
		"                    [--loop] [--raw [--dst-mac MAC] [--zero-csum] [--dstopts]\n"
		"                    [--frag|--frag-more]] [--gso N] [--flowlabel N]\n"
		"       mcr-udp recv --iface DEV --group G --port P --expect N|any [--flow ID]\n"
		"                    [--start-seq N] [--timeout S] [--idle-ms MS] [--mode packet|socket|tun]\n"
		"                    [--src-port SP] [--saddr A] [--ttl N] [--tos N] [--flowlabel N]\n"
		"                    [--expect-exthdr N] [--allow-reorder] [--allow-dup]\n"
		"                    [--allow-partial-csum] [--ready-file PATH] [--json]\n"
		"       G, ADDR, A: IPv4 or IPv6 addresses (one family)\n");
	exit(2);
}

int main(int argc, char **argv)
{
	if (argc < 2)
		usage();
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(argv[1], "send"))
		return cmd_send(argc - 1, argv + 1);
	if (!strcmp(argv[1], "recv"))
		return cmd_recv(argc - 1, argv + 1);
	usage();
	return 2;
}
