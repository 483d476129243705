/*
 * libfwutil: what fwrelay, fwrelayctl and mtasim share and would
 * otherwise each write by hand: the BSD queue macros glibc lacks,
 * collected "file:line: what is wrong" messages, RFC 3339 timestamps,
 * JSON lines, and libconfig settings as JSON.
 */
#ifndef FWUTIL_H
#define FWUTIL_H

#include <sys/queue.h>
#include <sys/time.h>

#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

/* BSD queue macros glibc's sys/queue.h lacks. */
#ifndef TAILQ_FOREACH_SAFE
#define TAILQ_FOREACH_SAFE(var, head, field, tvar)			\
	for ((var) = TAILQ_FIRST(head);					\
	    (var) != NULL && ((tvar) = TAILQ_NEXT(var, field), 1);	\
	    (var) = (tvar))
#endif

/* Configuration problems, each "file:line: msg", in the order added. */
struct config_errors {
	char			**msgs;
	size_t			 n;
};

/* Line 0 (no line: an unreadable file) gives "file: msg". */
void		 config_errors_add(struct config_errors *, const char *, int,
		    const char *, ...) __attribute__((format(printf, 4, 5)));
void		 config_errors_clear(struct config_errors *);

/* "2026-12-06T19:40:00.123456Z" into buf; returns buf. */
const char	*fw_timestamp(const struct timeval *, char *, size_t);

/* One event as one line: compact, in insertion order, ASCII (malloc'd). */
char		*fw_json_line(json_t *);
/* Write it to fp with its newline and flush; -1 on error. */
int		 fw_json_write(FILE *, json_t *);

struct config_setting_t;
/* A libconfig setting as JSON (groups are objects); NULL on error. */
json_t		*fw_conf_json(const struct config_setting_t *);

#endif
