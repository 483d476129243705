/*
 * Privilege drop: after the listeners and the control socket are open,
 * become the configured user and group and keep only the capabilities the
 * relays need from then on:
 *   CAP_NET_ADMIN         source "transparent" (IP_TRANSPARENT on the
 *                         outbound socket) and intercept listeners
 *   CAP_NET_BIND_SERVICE  a listener below port 1024, reopened on reload,
 *                         or epm pinholes, whose ports are learned later
 * They are chosen from the configuration at start: a reload that needs
 * more than that needs a restart. The event log's directory must be
 * writable by the user for SIGUSR1 reopens.
 */
#include <sys/types.h>
#include <sys/prctl.h>
#include <sys/stat.h>

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "fwrelay.h"
#include "control.h"

#ifdef HAVE_SYS_CAPABILITY_H
#include <sys/capability.h>
#endif

#define PRIV_CAPS_MAX	4

struct priv_cap {
	int		 value;
	const char	*name;
};

/* What the relays of conf need (see the top of the file). */
static int
priv_needed(const struct fwrelay_conf *conf, struct priv_cap *caps)
{
	const struct relay_conf	*rc;
	int			 admin = 0, bind = 0, n = 0;

	TAILQ_FOREACH(rc, &conf->relays, rc_entry) {
		if (rc->source == SOURCE_TRANSPARENT || rc->intercept)
			admin = 1;
		if (rc->listen_lo < 1024 || (rc->protocol == PROTO_EPM &&
		    rc->pinholes))
			bind = 1;
	}
#ifdef HAVE_SYS_CAPABILITY_H
	if (admin) {
		caps[n].value = CAP_NET_ADMIN;
		caps[n++].name = "CAP_NET_ADMIN";
	}
	if (bind) {
		caps[n].value = CAP_NET_BIND_SERVICE;
		caps[n++].name = "CAP_NET_BIND_SERVICE";
	}
#else
	(void)admin;
	(void)bind;
	(void)caps;
#endif
	return (n);
}

int
priv_drop(struct fwrelay *sc)
{
	struct fwrelay_conf	*conf = sc->sc_conf;
	struct priv_cap		 caps[PRIV_CAPS_MAX];
	struct passwd		*pw = NULL;
	struct group		*gr;
	const char		*sock;
	json_t			*ev, *names;
	char			 list[128] = "";
	uid_t			 uid;
	gid_t			 gid;
	int			 ncaps, i;
#ifdef HAVE_SYS_CAPABILITY_H
	cap_t			 cp;
	cap_value_t		 vals[PRIV_CAPS_MAX];
#endif

	if (conf->user == NULL && conf->group == NULL)
		return (0);
	uid = getuid();
	gid = getgid();
	if (conf->user != NULL) {
		if ((pw = getpwnam(conf->user)) == NULL) {
			log_warnx("user '%s' does not exist", conf->user);
			return (-1);
		}
		uid = pw->pw_uid;
		gid = pw->pw_gid;
	}
	if (conf->group != NULL) {
		if ((gr = getgrnam(conf->group)) == NULL) {
			log_warnx("group '%s' does not exist", conf->group);
			return (-1);
		}
		gid = gr->gr_gid;
	}
	if (geteuid() != 0) {
		if (uid == geteuid() && gid == getegid())
			return (0);
		log_warnx("cannot switch to user '%s' group '%s': not running "
		    "as root", conf->user != NULL ? conf->user : "-",
		    conf->group != NULL ? conf->group : "-");
		return (-1);
	}
	ncaps = priv_needed(conf, caps);

	/* The daemon removes its socket on exit: let the new user own it. */
	if ((sock = control_socket_path(sc)) != NULL &&
	    chown(sock, uid, gid) == -1)
		log_warn("chown %s", sock);

	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) == -1) {
		log_warn("prctl(PR_SET_KEEPCAPS)");
		return (-1);
	}
	if (setgroups(1, &gid) == -1 || setresgid(gid, gid, gid) == -1) {
		log_warn("cannot switch to group %ld", (long)gid);
		return (-1);
	}
	if (setresuid(uid, uid, uid) == -1) {
		log_warn("cannot switch to user %ld", (long)uid);
		return (-1);
	}
	prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);

#ifdef HAVE_SYS_CAPABILITY_H
	/* Exactly these, permitted and effective; nothing inheritable. */
	if ((cp = cap_init()) == NULL) {
		log_warn("cap_init");
		return (-1);
	}
	for (i = 0; i < ncaps; i++)
		vals[i] = caps[i].value;
	if ((ncaps > 0 && (cap_set_flag(cp, CAP_PERMITTED, ncaps, vals,
	    CAP_SET) == -1 || cap_set_flag(cp, CAP_EFFECTIVE, ncaps, vals,
	    CAP_SET) == -1)) || cap_set_proc(cp) == -1) {
		log_warn("cap_set_proc");
		cap_free(cp);
		return (-1);
	}
	cap_free(cp);
#else
	if (ncaps > 0)
		log_warnx("built without libcap: no capabilities kept");
	ncaps = 0;
#endif
	/* No way back: setuid(0) must fail now. */
	if (uid != 0 && setuid(0) != -1) {
		log_warnx("privileges could be regained after the drop");
		return (-1);
	}

	names = json_array();
	for (i = 0; i < ncaps; i++) {
		json_array_append_new(names, json_string(caps[i].name));
		snprintf(list + strlen(list), sizeof(list) - strlen(list),
		    "%s%s", i > 0 ? ", " : "", caps[i].name);
	}
	log_info("running as uid %ld gid %ld, capabilities kept: %s",
	    (long)uid, (long)gid, ncaps > 0 ? list : "none");
	if ((ev = eventlog_new_level(LOG_LEVEL_ERROR, "privileges")) != NULL) {
		if (conf->user != NULL)
			eventlog_str(ev, "user", conf->user);
		if (conf->group != NULL)
			eventlog_str(ev, "group", conf->group);
		eventlog_int(ev, "uid", (long long)uid);
		eventlog_int(ev, "gid", (long long)gid);
		json_object_set(ev, "capabilities", names);
		eventlog_emit(ev);
	}
	json_decref(names);
	return (0);
}
