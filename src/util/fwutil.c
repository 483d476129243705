/*
 * libfwutil (see fwutil.h): shared by fwrelay, fwrelayctl and mtasim.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libconfig.h>

#include "fwutil.h"

#define FWUTIL_MSG_MAX	512

void
config_errors_add(struct config_errors *errs, const char *file, int line,
    const char *fmt, ...)
{
	va_list	  ap;
	char	  msg[FWUTIL_MSG_MAX], *s = NULL, **m;
	int	  r;

	if (errs == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (file == NULL)
		file = "(config)";
	if (line > 0)
		r = asprintf(&s, "%s:%d: %s", file, line, msg);
	else
		r = asprintf(&s, "%s: %s", file, msg);
	if (r == -1)
		return;
	if ((m = realloc(errs->msgs, (errs->n + 1) * sizeof(*m))) == NULL) {
		free(s);
		return;
	}
	errs->msgs = m;
	errs->msgs[errs->n++] = s;
}

void
config_errors_clear(struct config_errors *errs)
{
	size_t	i;

	if (errs == NULL)
		return;
	for (i = 0; i < errs->n; i++)
		free(errs->msgs[i]);
	free(errs->msgs);
	errs->msgs = NULL;
	errs->n = 0;
}

const char *
fw_timestamp(const struct timeval *tv, char *buf, size_t len)
{
	struct tm	 tm;
	time_t		 t = tv->tv_sec;
	char		 base[32];

	gmtime_r(&t, &tm);
	strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, len, "%s.%06ldZ", base, (long)tv->tv_usec);
	return (buf);
}

char *
fw_json_line(json_t *ev)
{
	return (json_dumps(ev, JSON_COMPACT | JSON_PRESERVE_ORDER |
	    JSON_ENSURE_ASCII));
}

int
fw_json_write(FILE *fp, json_t *ev)
{
	char	*line;
	int	 rv = 0;

	if ((line = fw_json_line(ev)) == NULL)
		return (-1);
	if (fputs(line, fp) == EOF || fputc('\n', fp) == EOF ||
	    fflush(fp) == EOF)
		rv = -1;
	free(line);
	return (rv);
}

json_t *
fw_conf_json(const struct config_setting_t *s)
{
	config_setting_t	*e;
	json_t			*j, *v;
	int			 i, n;

	switch (config_setting_type(s)) {
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		return (json_integer(config_setting_get_int64(s)));
	case CONFIG_TYPE_FLOAT:
		return (json_real(config_setting_get_float(s)));
	case CONFIG_TYPE_STRING:
		return (json_string(config_setting_get_string(s)));
	case CONFIG_TYPE_BOOL:
		return (json_boolean(config_setting_get_bool(s)));
	case CONFIG_TYPE_GROUP:
	case CONFIG_TYPE_ARRAY:
	case CONFIG_TYPE_LIST:
		break;
	default:
		return (NULL);
	}
	j = config_setting_type(s) == CONFIG_TYPE_GROUP ? json_object() :
	    json_array();
	if (j == NULL)
		return (NULL);
	n = config_setting_length(s);
	for (i = 0; i < n; i++) {
		e = config_setting_get_elem(s, (unsigned int)i);
		if ((v = fw_conf_json(e)) == NULL ||
		    (json_is_object(j) ? json_object_set_new(j,
		    config_setting_name(e), v) : json_array_append_new(j,
		    v)) == -1) {
			json_decref(j);
			return (NULL);
		}
	}
	return (j);
}
