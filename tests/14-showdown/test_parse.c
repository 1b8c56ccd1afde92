/* tests/14-showdown/test_parse.c: lesson 14's tests (http_parse_head, the request-head parser).
 * Run: make check L=14   (or IMPL=path/to/your.c)
 *
 * The parser is a pure function, so these tests need no threads and no clock: each feeds
 * bytes and compares the answer with the contract of exercise.h.
 *
 * Every call goes through parse() below, which copies the bytes into a buffer of exactly
 * len bytes. A parser that peeks at buf[len] (one byte past what it was given) then reads
 * outside the buffer, and the AddressSanitizer run of `make check` reports it.
 *
 * One decision the contract leaves to its "More precisely" part: bytes that are already
 * malformed give -400 even when the blank line has not arrived (a method of 8 letters,
 * "HTTP/2", a header line without a colon). "Not complete yet" (0) means "these bytes can
 * still become a valid head"; a server that waited for the rest of a request it will refuse
 * would hold the connection (and up to 8 KiB of buffer) for nothing.
 * test_parse_malformed_incomplete_is_400 checks that; every proper prefix of a valid head
 * still gives 0 (test_parse_every_proper_prefix_is_incomplete). */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exercise.h"
#include "runner.h"

/* ---- helpers ---- */

/* Print bytes the way a C string literal would show them: "GET / HTTP/1.1\r\n\r\n".
 * Long heads are cut, with their length given. */
static const char *shown(const char *b, size_t n)
{
    static char out[4][200];
    static int which;
    char *o = out[which++ % 4];
    size_t k = 0, cap = sizeof out[0] - 48;   /* room for one escape and the tail */

    o[k++] = '"';
    for (size_t i = 0; i < n && k < cap; i++) {
        unsigned char c = (unsigned char)b[i];
        if (c == '\r')
            k += (size_t)snprintf(o + k, 3, "\\r");
        else if (c == '\n')
            k += (size_t)snprintf(o + k, 3, "\\n");
        else if (c == '\t')
            k += (size_t)snprintf(o + k, 3, "\\t");
        else if (c == '"' || c == '\\')
            k += (size_t)snprintf(o + k, 3, "\\%c", c);
        else if (c < 0x20 || c >= 0x7f)
            k += (size_t)snprintf(o + k, 5, "\\x%02x", c);
        else
            o[k++] = (char)c;
    }
    if (k >= cap)
        snprintf(o + k, sizeof out[0] - k, "...\" (%zu bytes)", n);
    else
        snprintf(o + k, 2, "\"");
    return o;
}

/* http_parse_head on a private copy of exactly len bytes (see the top of the file). */
static long parse(const char *bytes, size_t len, struct http_req *r)
{
    char *copy = malloc(len > 0 ? len : 1);
    if (copy == NULL)
        fail_msg("out of memory in the test itself");
    memcpy(copy, bytes, len);
    hang_hint("http_parse_head(%s, %zu, &r) never returned: a loop that does not move "
              "forward, or one that waits for a byte beyond len?", shown(bytes, len), len);
    long rc = http_parse_head(copy, len, r);
    hang_hint(NULL);
    free(copy);
    return rc;
}

static long parse_str(const char *head, struct http_req *r)
{
    return parse(head, strlen(head), r);
}

/* A complete head must give its whole length; say what came back otherwise. */
static void expect_complete(const char *head, size_t len, struct http_req *r)
{
    long rc = parse(head, len, r);
    if (rc != (long)len)
        fail_msg("http_parse_head(%s, %zu) returned %ld; expected %zu, the length of this "
                 "complete head (through its blank line)", shown(head, len), len, rc, len);
}

static void expect_rc(const char *head, size_t len, long want, const char *why)
{
    struct http_req r;
    long rc = parse(head, len, &r);
    if (rc != want)
        fail_msg("http_parse_head(%s, %zu) returned %ld; expected %ld: %s", shown(head, len),
                 len, rc, want, why);
}

static void expect_str(const char *head, long want, const char *why)
{
    expect_rc(head, strlen(head), want, why);
}

