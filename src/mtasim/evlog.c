/*
 * Events as an Exchange 5.5 MTA logs them: every MSExchangeMTA event goes
 * to the JSON event log (one object per line, flushed, for the lab) and as
 * one readable line to the text log, the way the Windows NT application
 * log shows it. Lab events (listen, message_delivered, ...) are JSON only.
 */
#include <sys/time.h>

#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mtasim.h"

static FILE		*evlog_json;
static FILE		*evlog_textfp;
static char		 evlog_mta_name[MTA_NAME_MAX];

struct evlog_kind {
	int		 id;
	const char	*severity;
	const char	*category;
};

/* Categories and types as the KB articles quote them. */
static const struct evlog_kind evlog_kinds[] = {
	{ 289,	"Warning",	"X.400 Service" },
	{ 1290,	"Warning",	"X.400 Service" },
	{ 1293,	"Warning",	"X.400 Service" },
	{ 1294,	"Warning",	"X.400 Service" },
	{ 9202,	"Warning",	"Interface" },
	{ 9215,	"Warning",	"Interface" },
	{ 9301,	"Warning",	"Interface" },
	{ 9318,	"Error",	"Interface" },
	{ 9322,	"Error",	"Interface" },
	{ 0,	"Information",	"Operations" }
};

static const char	*evlog_ts(char *, size_t);

/* Open the JSON log (NULL: none, "-": stdout) and the text log. */
int
evlog_open(const char *mta, const char *json_path, const char *text_path)
{
	snprintf(evlog_mta_name, sizeof(evlog_mta_name), "%s", mta);
	if (json_path == NULL)
		evlog_json = NULL;
	else if (strcmp(json_path, "-") == 0)
		evlog_json = stdout;
	else if ((evlog_json = fopen(json_path, "a")) == NULL)
		return (-1);
	if (text_path == NULL || strcmp(text_path, "-") == 0)
		evlog_textfp = stderr;
	else if ((evlog_textfp = fopen(text_path, "a")) == NULL)
		return (-1);
	return (0);
}

void
evlog_close(void)
{
	if (evlog_json != NULL && evlog_json != stdout)
		fclose(evlog_json);
	if (evlog_textfp != NULL && evlog_textfp != stderr)
		fclose(evlog_textfp);
	evlog_json = evlog_textfp = NULL;
}

static const char *
evlog_ts(char *buf, size_t size)
{
	struct timeval	 tv;

	gettimeofday(&tv, NULL);
	return (fw_timestamp(&tv, buf, size));
}

json_t *
evlog_new(const char *name)
{
	json_t	*ev;
	char	 ts[48];

	if ((ev = json_object()) == NULL)
		return (NULL);
	json_object_set_new(ev, "ts", json_string(evlog_ts(ts, sizeof(ts))));
	json_object_set_new(ev, "mta", json_string(evlog_mta_name));
	json_object_set_new(ev, "event", json_string(name));
	return (ev);
}

void
evlog_emit(json_t *ev)
{
	if (ev == NULL)
		return;
	if (evlog_json != NULL)
		(void)fw_json_write(evlog_json, ev);
	json_decref(ev);
}

void
evlog_mta(int id, const char *entity, const struct sockaddr *peer,
    json_t *extra, const char *fmt, ...)
{
	const struct evlog_kind	*k;
	json_t			*ev;
	va_list			 ap;
	char			 text[1024], ts[48], abuf[64];
	const char		*key;
	json_t			*v;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	for (k = evlog_kinds; k->id != 0 && k->id != id; k++)
		;
	if ((ev = evlog_new("mta_event")) != NULL) {
		json_object_set_new(ev, "event_id", json_integer(id));
		json_object_set_new(ev, "source",
		    json_string("MSExchangeMTA"));
		json_object_set_new(ev, "type", json_string(k->severity));
		json_object_set_new(ev, "category", json_string(k->category));
		if (entity != NULL)
			json_object_set_new(ev, "entity", json_string(entity));
		if (peer != NULL)
			json_object_set_new(ev, "peer", json_string(
			    evlog_addr(peer, abuf, sizeof(abuf))));
		if (extra != NULL)
			json_object_foreach(extra, key, v)
				json_object_set(ev, key, v);
		json_object_set_new(ev, "text", json_string(text));
		evlog_emit(ev);
	}
	json_decref(extra);
	if (evlog_textfp != NULL) {
		fprintf(evlog_textfp, "%s %s MSExchangeMTA Event ID: %d "
		    "Type: %s Category: %s: %s\n", evlog_ts(ts, sizeof(ts)),
		    evlog_mta_name, id, k->severity, k->category, text);
		fflush(evlog_textfp);
	}
}

void
evlog_text(const char *fmt, ...)
{
	va_list	 ap;
	char	 ts[48];

	if (evlog_textfp == NULL)
		return;
	va_start(ap, fmt);
	fprintf(evlog_textfp, "%s %s mtasim: ", evlog_ts(ts, sizeof(ts)),
	    evlog_mta_name);
	vfprintf(evlog_textfp, fmt, ap);
	fputc('\n', evlog_textfp);
	fflush(evlog_textfp);
	va_end(ap);
}

const char *
evlog_addr(const struct sockaddr *sa, char *buf, size_t size)
{
	const struct sockaddr_in	*sin = (const struct sockaddr_in *)sa;
	char				 a[INET_ADDRSTRLEN];

	if (sa->sa_family != AF_INET ||
	    inet_ntop(AF_INET, &sin->sin_addr, a, sizeof(a)) == NULL) {
		snprintf(buf, size, "?");
		return (buf);
	}
	snprintf(buf, size, "%s:%u", a, ntohs(sin->sin_port));
	return (buf);
}

/* "/O=Lab/OU=Site/CN=Configuration/CN=Connections/CN=name". */
const char *
evlog_dn(const char *name, char *buf, size_t size)
{
	snprintf(buf, size, "/O=%s/OU=%s/CN=Configuration/CN=Connections/"
	    "CN=%s", ms->ms_conf->org, ms->ms_conf->site, name);
	return (buf);
}
