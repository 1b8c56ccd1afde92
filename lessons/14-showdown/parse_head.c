/* lessons/14-showdown/parse_head.c: feeds a request head to YOUR http_parse_head (this
 * lesson's exercise.c) one byte at a time, the way a server receives it, and prints what
 * each call answered whenever the answer changes.
 * Build: make -C lessons/14-showdown parse_head
 * Run:   build/lessons/14-showdown/parse_head 'GET / HTTP/1.1\r\nHost: x\r\n\r\n'
 *        (\r, \n, \t and \\ in the argument are turned into the bytes they name; with
 *        no argument, a sample head followed by the start of a second request) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "exercise.h"

/* Turn the C escapes \r \n \t \\ of text into bytes, in place; returns the length. */
static size_t unescape(char *text)
{
    size_t k = 0;
    for (size_t i = 0; text[i] != '\0'; i++) {
        if (text[i] == '\\' && text[i + 1] != '\0') {
            char c = text[++i];
            if (c == 'r')
                text[k++] = '\r';
            else if (c == 'n')
                text[k++] = '\n';
            else if (c == 't')
                text[k++] = '\t';
            else if (c == '\\')
                text[k++] = '\\';
            else
                die("unknown escape '\\%c' (use \\r, \\n, \\t or \\\\)", c);
        } else {
            text[k++] = text[i];
        }
    }
    return k;
}

static const char sample[] =
    "GET /hello HTTP/1.1\\r\\nHost: x\\r\\nConnection: close\\r\\n\\r\\nGET /next";

static const char *meaning(long rc)
{
    if (rc > 0)
        return "complete: the head's length";
    if (rc == 0)
        return "not complete yet";
    if (rc == -400)
        return "malformed (400 Bad Request)";
    if (rc == -431)
        return "too large (431)";
    return "not an answer the contract allows";
}

int main(int argc, char **argv)
{
    if (argc > 2)
        die("usage: %s ['HEAD']   (e.g. 'GET / HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n')", argv[0]);
    char *head = strdup(argc == 2 ? argv[1] : sample);
    if (head == NULL)
        die("out of memory");
    size_t len = unescape(head);

    long last = 1;   /* no call answers 1 for fewer than 2 bytes: forces the first line */
    struct http_req r;
    for (size_t n = 0; n <= len; n++) {
        /* A copy of exactly n bytes, as a server would hold them. */
        char *part = malloc(n > 0 ? n : 1);
        if (part == NULL)
            die("out of memory");
        memcpy(part, head, n);
        long rc = http_parse_head(part, n, &r);
        free(part);
        if (rc != last || n == len)
            printf("%4zu bytes: %5ld  %s\n", n, rc, meaning(rc));
        last = rc;
        if (rc < 0)
            break;   /* a server answers now and closes: no more bytes are read */
        if (rc > 0 && (size_t)rc == n) {
            printf("method \"%s\", path \"%s\", HTTP/1.%d, keep_alive %s\n", r.method, r.path,
                   r.minor_version, r.keep_alive ? "true" : "false");
            if (n < len)
                printf("(the %zu bytes after it belong to the next request)\n", len - n);
            break;
        }
    }
    free(head);
    return 0;
}