static void expect_keep_alive(const char *head, bool want, const char *why)
{
    struct http_req r;
    size_t len = strlen(head);
    expect_complete(head, len, &r);
    if (r.keep_alive != want)
        fail_msg("for %s keep_alive was %s; expected %s: %s", shown(head, len),
                 r.keep_alive ? "true" : "false", want ? "true" : "false", why);
}

/* Built heads live in one static buffer, so a test that fails half-way leaks nothing
 * (a failing check jumps out of the test). Each builder overwrites the last head. */
static char built[3 * HTTP_HEAD_MAX + 1];

/* A head of exactly `size` bytes: "GET /p HTTP/1.1\r\nX-Pad: aaaa...\r\n\r\n". */
static char *head_of_size(size_t size)
{
    static const char start[] = "GET /p HTTP/1.1\r\nX-Pad: ";
    static const char stop[] = "\r\n\r\n";
    size_t fixed = strlen(start) + strlen(stop);
    char *h = built;
    if (size >= sizeof built || size < fixed + 1)
        fail_msg("test setup: cannot build a head of %zu bytes", size);
    memcpy(h, start, strlen(start));
    memset(h + strlen(start), 'a', size - fixed);
    memcpy(h + size - strlen(stop), stop, strlen(stop) + 1);
    return h;
}

/* "METHOD PATH HTTP/1.1\r\n\r\n" with a path of path_len bytes "/aaa...". */
static char *head_with(const char *method, size_t path_len)
{
    size_t n = strlen(method) + 1 + path_len + strlen(" HTTP/1.1\r\n\r\n");
    char *h = built;
    if (n >= sizeof built)
        fail_msg("test setup: cannot build a head of %zu bytes", n);
    size_t k = (size_t)sprintf(h, "%s ", method);
    h[k] = '/';
    memset(h + k + 1, 'a', path_len - 1);
    strcpy(h + k + path_len, " HTTP/1.1\r\n\r\n");
    return h;
}

/* Valid heads used by several tests. */
static const char *const valid_heads[] = {
    "GET / HTTP/1.1\r\n\r\n",
    "GET /index.html HTTP/1.1\r\nHost: localhost:8080\r\nUser-Agent: wrk\r\nAccept: */*\r\n\r\n",
    "POST /a?b=c HTTP/1.0\r\nConnection: Keep-Alive\r\nX-Tab:\tv a l \t\r\n\r\n",
    "OPTIONS * HTTP/1.1\r\nconnection: upgrade ,  close\r\nX-Empty:\r\nX-Latin: caf\xc3\xa9\r\n\r\n",
    "DELETE /x HTTP/1.1\r\nA:b\r\nCONNECTION:keep-alive\r\n\r\n",
    "M-1.a_b /%20~!$&'()*+,;=:@ HTTP/1.0\r\nX-Odd-Name_1.2!#$%&'*+^`|~: v\r\n\r\n",
};
enum { NVALID = sizeof valid_heads / sizeof valid_heads[0] };

/* ---- complete heads ---- */

/* A complete head: its length, method, path, minor version and keep-alive. */
static void test_parse_complete_head_fills_request(void **state)
{
    (void)state;
    struct http_req r;
    const char *h = "GET /hello?x=1 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    expect_complete(h, strlen(h), &r);
    if (strcmp(r.method, "GET") != 0 || strcmp(r.path, "/hello?x=1") != 0)
        fail_msg("for %s got method \"%s\" and path \"%s\"; expected \"GET\" and "
                 "\"/hello?x=1\" (each NUL-terminated)", shown(h, strlen(h)), r.method, r.path);
    if (r.minor_version != 1 || !r.keep_alive)
        fail_msg("for %s got minor_version %d, keep_alive %d; expected 1 and true",
                 shown(h, strlen(h)), r.minor_version, r.keep_alive);

    h = "HEAD /a HTTP/1.0\r\n\r\n";
    expect_complete(h, strlen(h), &r);
    if (strcmp(r.method, "HEAD") != 0 || strcmp(r.path, "/a") != 0 || r.minor_version != 0)
        fail_msg("for %s got method \"%s\", path \"%s\", minor_version %d; expected \"HEAD\", "
                 "\"/a\", 0", shown(h, strlen(h)), r.method, r.path, r.minor_version);
    for (int k = 0; k < NVALID; k++)
        expect_complete(valid_heads[k], strlen(valid_heads[k]), &r);
}

