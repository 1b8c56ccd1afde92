/* tests/14-showdown/mutants/control_bytes_ok.c: a known-wrong answer to lesson 14.
 * A header value may hold any byte but CR and LF: NUL, ESC and DEL pass. Killed by
 * test_parse_rejects_control_bytes and test_parse_rejects_nul_byte. */
#include "exercise.h"

#include <string.h>

/* A token character (RFC 9110, 5.6.2): what methods and header names are made of. */
static bool is_tchar(unsigned char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

/* A byte allowed inside a header value: tab, space, visible ASCII, and bytes >= 0x80
 * (old servers sent Latin-1). Not NUL, not CR or LF, not another control byte, not DEL. */
static bool is_value_byte(unsigned char c)
{
    return c != '\r' && c != '\n';   /* BUG: control bytes pass */
}

static unsigned char lower(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

/* Does s[0..n) equal the lower-case word w (n bytes long), ignoring ASCII case?
 * Written out because strncasecmp depends on the locale and is not in plain C11. */
static bool same_word(const unsigned char *s, size_t n, const char *w)
{
    if (strlen(w) != n)
        return false;
    for (size_t k = 0; k < n; k++)
        if (lower(s[k]) != (unsigned char)w[k])
            return false;
    return true;
}

/* The value of one Connection line: comma-separated tokens, each maybe padded with
 * spaces or tabs. Only whole tokens count ("closed" is not "close"). */
static void connection_tokens(const unsigned char *v, size_t n, bool *close, bool *keep)
{
    size_t k = 0;
    while (k <= n) {
        size_t start = k;
        while (k < n && v[k] != ',')
            k++;
        size_t stop = k;
        while (start < stop && (v[start] == ' ' || v[start] == '\t'))
            start++;
        while (stop > start && (v[stop - 1] == ' ' || v[stop - 1] == '\t'))
            stop--;
        if (same_word(v + start, stop - start, "close"))
            *close = true;
        else if (same_word(v + start, stop - start, "keep-alive"))
            *keep = true;
        k++;   /* past the comma (or past the end: the loop stops) */
    }
}

/* Consume CR LF at s[*i]. 1 when both were there; `more` when the bytes ran out first;
 * -400 when something else is there (an LF alone is a bare LF). */
static long take_crlf(const unsigned char *s, size_t *i, size_t end, long more)
{
    if (*i == end)
        return more;
    if (s[*i] != '\r')
        return -400;
    if (++*i == end)
        return more;
    if (s[*i] != '\n')
        return -400;
    ++*i;
    return 1;
}

long http_parse_head(const char *buf, size_t len, struct http_req *r)
{
    const unsigned char *s = (const unsigned char *)buf;
    /* Never look further than HTTP_HEAD_MAX bytes: a client that sends an endless head
     * must not make the server buffer (or scan) an endless amount. */
    const size_t end = len < HTTP_HEAD_MAX ? len : HTTP_HEAD_MAX;
    const long more = end == HTTP_HEAD_MAX ? -431 : 0;
    struct http_req req = { .minor_version = 0 };   /* r is written only on success */
    bool close = false, keep = false;
    size_t i = 0, n;
    long rc;

    /* Request line, 1: the method, up to 7 token characters, then one space. */
    for (n = 0;; n++, i++) {
        if (i == end)
            return more;
        if (s[i] == ' ')
            break;
        if (!is_tchar(s[i]) || n == sizeof req.method - 1)
            return -400;
        req.method[n] = (char)s[i];
    }
    if (n == 0)
        return -400;
    i++;

    /* 2: the path, up to 255 visible bytes, then one space. */
    for (n = 0;; n++, i++) {
        if (i == end)
            return more;
        if (s[i] == ' ')
            break;
        if (s[i] <= 0x20 || s[i] == 0x7f || n == sizeof req.path - 1)
            return -400;
        req.path[n] = (char)s[i];
    }
    if (n == 0)
        return -400;
    i++;

    /* 3: "HTTP/1." and a minor version of 0 or 1, compared byte by byte so that a
     * prefix such as "HTTP/" waits while "HTTP/2" is refused at once. */
    static const char proto[] = "HTTP/1.";
    for (n = 0; n < sizeof proto - 1; n++, i++) {
        if (i == end)
            return more;
        if (s[i] != (unsigned char)proto[n])
            return -400;
    }
    if (i == end)
        return more;
    if (s[i] != '0' && s[i] != '1')
        return -400;
    req.minor_version = s[i++] - '0';
    if ((rc = take_crlf(s, &i, end, more)) != 1)
        return rc;

    /* Header lines until the blank line. */
    for (;;) {
        if (i == end)
            return more;
        if (s[i] == '\r' || s[i] == '\n') {     /* the blank line (or a bare LF) */
            if ((rc = take_crlf(s, &i, end, more)) != 1)
                return rc;
            break;
        }
        /* The name runs up to the colon. Anything else that is not a token character
         * ends it wrongly: a space before the colon, or CR/LF (a line with no colon). */
        size_t name = i;
        for (;; i++) {
            if (i == end)
                return more;
            if (s[i] == ':')
                break;
            if (!is_tchar(s[i]))
                return -400;
        }
        if (i == name)
            return -400;
        size_t name_len = i - name;
        size_t value = ++i;
        for (;; i++) {
            if (i == end)
                return more;
            if (s[i] == '\r')
                break;
            if (!is_value_byte(s[i]))
                return -400;
        }
        size_t value_len = i - value;
        if ((rc = take_crlf(s, &i, end, more)) != 1)
            return rc;
        if (same_word(s + name, name_len, "connection"))
            connection_tokens(s + value, value_len, &close, &keep);
    }

    /* RFC 9112, 9.3: HTTP/1.1 stays open unless "close" is listed; HTTP/1.0 closes unless
     * "keep-alive" is. A client that lists both gets close: it is the safe choice. */
    req.keep_alive = !close && (req.minor_version == 1 || keep);
    *r = req;
    return (long)i;
}
