/*
 * fwd: a minimal loopback TCP forwarder, the reference hop for bench/ab-throughput.sh (--ref-hops).
 *
 *   fwd LISTEN_PORT TARGET_PORT splice|copy
 *
 * Accepts on 127.0.0.1:LISTEN_PORT, one connection at a time, dials 127.0.0.1:TARGET_PORT and moves
 * bytes both ways with one blocking thread per direction until each side's EOF, then accepts again.
 *   splice  socket -> pipe -> socket with splice(2): the bytes never enter user space (zero copy on
 *           loopback: the pipe holds references to the received pages, and a TCP send of pipe pages
 *           attaches them to the new segment).
 *   copy    read(2) into a 256 KiB buffer and write(2) it out: the copy a user-space relay makes
 *           (what socat -b 262144 does, and what a Homeport relay does per hop, without framing).
 * Two such hops in a row bound what a relay pair could reach with and without zero-copy forwarding.
 * Measurement only: no error reporting beyond the exit of the connection, no options.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define CHUNK (1 << 20)
#define COPY_BUFFER (256 * 1024)

struct pair { int in, out; };
static int copy_mode;

static void *pump_splice(void *arg) {
    struct pair *p = arg;
    int pfd[2];
    if (pipe(pfd)) { perror("pipe"); exit(1); }
    fcntl(pfd[1], F_SETPIPE_SZ, CHUNK);
    for (;;) {
        ssize_t n = splice(p->in, NULL, pfd[1], NULL, CHUNK, SPLICE_F_MOVE);
        if (n <= 0) break;
        while (n > 0) {
            ssize_t m = splice(pfd[0], NULL, p->out, NULL, (size_t)n, SPLICE_F_MOVE);
            if (m <= 0) goto done;
            n -= m;
        }
    }
done:
    shutdown(p->out, SHUT_WR);
    close(pfd[0]);
    close(pfd[1]);
    return NULL;
}

static void *pump_copy(void *arg) {
    struct pair *p = arg;
    char *buf = malloc(COPY_BUFFER);
    for (;;) {
        ssize_t n = read(p->in, buf, COPY_BUFFER);
        if (n <= 0) break;
        for (char *q = buf; n > 0; ) {
            ssize_t m = write(p->out, q, (size_t)n);
            if (m <= 0) goto done;
            n -= m;
            q += m;
        }
    }
done:
    shutdown(p->out, SHUT_WR);
    free(buf);
    return NULL;
}

static struct sockaddr_in loopback(int port) {
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((unsigned short)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return a;
}

int main(int argc, char **argv) {
    if (argc != 4 || (strcmp(argv[3], "splice") && strcmp(argv[3], "copy"))) {
        fprintf(stderr, "usage: fwd LISTEN_PORT TARGET_PORT splice|copy\n");
        return 2;
    }
    copy_mode = !strcmp(argv[3], "copy");
    int one = 1, l = socket(AF_INET, SOCK_STREAM, 0);
    setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = loopback(atoi(argv[1])), b = loopback(atoi(argv[2]));
    if (bind(l, (struct sockaddr *)&a, sizeof a) || listen(l, 16)) { perror("listen"); return 1; }
    for (;;) {
        int c = accept(l, NULL, NULL);
        if (c < 0) continue;
        int t = socket(AF_INET, SOCK_STREAM, 0);
        if (connect(t, (struct sockaddr *)&b, sizeof b)) { close(c); close(t); continue; }
        setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        setsockopt(t, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        struct pair up = { c, t }, down = { t, c };
        pthread_t x, y;
        pthread_create(&x, NULL, copy_mode ? pump_copy : pump_splice, &up);
        pthread_create(&y, NULL, copy_mode ? pump_copy : pump_splice, &down);
        pthread_join(x, NULL);
        pthread_join(y, NULL);
        close(c);
        close(t);
    }
}