/* Every proper prefix of a valid head, from 0 bytes up to one byte short, gives 0:
 * the blank line has not arrived, so the head is not complete. */
static void test_parse_every_proper_prefix_is_incomplete(void **state)
{
    (void)state;
    struct http_req r;
    for (int k = 0; k < NVALID; k++) {
        size_t len = strlen(valid_heads[k]);
        for (size_t n = 0; n < len; n++) {
            long rc = parse(valid_heads[k], n, &r);
            if (rc != 0)
                fail_msg("http_parse_head(%s, %zu) returned %ld; expected 0: these are the "
                         "first %zu bytes of the valid head %s, so it is not complete yet "
                         "(and not malformed)", shown(valid_heads[k], n), n, rc, n,
                         shown(valid_heads[k], len));
        }
    }
}

/* Two heads in one buffer (a pipelining client): the length of the first one. */
static void test_parse_two_heads_returns_first_length(void **state)
{
    (void)state;
    struct http_req r;
    const char *first = "GET /one HTTP/1.1\r\nHost: a\r\n\r\n";
    const char *second = "GET /second HTTP/1.0\r\nConnection: close\r\n\r\n";
    char both[256];
    snprintf(both, sizeof both, "%s%s", first, second);
    long rc = parse_str(both, &r);
    if (rc != (long)strlen(first))
        fail_msg("http_parse_head(%s) returned %ld; expected %zu, the length of the FIRST "
                 "head: stop at the first blank line, the rest is the next request",
                 shown(both, strlen(both)), rc, strlen(first));
    if (strcmp(r.path, "/one") != 0 || r.minor_version != 1 || !r.keep_alive)
        fail_msg("for two heads in one buffer, r describes path \"%s\", minor_version %d, "
                 "keep_alive %d; expected the first request: \"/one\", 1, true", r.path,
                 r.minor_version, r.keep_alive);
}

/* Bytes after the head are not looked at, even if they are garbage. */
static void test_parse_ignores_bytes_after_head(void **state)
{
    (void)state;
    const char head[] = "GET / HTTP/1.1\r\n\r\n\0\x01\n garbage : \r\r";
    expect_rc(head, sizeof head - 1, 18,
              "the head ends after its blank line; the bytes after it belong to the next "
              "request and must not be looked at");
    const char partial[] = "GET / HTTP/1.1\r\n\r\nGET /next HT";
    expect_rc(partial, sizeof partial - 1, 18, "a complete head followed by part of the next one");
}

/* A buffer with no bytes yet: not complete. */
static void test_parse_empty_input_is_incomplete(void **state)
{
    (void)state;
    expect_str("", 0, "no bytes yet: nothing is complete, nothing is malformed");
}

/* ---- keep-alive ---- */

/* HTTP/1.1 stays open unless Connection lists close. */
static void test_parse_http11_keeps_alive_unless_close(void **state)
{
    (void)state;
    expect_keep_alive("GET / HTTP/1.1\r\nHost: x\r\n\r\n", true,
                      "HTTP/1.1 keeps the connection open by default");
    expect_keep_alive("GET / HTTP/1.1\r\nConnection: close\r\n\r\n", false,
                      "Connection: close ends an HTTP/1.1 connection");
    expect_keep_alive("GET / HTTP/1.1\r\nConnection: Close\r\n\r\n", false,
                      "Connection tokens are case-insensitive");
    expect_keep_alive("GET / HTTP/1.1\r\nConnection: CLOSE\r\n\r\n", false,
                      "Connection tokens are case-insensitive");
    expect_keep_alive("GET / HTTP/1.1\r\nConnection:close\r\n\r\n", false,
                      "the space after the colon is optional");
    expect_keep_alive("GET / HTTP/1.1\r\nConnection: \t close \t\r\n\r\n", false,
                      "spaces and tabs around a value are not part of it");
    expect_keep_alive("GET / HTTP/1.1\r\nConnection: Upgrade, close\r\n\r\n", false,
                      "Connection is a comma-separated list; close is its second token");
    expect_keep_alive("GET / HTTP/1.1\r\nConnection: TE,close ,Upgrade\r\n\r\n", false,
                      "close in the middle of a list, spaces around the commas");
    expect_keep_alive("GET / HTTP/1.1\r\nConnection: keep-alive\r\n\r\n", true,
                      "keep-alive on HTTP/1.1 keeps it open");
    expect_keep_alive("GET / HTTP/1.1\r\nConnection: upgrade\r\nConnection: close\r\n\r\n", false,
                      "Connection may come on two lines: all their tokens count");
}

