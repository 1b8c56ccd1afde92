/* lessons/14-showdown/exercise.h: the contract of lesson 14's exercise.
 * The same file is in solutions/14-showdown/; the tests are written against it. */
#ifndef LESSON14_EXERCISE_H
#define LESSON14_EXERCISE_H

#include <stdbool.h>
#include <stddef.h>

/* HTTP/1.x request-head parser shared by the four servers, stateless in the picohttpparser
 * style: the server keeps the bytes received so far and calls again when more arrive. Parses the
 * head at the start of buf[0..len): returns its length through the blank line and fills r; 0 when
 * the head is not complete yet; -400 for a malformed head (bad request line, a version other than
 * 1.0 or 1.1, a bare LF, a NUL or control byte, a method over 7 or a path over 255 bytes, a
 * header line without a colon or with space before it); -431 when no complete head fits in
 * HTTP_HEAD_MAX bytes. Bytes after the head (a pipelined request) are not looked at. */
#define HTTP_HEAD_MAX 8192
struct http_req { char method[8]; char path[256]; int minor_version; bool keep_alive; };
long http_parse_head(const char *buf, size_t len, struct http_req *r);
/* keep_alive: HTTP/1.1 unless Connection lists "close"; HTTP/1.0 only if it lists "keep-alive";
 * header names and Connection tokens are case-insensitive, tokens comma-separated, close wins. */

/* More precisely:
 * - A head is: METHOD SP PATH SP "HTTP/1.0" or "HTTP/1.1" CRLF, then header lines
 *   NAME ":" VALUE CRLF, then CRLF. Every line ends in CR LF; an LF without its CR is a
 *   bare LF. METHOD is 1 to 7 token characters (letters, digits, !#$%&'*+-.^_`|~); PATH is
 *   1 to 255 bytes, none of them a space or a control byte; NAME is 1 or more token
 *   characters, followed at once by the colon; VALUE may hold spaces, tabs and any byte from
 *   0x21 up except DEL (0x7f). Spaces and tabs around a value are not part of it.
 * - "Incomplete" means: the bytes so far are the start of some valid head. As soon as they
 *   cannot be (a bad byte, a method of 8 characters, "HTTP/2"), the answer is -400, even
 *   before the blank line arrives: a server need not wait for the rest of a request it
 *   will refuse anyway. So every proper prefix of a valid head gives 0.
 * - Only the first min(len, HTTP_HEAD_MAX) bytes are read. A head of exactly HTTP_HEAD_MAX
 *   bytes is accepted; when those bytes hold no complete head and no error, the answer is
 *   -431 (and 0 while len < HTTP_HEAD_MAX).
 * - Connection may appear on several lines; all their tokens count. A token is compared
 *   whole: "closed" is not "close". Other headers are checked for syntax only.
 * - r is filled (method and path NUL-terminated) when the return value is positive; after
 *   0, -400 or -431 its contents are unspecified. */

#endif
