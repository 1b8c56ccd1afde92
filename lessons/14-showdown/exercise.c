/* lessons/14-showdown/exercise.c: your answer to lesson 14 (read README.md first).
 * Check it:  make check L=14      Stuck?  make hint L=14
 *
 * It compiles as it is, and fails its tests until you fill in the TODOs. The four servers
 * of this lesson (plots/14-showdown/) call this parser for every request they read. */
#include "exercise.h"

#include <string.h>

long http_parse_head(const char *buf, size_t len, struct http_req *r)
{
    /* TODO 1: look at no more than HTTP_HEAD_MAX of the len bytes, and never at buf[len].
     * TODO 2: the request line: a method of 1 to 7 token characters, one space, a path of
     *         1 to 255 bytes (no space, no control byte), one space, "HTTP/1.0" or
     *         "HTTP/1.1", CR LF. Copy method and path into r, NUL-terminated; set
     *         r->minor_version.
     * TODO 3: header lines NAME ":" VALUE CR LF until an empty line (CR LF). The name is
     *         token characters up to the colon (no space before it); the value holds no
     *         control byte except tab. An LF without its CR is malformed, anywhere.
     * TODO 4: on the line(s) named Connection (in any case), find the comma-separated
     *         tokens close and keep-alive (in any case, whole tokens only). Set
     *         r->keep_alive: HTTP/1.1 unless close is listed; HTTP/1.0 only if keep-alive
     *         is listed and close is not.
     * TODO 5: return the head's length through its blank line; 0 while the bytes so far can
     *         still become a valid head; -400 as soon as they cannot; -431 when
     *         HTTP_HEAD_MAX bytes hold no complete head.
     * Remove this line when you use buf, len and r. */
    (void)buf, (void)len, (void)r;
    return -400;
}