/* HTTP/1.0 closes unless Connection lists keep-alive. */
static void test_parse_http10_closes_unless_keep_alive(void **state)
{
    (void)state;
    expect_keep_alive("GET / HTTP/1.0\r\nHost: x\r\n\r\n", false,
                      "HTTP/1.0 closes the connection after the response by default");
    expect_keep_alive("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", true,
                      "HTTP/1.0 with Connection: keep-alive stays open");
    expect_keep_alive("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", true,
                      "Connection tokens are case-insensitive");
    expect_keep_alive("GET / HTTP/1.0\r\nConnection: foo, KEEP-ALIVE\r\n\r\n", true,
                      "keep-alive as the second token of the list");
    expect_keep_alive("GET / HTTP/1.0\r\nKeep-Alive: timeout=5\r\n\r\n", false,
                      "a Keep-Alive header is not Connection: keep-alive");
}

/* When both close and keep-alive are listed, close wins (either order, either line). */
static void test_parse_close_wins_over_keep_alive(void **state)
{
    (void)state;
    expect_keep_alive("GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n", false,
                      "close wins over keep-alive");
    expect_keep_alive("GET / HTTP/1.0\r\nConnection: close, keep-alive\r\n\r\n", false,
                      "close wins over keep-alive, whatever the order");
    expect_keep_alive("GET / HTTP/1.1\r\nConnection: close\r\nConnection: keep-alive\r\n\r\n",
                      false, "close wins, even when keep-alive comes on a later line");
    expect_keep_alive("GET / HTTP/1.0\r\nConnection: keep-alive\r\nConnection: close\r\n\r\n",
                      false, "close wins, even when it comes on a later line");
}

/* The header name Connection is matched in any case. */
static void test_parse_header_names_any_case(void **state)
{
    (void)state;
    expect_keep_alive("GET / HTTP/1.1\r\nconnection: close\r\n\r\n", false,
                      "header names are case-insensitive: connection is Connection");
    expect_keep_alive("GET / HTTP/1.1\r\nCONNECTION: close\r\n\r\n", false,
                      "header names are case-insensitive: CONNECTION is Connection");
    expect_keep_alive("GET / HTTP/1.0\r\ncOnNeCtIoN: keep-alive\r\n\r\n", true,
                      "header names are case-insensitive: cOnNeCtIoN is Connection");
}

/* Only whole tokens of the header named exactly Connection count. */
static void test_parse_connection_tokens_whole_only(void **state)
{
    (void)state;
    expect_keep_alive("GET / HTTP/1.1\r\nConnection: closed\r\n\r\n", true,
                      "\"closed\" is not the token \"close\"");
    expect_keep_alive("GET / HTTP/1.1\r\nConnection: xclose, close-ish\r\n\r\n", true,
                      "\"xclose\" and \"close-ish\" are not the token \"close\"");
    expect_keep_alive("GET / HTTP/1.0\r\nConnection: keep-alive-please\r\n\r\n", false,
                      "\"keep-alive-please\" is not the token \"keep-alive\"");
    expect_keep_alive("GET / HTTP/1.1\r\nProxy-Connection: close\r\n\r\n", true,
                      "Proxy-Connection is another header, not Connection");
    expect_keep_alive("GET / HTTP/1.1\r\nConnections: close\r\n\r\n", true,
                      "Connections is another header, not Connection");
    expect_keep_alive("GET / HTTP/1.1\r\nX-Note: close\r\n\r\n", true,
                      "only the Connection header's tokens count");
    expect_keep_alive("GET /close HTTP/1.1\r\n\r\n", true, "a path that says close means nothing");
}

