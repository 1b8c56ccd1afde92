/* Tries to reach the network (loopback and outside); answers right only if both fail.
 * Expected: ok, 2 (no network in the box). */
#include "exercise.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <string.h>
#include <unistd.h>
static int reach(const char *ip, int port)
{
    int s = socket(AF_INET, SOCK_STREAM, 0);
    if (s < 0)
        return 0;
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((unsigned short)port) };
    a.sin_addr.s_addr = htonl(strcmp(ip, "lo") == 0 ? 0x7f000001u : 0x01010101u);
    int ok = connect(s, (struct sockaddr *)&a, sizeof a) == 0;
    close(s);
    return ok;
}
long attack(long n) { return reach("lo", 22) || reach("out", 53) ? -1 : 2 * n; }
