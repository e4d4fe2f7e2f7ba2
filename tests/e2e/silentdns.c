/* silentdns ADDR: a name server that never answers. Binds UDP ADDR:53 and reads queries for
 * ever without replying (a dead resolver, not a refused one: no ICMP port unreachable either).
 * Prints "ready" once bound. Used by test_dns.sh inside a mount namespace whose
 * /etc/resolv.conf names ADDR. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(53)};
    if (argc != 2 || inet_pton(AF_INET, argv[1], &sa.sin_addr) != 1) {
        fprintf(stderr, "usage: silentdns IPV4-ADDR\n");
        return 2;
    }
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    if (s < 0 || bind(s, (struct sockaddr *)&sa, sizeof sa) != 0) {
        perror("silentdns: bind");
        return 1;
    }
    printf("ready\n");
    fflush(stdout);
    char buf[2048];
    for (;;)
        if (recv(s, buf, sizeof buf, 0) < 0)
            return 1;
}