/* ---- limits ---- */

/* A head of exactly HTTP_HEAD_MAX bytes is accepted; one byte short of it is incomplete. */
static void test_parse_head_of_exactly_max_fits(void **state)
{
    (void)state;
    struct http_req r;
    char *h = head_of_size(HTTP_HEAD_MAX);
    expect_complete(h, HTTP_HEAD_MAX, &r);
    for (size_t n = 0; n < HTTP_HEAD_MAX; n++)
        expect_rc(h, n, 0, "a proper prefix of a head of exactly HTTP_HEAD_MAX bytes, which fits");
}

/* A head of HTTP_HEAD_MAX + 1 bytes: -431 once HTTP_HEAD_MAX bytes hold no blank line. */
static void test_parse_head_over_max_is_431(void **state)
{
    (void)state;
    char *h = head_of_size(HTTP_HEAD_MAX + 1);
    expect_rc(h, HTTP_HEAD_MAX + 1, -431,
              "the head is HTTP_HEAD_MAX + 1 bytes long: it does not fit (431, not 400: "
              "nothing in it is malformed)");
    expect_rc(h, HTTP_HEAD_MAX, -431,
              "HTTP_HEAD_MAX bytes and still no blank line: no complete head can fit any more");
    expect_rc(h, HTTP_HEAD_MAX - 1, 0, "one byte under HTTP_HEAD_MAX: the head may still fit");

    /* Far more bytes than the limit, all of them one long header line. */
    size_t big = 3 * HTTP_HEAD_MAX;
    h = head_of_size(big);
    expect_rc(h, big, -431, "a head three times HTTP_HEAD_MAX long");
}

/* A path of 255 bytes fits in r->path (256 with its NUL); 256 bytes is -400. */
static void test_parse_path_255_fits_256_rejected(void **state)
{
    (void)state;
    struct http_req r;
    char *h = head_with("GET", 255);
    expect_complete(h, strlen(h), &r);
    if (strlen(r.path) != 255 || memcmp(r.path, h + 4, 255) != 0)
        fail_msg("a path of 255 bytes came back as %zu bytes; expected all 255 of them, "
                 "NUL-terminated", strnlen(r.path, sizeof r.path));
    h = head_with("GET", 256);
    expect_rc(h, strlen(h), -400, "a path of 256 bytes is over the limit of 255");
    h = head_with("GET", 1000);
    expect_rc(h, strlen(h), -400, "a path of 1000 bytes is over the limit of 255");
}

/* A method of 7 bytes fits in r->method; 8 bytes is -400. */
static void test_parse_method_7_fits_8_rejected(void **state)
{
    (void)state;
    struct http_req r;
    char *h = head_with("OPTIONS", 2);
    expect_complete(h, strlen(h), &r);
    if (strcmp(r.method, "OPTIONS") != 0)
        fail_msg("the 7-byte method came back as \"%.8s\"; expected \"OPTIONS\"", r.method);
    h = head_with("PROPFIND", 2);
    expect_rc(h, strlen(h), -400, "a method of 8 bytes is over the limit of 7");
}

/* ---- malformed heads ---- */

/* A NUL byte anywhere in the head is -400. */
static void test_parse_rejects_nul_byte(void **state)
{
    (void)state;
    static const char *const where[] = { "in the method", "in the path", "in a header name",
                                         "in a header value", "before the blank line" };
    static const char h0[] = "G\0T / HTTP/1.1\r\n\r\n";
    static const char h1[] = "GET /a\0b HTTP/1.1\r\n\r\n";
    static const char h2[] = "GET / HTTP/1.1\r\nHo\0st: x\r\n\r\n";
    static const char h3[] = "GET / HTTP/1.1\r\nHost: a\0b\r\n\r\n";
    static const char h4[] = "GET / HTTP/1.1\r\nHost: ab\r\n\0\r\n";
    const char *heads[] = { h0, h1, h2, h3, h4 };
    const size_t lens[] = { sizeof h0 - 1, sizeof h1 - 1, sizeof h2 - 1, sizeof h3 - 1,
                            sizeof h4 - 1 };
    for (int k = 0; k < 5; k++) {
        char why[80];
        snprintf(why, sizeof why, "a NUL byte %s is malformed", where[k]);
        expect_rc(heads[k], lens[k], -400, why);
    }
}

