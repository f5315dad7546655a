/* The minimal C libmilter filter of the Milter-layer comparison (scripts/bench.sh): the same
 * work and the same negotiation as sample-milter given no X-Sample-Action header -- header
 * (no reply), body and end-of-message callbacks, every other step negotiated away, and the
 * X-Sample-Macro-i header added at end of message.
 *
 * usage: cfilter SOCKET [nodelay] [data] [eom|floor]   (SOCKET as libmilter takes it: unix:/path, inet:PORT@HOST)
 * With "nodelay", TCP_NODELAY is set on the listening socket, as the Swift Milter library does.
 * With "data", the DATA step is negotiated (answered continue) instead of negotiated away: the
 * experiment behind scanmilter's TCP fix (README, Performance).
 * With "floor", the least any libmilter filter can do: only end of message, every other step
 * (headers and body included) negotiated away, no action, no header added. Its CPU per message
 * is the floor under every libmilter-based filter (scripts/bench/layer.sh).
 * With "eom", issue #9's end-of-message-only filter: as "floor", but the X-Sample-Macro-i
 * header is added at end of message (sample-milter --end-of-message-only, pyfilter.py eom). */
#include <libmilter/mfapi.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Header replies are negotiated away (SMFIP_NR_HDR), so the answer must be SMFIS_NOREPLY. With
 * SMFIS_CONTINUE libmilter drops the reply but logs "milter claimed not to reply ... but did
 * anyway" through syslog(3) for every header: without a syslog daemon a socket, connect and
 * close each, serialised on syslog's lock -- once 2.4x the CPU per message of sample-milter. */
static sfsistat on_header(SMFICTX *ctx, char *name, char *value) { return SMFIS_NOREPLY; }
static sfsistat on_body(SMFICTX *ctx, unsigned char *chunk, size_t length) { return SMFIS_CONTINUE; }

static int with_data = 0;
static int floor_only = 0;
static int eom_only = 0;  /* with floor_only: headers and body negotiated away, header still added */

static sfsistat on_data(SMFICTX *ctx) { return SMFIS_CONTINUE; }

static sfsistat on_eom(SMFICTX *ctx) {
    if (floor_only && !eom_only) return SMFIS_CONTINUE;
    char *queue_id = smfi_getsymval(ctx, "i");
    if (queue_id != NULL) smfi_addheader(ctx, "X-Sample-Macro-i", queue_id);
    return SMFIS_CONTINUE;
}

static sfsistat on_negotiate(SMFICTX *ctx, unsigned long f0, unsigned long f1, unsigned long f2, unsigned long f3,
                             unsigned long *pf0, unsigned long *pf1, unsigned long *pf2, unsigned long *pf3) {
    unsigned long away = SMFIP_NOCONNECT | SMFIP_NOHELO | SMFIP_NOMAIL | SMFIP_NORCPT | SMFIP_NODATA
                       | SMFIP_NOUNKNOWN | SMFIP_NOEOH | SMFIP_NR_HDR | SMFIP_SKIP;
    if (with_data) away &= ~(unsigned long) SMFIP_NODATA;
    if (floor_only) away |= SMFIP_NOHDRS | SMFIP_NOBODY;
    *pf0 = floor_only && !eom_only ? 0 : SMFIF_ADDHDRS;
    *pf1 = f1 & away;
    *pf2 = 0;
    *pf3 = 0;
    return SMFIS_CONTINUE;
}

int main(int argc, char **argv) {
    struct smfiDesc desc;
    memset(&desc, 0, sizeof desc);
    desc.xxfi_name = "cfilter";
    desc.xxfi_version = SMFI_VERSION;
    desc.xxfi_flags = SMFIF_ADDHDRS;
    desc.xxfi_header = on_header;
    desc.xxfi_body = on_body;
    desc.xxfi_eom = on_eom;
    desc.xxfi_negotiate = on_negotiate;
    desc.xxfi_data = on_data;
    if (argc < 2) { fprintf(stderr, "usage: cfilter SOCKET [nodelay] [data] [eom|floor]\n"); return 64; }
    int nodelay = 0;
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "nodelay") == 0) nodelay = 1;
        else if (strcmp(argv[i], "data") == 0) with_data = 1;
        else if (strcmp(argv[i], "floor") == 0) floor_only = 1;
        else if (strcmp(argv[i], "eom") == 0) floor_only = eom_only = 1;
        else { fprintf(stderr, "cfilter: unknown option %s\n", argv[i]); return 64; }
    }
    if (floor_only) {
        desc.xxfi_flags = eom_only ? SMFIF_ADDHDRS : 0;
        desc.xxfi_header = NULL;
        desc.xxfi_body = NULL;
        desc.xxfi_data = NULL;
    }
    if (smfi_setconn(argv[1]) != MI_SUCCESS || smfi_register(desc) != MI_SUCCESS) return 75;
    if (smfi_opensocket(1) != MI_SUCCESS) { fprintf(stderr, "cfilter: cannot open %s\n", argv[1]); return 75; }
    if (nodelay) {
        /* libmilter does not expose its listener: set the option on every listening TCP socket. */
        for (int fd = 3; fd < 64; fd++) {
            int on = 1, listening = 0;
            socklen_t len = sizeof listening;
            if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) == 0 && listening)
                setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
        }
    }
    printf("listening on %s\n", argv[1]);
    fflush(stdout);
    return smfi_main() == MI_SUCCESS ? 0 : 75;
}
