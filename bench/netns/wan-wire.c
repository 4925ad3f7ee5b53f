/*
 * wan-wire: a point-to-point WAN link between two network namespaces, for kernels without
 * sch_netem. It owns one TUN device in each namespace and moves IP packets between them like
 * `netem delay D rate R`: each direction serialises packets at RATE (a packet leaves the sender
 * when the link is free, taking len*8/RATE), then delivers it DELAY later. Packets that would
 * wait more than QUEUE_BYTES behind the link are dropped (drop-tail router buffer).
 *
 *   wan-wire NS_A DEV_A NS_B DEV_B DELAY_MS RATE_MBIT QUEUE_BYTES [LIFETIME_S]
 *
 * The devices exist while the program runs; SIGTERM/SIGINT (or LIFETIME_S) ends it and removes
 * them. Counters are printed to stderr at exit. Build: cc -O2 -o wan-wire wan-wire.c
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#define MAX_PACKET 2048
#define SLOTS 16384 /* per direction: a BDP of 1500-byte packets at 200 Mbit x 50 ms is ~850 */

struct packet {
    uint64_t due_ns;
    uint16_t len;
    unsigned char data[MAX_PACKET];
};

struct direction {
    const char *name;
    int in_fd, out_fd;
    struct packet *ring;
    uint32_t head, count;
    uint64_t link_free_ns; /* when the serialiser finishes the last accepted packet */
    uint64_t forwarded, dropped, bytes;
};

static volatile sig_atomic_t stop;
static uint64_t delay_ns;
static double ns_per_byte;
static uint64_t queue_ns; /* QUEUE_BYTES expressed as serialisation time */

static void on_signal(int sig) { (void) sig; stop = 1; }

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t) ts.tv_sec * 1000000000ull + (uint64_t) ts.tv_nsec;
}

static int open_tun_in(const char *ns, const char *dev) {
    char path[256];
    snprintf(path, sizeof path, "/var/run/netns/%s", ns);
    int nsfd = open(path, O_RDONLY | O_CLOEXEC);
    if (nsfd < 0 || setns(nsfd, CLONE_NEWNET) < 0) {
        fprintf(stderr, "wan-wire: entering namespace %s: %s\n", ns, strerror(errno));
        exit(1);
    }
    close(nsfd);
    int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        fprintf(stderr, "wan-wire: opening /dev/net/tun in %s: %s\n", ns, strerror(errno));
        exit(1);
    }
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
    snprintf(ifr.ifr_name, IFNAMSIZ, "%s", dev);
    if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
        fprintf(stderr, "wan-wire: creating %s in %s: %s\n", dev, ns, strerror(errno));
        exit(1);
    }
    return fd;
}

/* Reads every waiting packet from d->in_fd and schedules it. */
static void take(struct direction *d) {
    for (;;) {
        if (d->count == SLOTS) {
            unsigned char scratch[MAX_PACKET];
            if (read(d->in_fd, scratch, sizeof scratch) <= 0) return;
            d->dropped++;
            continue;
        }
        struct packet *p = &d->ring[(d->head + d->count) % SLOTS];
        ssize_t n = read(d->in_fd, p->data, MAX_PACKET);
        if (n <= 0) return;
        uint64_t now = now_ns();
        uint64_t start = d->link_free_ns > now ? d->link_free_ns : now;
        if (start - now > queue_ns) { /* the router buffer in front of the link is full */
            d->dropped++;
            continue;
        }
        uint64_t done = start + (uint64_t) (n * ns_per_byte);
        d->link_free_ns = done;
        p->len = (uint16_t) n;
        p->due_ns = done + delay_ns;
        d->count++;
    }
}

/* Delivers every packet whose time has come; returns ns until the next one is due (or -1). */
static int64_t deliver(struct direction *d, uint64_t now) {
    while (d->count > 0) {
        struct packet *p = &d->ring[d->head];
        if (p->due_ns > now) return (int64_t) (p->due_ns - now);
        if (write(d->out_fd, p->data, p->len) == p->len) {
            d->forwarded++;
            d->bytes += p->len;
        } else {
            d->dropped++;
        }
        d->head = (d->head + 1) % SLOTS;
        d->count--;
    }
    return -1;
}

int main(int argc, char **argv) {
    if (argc < 8) {
        fprintf(stderr, "usage: %s NS_A DEV_A NS_B DEV_B DELAY_MS RATE_MBIT QUEUE_BYTES [LIFETIME_S]\n", argv[0]);
        return 2;
    }
    delay_ns = (uint64_t) (atof(argv[5]) * 1e6);
    double rate_bps = atof(argv[6]) * 1e6;
    ns_per_byte = 8e9 / rate_bps;
    queue_ns = (uint64_t) (atof(argv[7]) * ns_per_byte);
    uint64_t lifetime_ns = argc > 8 ? (uint64_t) (atof(argv[8]) * 1e9) : 0;

    int fd_a = open_tun_in(argv[1], argv[2]);
    int fd_b = open_tun_in(argv[3], argv[4]);

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);

    struct direction ab = {.name = "a->b", .in_fd = fd_a, .out_fd = fd_b};
    struct direction ba = {.name = "b->a", .in_fd = fd_b, .out_fd = fd_a};
    ab.ring = calloc(SLOTS, sizeof(struct packet));
    ba.ring = calloc(SLOTS, sizeof(struct packet));
    if (!ab.ring || !ba.ring) {
        fprintf(stderr, "wan-wire: out of memory\n");
        return 1;
    }
    fprintf(stderr, "wan-wire: %s/%s <-> %s/%s delay=%sms rate=%sMbit queue=%sB\n",
            argv[1], argv[2], argv[3], argv[4], argv[5], argv[6], argv[7]);

    uint64_t started = now_ns();
    struct pollfd pfd[2] = {{.fd = fd_a, .events = POLLIN}, {.fd = fd_b, .events = POLLIN}};
    while (!stop) {
        uint64_t now = now_ns();
        if (lifetime_ns && now - started > lifetime_ns) break;
        int64_t w1 = deliver(&ab, now), w2 = deliver(&ba, now);
        int64_t wait = w1 < 0 ? w2 : (w2 < 0 ? w1 : (w1 < w2 ? w1 : w2));
        struct timespec ts = {.tv_sec = 1, .tv_nsec = 0};
        if (wait >= 0) {
            ts.tv_sec = wait / 1000000000;
            ts.tv_nsec = wait % 1000000000;
        }
        int r = ppoll(pfd, 2, &ts, NULL);
        if (r < 0 && errno != EINTR) {
            perror("wan-wire: ppoll");
            break;
        }
        if (r > 0) {
            if (pfd[0].revents & POLLIN) take(&ab);
            if (pfd[1].revents & POLLIN) take(&ba);
        }
    }
    fprintf(stderr, "wan-wire: %s forwarded=%llu bytes=%llu dropped=%llu; %s forwarded=%llu bytes=%llu dropped=%llu\n",
            ab.name, (unsigned long long) ab.forwarded, (unsigned long long) ab.bytes, (unsigned long long) ab.dropped,
            ba.name, (unsigned long long) ba.forwarded, (unsigned long long) ba.bytes, (unsigned long long) ba.dropped);
    return 0;
}