/* Control bytes (other than the tab in a value) and DEL are -400; tabs and bytes
 * >= 0x80 in a value are fine. */
static void test_parse_rejects_control_bytes(void **state)
{
    (void)state;
    expect_str("GET / HTTP/1.1\r\nHost: a\x01z\r\n\r\n", -400, "0x01 in a header value");
    expect_str("GET / HTTP/1.1\r\nHost: a\x1bz\r\n\r\n", -400, "ESC (0x1b) in a header value");
    expect_str("GET / HTTP/1.1\r\nHost: a\x7fz\r\n\r\n", -400, "DEL (0x7f) in a header value");
    expect_str("GET /a\tb HTTP/1.1\r\n\r\n", -400, "a tab in the path");
    expect_str("GET /a\x7f HTTP/1.1\r\n\r\n", -400, "DEL in the path");
    expect_str("G\x05T / HTTP/1.1\r\n\r\n", -400, "0x05 in the method");
    expect_str("GET / HTTP/1.1\r\nHost: a\rz\r\n\r\n", -400,
              "a CR not followed by LF inside a value");
    const char *ok = "GET / HTTP/1.1\r\nX-Ok:\ta\xe9 \x80\r\n\r\n";
    expect_str(ok, (long)strlen(ok), "a tab and bytes from 0x80 up are allowed in a value");
}

/* A line ending in LF without its CR is -400, wherever it is. */
static void test_parse_rejects_bare_lf(void **state)
{
    (void)state;
    expect_str("GET / HTTP/1.1\n\r\n", -400, "the request line ends in a bare LF");
    expect_str("GET / HTTP/1.1\r\nHost: x\n\r\n", -400, "a header line ends in a bare LF");
    expect_str("GET / HTTP/1.1\r\nHost: x\r\n\n", -400, "the blank line is a bare LF");
    expect_str("GET / HTTP/1.1\n\n", -400, "the request line and blank line are bare LFs");
    expect_str("GET / HTTP/1.1\r\nHost: a\nb\r\n\r\n", -400, "a bare LF inside a value");
}

/* A header line without a colon is -400. */
static void test_parse_rejects_header_without_colon(void **state)
{
    (void)state;
    expect_str("GET / HTTP/1.1\r\nHost\r\n\r\n", -400, "the line \"Host\" has no colon");
    expect_str("GET / HTTP/1.1\r\nHost x\r\n\r\n", -400, "the line \"Host x\" has no colon");
    expect_str("GET / HTTP/1.1\r\nHost: x\r\nBogus\r\n\r\n", -400,
              "the second header line has no colon");
    expect_str("GET / HTTP/1.1\r\n: x\r\n\r\n", -400, "a header line with an empty name");
}

/* Space or tab between a header name and its colon is -400 (RFC 9112, 5.1). */
static void test_parse_rejects_space_before_colon(void **state)
{
    (void)state;
    expect_str("GET / HTTP/1.1\r\nHost : x\r\n\r\n", -400, "a space before the colon");
    expect_str("GET / HTTP/1.1\r\nHost\t: x\r\n\r\n", -400, "a tab before the colon");
    expect_str("GET / HTTP/1.1\r\nConnection : close\r\n\r\n", -400,
              "a space before the colon of Connection");
    expect_str("GET / HTTP/1.1\r\n Host: x\r\n\r\n", -400,
              "a header line that starts with a space (an obsolete folded line)");
}

