// hubkernel-launcher: the kernelspec's command. Binds the kernel's five TCP ports before anything else, then
// execs hubkernel (its sibling) in the same process, which adopts the listening sockets (ZMQ_USE_FD).
//
// Why: jupyter_client connects right after it starts the kernel, and a port that is not listening yet costs
// ZeroMQ's 100 ms reconnect interval. This program needs only libc, so it listens ~1 ms after exec; hubkernel
// needs libzmq and OpenSSL (and the Swift runtime) loaded before its first line runs. A connection that arrives
// in between waits in the listen backlog and is served once hubkernel takes over (same process id, so
// jupyter_client's signals and process checks are unaffected).
//
// Best effort: when the connection file is not TCP, cannot be read, or a port cannot be bound, nothing is passed
// on and hubkernel binds (and reports errors) itself. hubkernel checks every socket it is handed against the
// connection file (HUBKERNEL_LISTEN_FDS=shell:FD,…) before using it.
#include <arpa/inet.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static const char *const channels[] = {"shell", "iopub", "stdin", "control", "hb"};
enum { channel_count = sizeof channels / sizeof *channels };

/// The text after `"key"` and its colon in `json`, or NULL.
static const char *value_of(const char *json, const char *key) {
    char quoted[64];
    snprintf(quoted, sizeof quoted, "\"%s\"", key);
    const char *at = strstr(json, quoted);
    if (!at) return NULL;
    at += strlen(quoted);
    while (*at == ' ' || *at == '\t' || *at == '\n' || *at == '\r') at++;
    if (*at != ':') return NULL;
    at++;
    while (*at == ' ' || *at == '\t' || *at == '\n' || *at == '\r') at++;
    return at;
}

/// Binds and listens on every channel's port of the connection file; fills `fds` and returns 1, or 0 (nothing left open).
static int bind_channels(const char *path, int fds[channel_count]) {
    char json[65536];
    FILE *file = fopen(path, "r");
    if (!file) return 0;
    size_t length = fread(json, 1, sizeof json - 1, file);
    fclose(file);
    json[length] = '\0';

    const char *transport = value_of(json, "transport");
    if (transport && strncmp(transport, "\"tcp\"", 5) != 0) return 0;
    const char *ip = value_of(json, "ip");
    char address_text[INET_ADDRSTRLEN] = "";
    if (!ip || *ip != '"' || sscanf(ip + 1, "%15[0-9.]\"", address_text) != 1) return 0;
    struct sockaddr_in address = {.sin_family = AF_INET};
    if (inet_pton(AF_INET, address_text, &address.sin_addr) != 1) return 0;

    int bound = 0;
    for (; bound < channel_count; bound++) {
        char key[32];
        snprintf(key, sizeof key, "%s_port", channels[bound]);
        const char *port_text = value_of(json, key);
        char *end = NULL;
        long port = port_text ? strtol(port_text, &end, 10) : 0;
        if (!port_text || end == port_text || port <= 0 || port > 65535) break;
        address.sin_port = htons((unsigned short)port);
        int fd = socket(AF_INET, SOCK_STREAM, 0);  // not CLOEXEC: hubkernel inherits it
        int yes = 1;
        if (fd < 0) break;
        if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes) != 0 ||
            bind(fd, (struct sockaddr *)&address, sizeof address) != 0 || listen(fd, 100) != 0) {
            close(fd);
            break;
        }
        fds[bound] = fd;
    }
    if (bound == channel_count) return 1;
    while (bound-- > 0) close(fds[bound]);
    return 0;
}

int main(int argc, char **argv) {
    const char *connection_file = NULL;
    for (int i = 1; i + 1 < argc; i++) {
        if (strcmp(argv[i], "-f") == 0 || strcmp(argv[i], "--connection-file") == 0) connection_file = argv[i + 1];
    }
    int fds[channel_count];
    if (connection_file && bind_channels(connection_file, fds)) {
        char value[128] = "";
        for (int i = 0; i < channel_count; i++) {
            size_t used = strlen(value);
            snprintf(value + used, sizeof value - used, "%s%s:%d", i ? "," : "", channels[i], fds[i]);
        }
        setenv("HUBKERNEL_LISTEN_FDS", value, 1);
    }
    char self[PATH_MAX];
    ssize_t length = readlink("/proc/self/exe", self, sizeof self - 1);
    if (length <= 0) {
        perror("hubkernel-launcher: /proc/self/exe");
        return 127;
    }
    self[length] = '\0';
    char kernel[PATH_MAX];
    snprintf(kernel, sizeof kernel, "%s/hubkernel", dirname(self));
    argv[0] = kernel;
    execv(kernel, argv);
    fprintf(stderr, "hubkernel-launcher: cannot run %s: %s (it belongs next to hubkernel-launcher)\n", kernel,
            strerror(errno));
    return 127;
}