/* Only HTTP/1.0 and HTTP/1.1, spelled exactly so. */
static void test_parse_rejects_other_versions(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "GET / HTTP/1.2\r\n\r\n", "GET / HTTP/2.0\r\n\r\n",  "GET / HTTP/0.9\r\n\r\n",
        "GET / http/1.1\r\n\r\n", "GET / HTTP/1.10\r\n\r\n", "GET / HTTP/11\r\n\r\n",
        "GET / HTTP/1.1 \r\n\r\n", "GET / HTTP/1\r\n\r\n",   "GET / HTTPS/1.1\r\n\r\n",
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++)
        expect_rc(bad[k], strlen(bad[k]), -400, "only HTTP/1.0 and HTTP/1.1 are accepted");
}

/* A request line that is not METHOD SP PATH SP VERSION is -400. */
static void test_parse_rejects_bad_request_line(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "GET\r\n\r\n",            "GET /\r\n\r\n",           " GET / HTTP/1.1\r\n\r\n",
        "GET  / HTTP/1.1\r\n\r\n", "GET /  HTTP/1.1\r\n\r\n", "\r\nGET / HTTP/1.1\r\n\r\n",
        "GE(T / HTTP/1.1\r\n\r\n", "GET / HTTP/1.1",           "\r\n\r\n",
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        /* Each of these is malformed within its bytes except the one missing its line
         * end: that one is a valid prefix, hence 0. */
        long want = strcmp(bad[k], "GET / HTTP/1.1") == 0 ? 0 : -400;
        expect_rc(bad[k], strlen(bad[k]), want,
                  want == 0 ? "a valid request line that has not ended yet: not complete"
                            : "the request line must be METHOD SP PATH SP HTTP/1.x CRLF");
    }
}

/* Malformed bytes give -400 before the blank line arrives (see the top of the file). */
static void test_parse_malformed_incomplete_is_400(void **state)
{
    (void)state;
    static const char *const early[] = {
        "PROPFIND",                              /* 8-byte method, no space yet */
        "GET / HTTP/2",                          /* a version that cannot become 1.x */
        "GET / HTTP/1.1\n",                      /* bare LF */
        "GET / HTTP/1.1\r\nHost x\r\n",          /* header line without colon, no blank line */
        "GET / HTTP/1.1\r\nHost : x",            /* space before colon */
        "GET / HTTP/1.1\r\nHost: a\x01",         /* control byte */
    };
    for (size_t k = 0; k < sizeof early / sizeof early[0]; k++)
        expect_rc(early[k], strlen(early[k]), -400,
                  "these bytes can never become a valid head, so answer -400 now instead of "
                  "waiting for a blank line (0 means: could still be valid)");
    char *h = head_with("GET", 300);
    expect_rc(h, 4 + 256, -400, "a path already 256 bytes long, no space after it yet");
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_parse_complete_head_fills_request),
    cmocka_unit_test(test_parse_every_proper_prefix_is_incomplete),
    cmocka_unit_test(test_parse_two_heads_returns_first_length),
    cmocka_unit_test(test_parse_ignores_bytes_after_head),
    cmocka_unit_test(test_parse_empty_input_is_incomplete),
    cmocka_unit_test(test_parse_http11_keeps_alive_unless_close),
    cmocka_unit_test(test_parse_http10_closes_unless_keep_alive),
    cmocka_unit_test(test_parse_close_wins_over_keep_alive),
    cmocka_unit_test(test_parse_header_names_any_case),
    cmocka_unit_test(test_parse_connection_tokens_whole_only),
    cmocka_unit_test(test_parse_head_of_exactly_max_fits),
    cmocka_unit_test(test_parse_head_over_max_is_431),
    cmocka_unit_test(test_parse_path_255_fits_256_rejected),
    cmocka_unit_test(test_parse_method_7_fits_8_rejected),
    cmocka_unit_test(test_parse_rejects_nul_byte),
    cmocka_unit_test(test_parse_rejects_control_bytes),
    cmocka_unit_test(test_parse_rejects_bare_lf),
    cmocka_unit_test(test_parse_rejects_header_without_colon),
    cmocka_unit_test(test_parse_rejects_space_before_colon),
    cmocka_unit_test(test_parse_rejects_other_versions),
    cmocka_unit_test(test_parse_rejects_bad_request_line),
    cmocka_unit_test(test_parse_malformed_incomplete_is_400),
};

COURSE_MAIN("14-showdown", tests)
