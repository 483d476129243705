/*
 * fwrelay: a userspace TCP relay that behaves like the firewall between two
 * networks. Shared structures and prototypes, grouped by the file that owns
 * them (relayd.h, tmux.h).
 */
#ifndef FWRELAY_H
#define FWRELAY_H

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <netinet/in.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "fwutil.h"

struct event_base;
struct event;
struct evbuffer;
struct bufferevent;
struct evconnlistener;

#define FWRELAY_NAME_MAX	64

/* strict: what an inspector closes a connection on. */
#define STRICT_OFF		0	/* nothing: log and pass */
#define STRICT_FRAMING		1	/* a stream that cannot be parsed */
#define STRICT_CONFORMANCE	2	/* also any protocol deviation */
#define FWRELAY_ERR_MAX		512

/* Defaults, set when an object is created (relayd). */
#define RELAY_CONNECT_TIMEOUT	10.0
#define RELAY_IDLE_TIMEOUT	600.0
#define RELAY_MAX_CONNECTIONS	10000
#define RELAY_BUFFER_SIZE	65536
#define RELAY_BUFFER_MIN	1024
#define RELAY_BUFFER_MAX	(64 * 1024 * 1024)
#define FWRELAY_SHUTDOWN_TIMEOUT 5.0
#define PINHOLE_TIMEOUT		120.0
#define WORKERS_MAX		64

/* addr.c */

/* An address with a prefix length: "10.0.0.0/8", "::1/128", "127.0.0.1". */
struct cidr {
	int		 family;	/* AF_INET or AF_INET6 */
	uint8_t		 addr[16];	/* network byte order, host bits zero */
	int		 prefix;	/* 0..32 or 0..128 */
};

/* Flags for addr_parse(). */
#define ADDR_PORT_REQUIRED	0x01	/* "addr:port" */
#define ADDR_PORT_OPTIONAL	0x02	/* "addr" or "addr:port" */
#define ADDR_PORT_RANGE		0x04	/* port may be "LO-HI" */
#define ADDR_NO_PORT		0x08	/* "addr" only */

/*
 * Parse "a.b.c.d:port", "[v6]:port", "a.b.c.d", "[v6]" or "v6" (no port) and
 * "addr:LO-HI" where flags allow. On success fills ss (port set to lo, or 0
 * when absent) and *lo, *hi (both 0 when no port) and returns 0; on failure
 * returns -1 and sets *errstr to a static message.
 */
int		 addr_parse(const char *, int, struct sockaddr_storage *,
		    socklen_t *, int *, int *, const char **);
/* "1.2.3.4:5" or "[::1]:5" into buf; returns buf. Port 0 still printed. */
const char	*addr_str(const struct sockaddr *, char *, size_t);
/* Address only, no port. */
const char	*addr_host_str(const struct sockaddr *, char *, size_t);
#define ADDR_STRLEN	(INET6_ADDRSTRLEN + 10)
socklen_t	 addr_len(const struct sockaddr *);
int		 addr_port(const struct sockaddr *);
void		 addr_set_port(struct sockaddr *, int);
/* Same family, address and port. */
int		 addr_equal(const struct sockaddr *, const struct sockaddr *);
/* IPv4-mapped IPv6 addresses are unmapped in place. */
void		 addr_unmap(struct sockaddr_storage *);
int		 addr_is_loopback(const struct sockaddr *);
/* 0.0.0.0 or :: */
int		 addr_is_any(const struct sockaddr *);
int		 cidr_parse(const char *, struct cidr *, const char **);
int		 cidr_match(const struct cidr *, const struct sockaddr *);
/* "LO-HI" or "N" into lo, hi (1..65535, lo <= hi). */
int		 port_range_parse(const char *, int *, int *, const char **);

/* config.c */

enum source_mode {
	SOURCE_REWRITE = 0,
	SOURCE_TRANSPARENT,
	SOURCE_FIXED
};

enum source_port_mode {
	SOURCE_PORT_ANY = 0,
	SOURCE_PORT_PRESERVE,	/* transparent only: keep the client's port */
	SOURCE_PORT_RANGE	/* fixed only: LO-HI */
};

enum target_kind {
	TARGET_ADDR = 0,	/* "host:port" */
	TARGET_SAME_PORT,	/* "host": the port the client reached */
	TARGET_ORIGINAL		/* "original": the destination the client asked for */
};

enum rule_action {
	RULE_ALLOW = 0,
	RULE_DENY
};

enum deny_style {
	DENY_RESET = 0,		/* RST: SO_LINGER 0 */
	DENY_CLOSE,		/* FIN */
	DENY_DROP		/* silence until the client gives up */
};

enum protocol {
	PROTO_NONE = 0,
	PROTO_RFC1006,
	PROTO_DCERPC,
	PROTO_EPM
};

/* capture.c: one file per connection, or one per relay. */
enum capture_mode {
	CAPTURE_CONNECTION = 0,
	CAPTURE_RELAY
};
#define CAPTURE_DIR_MAX		1024
#define CAPTURE_FILES		4	/* capture_files: the ring's default */
#define CAPTURE_FILE_MIN	(256 * 1024)	/* max_bytes / files at least */

enum pinhole_uses {
	PINHOLE_ONCE = 0,
	PINHOLE_MANY
};

struct rule {
	enum rule_action	 action;
	enum deny_style		 deny;
	int			 has_from;
	struct cidr		 from;
	int			 has_to;
	struct cidr		 to;
	int			 port_lo;	/* 0: any port */
	int			 port_hi;
	int			 line;		/* config line of the rule */
};

struct policy {
	struct rule		*rules;
	size_t			 nrules;
	int			 present;	/* a policy was given: default deny */
};

/* A fault as configured or added at run time (fault.c interprets params). */
struct fault_conf {
	char			 type[32];
	int			 direction;	/* FAULT_UP | FAULT_DOWN bits */
	double			 probability;	/* 0..1, 1 when absent */
	json_t			*params;	/* the whole object, for fault.c */
	int			 line;
	struct fault_count	*count;		/* triggered: shared counts */
};
/*
 * A triggered fault's counts, shared by the copies of its fault_conf (a
 * relay's on every worker, and those a run-time change makes), so that
 * after and count hold for the relay, not for each copy.
 */
struct fault_count {
	_Atomic int		 refs;
	uint64_t		 seen;		/* matching events */
	uint64_t		 fired;		/* times it acted */
};
struct fault_count *fault_count_ref(struct fault_count *);
#define FAULT_UP	0x01
#define FAULT_DOWN	0x02

#define RELAY_IFACES_MAX	8
#define ROUTE_TABLE_MAX		32765	/* below main's rule priority */
#define RELAY_IPORTS_MAX	16

struct relay_conf {
	char			 name[FWRELAY_NAME_MAX];
	int			 line;		/* line of the relay's group */
	struct sockaddr_storage	 listen;	/* port = listen_lo */
	socklen_t		 listen_len;
	int			 listen_lo;
	int			 listen_hi;	/* == listen_lo for one port */
	int			 intercept;
	int			 nft_rules;	/* compile static denies to nft */
	/* Turnkey interception (kernel.c): TPROXY from these interfaces. */
	char			 intercept_ifaces[RELAY_IFACES_MAX][16];
	size_t			 nintercept_ifaces;
	int			 intercept_port_lo[RELAY_IPORTS_MAX];
	int			 intercept_port_hi[RELAY_IPORTS_MAX];
	size_t			 nintercept_ports; /* 0: the listen port(s) */
	enum target_kind	 target_kind;
	struct sockaddr_storage	 target;	/* port 0 unless TARGET_ADDR */
	socklen_t		 target_len;
	double			 connect_timeout;
	double			 idle_timeout;
	unsigned int		 max_connections;
	size_t			 buffer_size;
	int			 enabled;

	enum source_mode	 source;
	int			 has_source_address;
	struct sockaddr_storage	 source_address;
	socklen_t		 source_address_len;
	enum source_port_mode	 source_port;
	int			 source_port_lo;
	int			 source_port_hi;

	struct policy		 policy;

	enum protocol		 protocol;
	int			 strict;	/* STRICT_* */
	char			**tsap_allow;	/* NULL-terminated, or NULL */
	size_t			 ntsap_allow;
	int			 pinholes;
	double			 pinhole_timeout;
	enum pinhole_uses	 pinhole_uses;
	int			 rewrite_towers;
	int			 string_bindings;

	struct fault_conf	*faults;
	size_t			 nfaults;

	char			 capture[CAPTURE_DIR_MAX]; /* "": off */
	enum capture_mode	 capture_mode;
	uint64_t		 capture_max_bytes;	/* 0: no bound */
	unsigned int		 capture_files;

	int			 pinhole;	/* a pinhole's hidden relay */
	int			 refcnt;	/* held by relay and conns */
	TAILQ_ENTRY(relay_conf)	 rc_entry;
};
TAILQ_HEAD(relay_conf_list, relay_conf);

enum log_level {
	LOG_LEVEL_ERROR = 0,
	LOG_LEVEL_WARNING,
	LOG_LEVEL_INFO,
	LOG_LEVEL_DEBUG
};

struct fwrelay_conf {
	char			*file;
	char			*event_log;	/* path or "-" */
	enum log_level		 log_level;
	double			 shutdown_timeout;
	char			*control;	/* unix socket path, or NULL */
	char			*control_tcp;	/* "127.0.0.1:port", or NULL */
	char			*user;
	char			*group;
	char			*instance;	/* nftables table name suffix */
	int			 kernel_setup;	/* install nft table and routes */
	int			 route_table;	/* 0: the first free from 10100 */
	unsigned int		 workers;	/* event loops (threads) */
	int			 workers_line;
	struct relay_conf_list	 relays;
	size_t			 nrelays;
};

/* Errors collected while loading: struct config_errors (fwutil.h). */

/*
 * Parse and check a whole file. Returns the new configuration, or NULL with
 * every error appended to errs. Never touches any running state.
 */
struct fwrelay_conf	*config_load(const char *, struct config_errors *);
/*
 * Checks of a relay against this host (is source_address one of its
 * addresses?), run by config_load with the file's own checks so that all
 * errors come out at once: NULL, or the message. fwrelay sets it to
 * source_host_error; left NULL, a file is checked on its own.
 */
extern const char	*(*config_host_check)(const struct relay_conf *, char *,
			    size_t);
/* The same from a string; name stands for the file in messages (fuzzing). */
struct fwrelay_conf	*config_load_string(const char *, const char *,
		    struct config_errors *);
void		 config_free(struct fwrelay_conf *);
struct relay_conf *config_find_relay(struct fwrelay_conf *, const char *);
struct relay_conf *relay_conf_dup(const struct relay_conf *);
void		 relay_conf_free(struct relay_conf *);
const char	*source_mode_name(enum source_mode);
const char	*deny_style_name(enum deny_style);
const char	*protocol_name(enum protocol);

/*
 * faultconf.c: the faults' schemas and their checker. fault_check reports
 * every problem through the callback (key: the member at fault, or NULL;
 * a literal message) and fills the fault_conf when there was none.
 */
#define FAULT_ERR_UNKNOWN	"unknown parameter for this fault type"
#define FAULT_TYPES		"latency, bandwidth, reset_after, blackhole, " \
				"slicer, idle_blackhole, pdu_delay, pdu_drop, " \
				"cr_refuse, er_reply"
#define FAULT_ERR_TYPE		"unknown fault type (" FAULT_TYPES ")"
typedef void (*fault_report_cb)(void *, const char *, const char *);
int		 fault_check(json_t *, struct fault_conf *, fault_report_cb,
		    void *);
int		 fault_conf_from_json(json_t *, struct fault_conf *,
		    const char **);
void		 fault_conf_clear(struct fault_conf *);
/* The DR reason of a "reason" value (number or name, RFC 905); -1. */
int		 fault_reason_code(json_t *);
/* A triggered fault on a relay of the wrong protocol: why, or NULL. */
const char	*fault_trig_proto_error(json_t *, enum protocol);

/*
 * confcheck.c: the relay settings the file and the control API share,
 * checked by one set of functions. Problems go to the callback with the
 * key they belong to (or NULL for the whole object), already formatted.
 */
typedef void (*config_report_cb)(void *, const char *, const char *);
#define CHECK_GIVEN_ADDRESS	0x01	/* source_address set by this change */
#define CHECK_GIVEN_PORT	0x02	/* source_port set by this change */
int		 config_rule_check(json_t *, struct rule *, config_report_cb,
		    void *);
int		 config_source_keys(json_t *, struct relay_conf *,
		    config_report_cb, void *);
int		 config_source_agree(const struct relay_conf *, int,
		    config_report_cb, void *);
int		 config_capture_keys(json_t *, struct relay_conf *,
		    config_report_cb, void *);

/* policy.c */

/*
 * First match wins. Returns the index of the matching rule, or -1 when no
 * rule matched (deny when the policy is present, allow when it is not).
 * dst is the destination the client reached (or the original destination
 * under interception).
 */
int		 policy_match(const struct policy *, const struct sockaddr *,
		    const struct sockaddr *);
/* Resolve to a decision: 1 allow, 0 deny; *rule set to the index or -1. */
int		 policy_decide(const struct policy *, const struct sockaddr *,
		    const struct sockaddr *, int *);
int		 policy_copy(struct policy *, const struct policy *);
void		 policy_clear(struct policy *);

/* log.c: the daemon's own text log (stderr with -f, syslog otherwise). */
void		 log_init(int, int);
void		 log_setverbose(int);
void		 log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void		 log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void		 log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void		 log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
void		 fatal(const char *, ...)
		    __attribute__((format(printf, 1, 2), noreturn));
void		 fatalx(const char *, ...)
		    __attribute__((format(printf, 1, 2), noreturn));

/* eventlog.c: one JSON object per line, flushed per event. */
/* A log file opened but not yet in use (eventlog_prepare). */
struct eventlog_file {
	FILE	*fp;
	char	*path;
};
int		 eventlog_open(const char *, enum log_level);
int		 eventlog_prepare(const char *, struct eventlog_file *);
void		 eventlog_install(struct eventlog_file *, enum log_level);
void		 eventlog_discard(struct eventlog_file *);
int		 eventlog_reopen(void);
void		 eventlog_close(void);
void		 eventlog_set_level(enum log_level);
int		 eventlog_enabled(enum log_level);
/* New event with ts and event set; NULL when the level is filtered. */
json_t		*eventlog_new(const char *);
json_t		*eventlog_new_level(enum log_level, const char *);
/* Write it as one line and release it. NULL is ignored. */
void		 eventlog_emit(json_t *);
void		 eventlog_emit_at(json_t *, struct timeval *);
/* Build quiet events too while triggered faults wait (+1/-1). */
void		 eventlog_want_quiet(const char *, int);
void		 eventlog_str(json_t *, const char *, const char *);
void		 eventlog_int(json_t *, const char *, long long);
void		 eventlog_real(json_t *, const char *, double);
void		 eventlog_addr(json_t *, const char *, const struct sockaddr *);
/* RFC 3339 UTC with microseconds into buf (at least 32 bytes). */
const char	*eventlog_timestamp(const struct timeval *, char *, size_t);
/* Observers (counters, control API) see every emitted event. */
typedef void (*event_observer_cb)(json_t *, void *);
void		 eventlog_observe(event_observer_cb, void *);
void		 eventlog_observe_names(event_observer_cb, void *,
		    const char *const *);
/* For tests: encode to a newly allocated line (without newline). */
char		*eventlog_encode(json_t *);
/* The logged events as encoded lines (the control API's stream). */
typedef void (*eventlog_tap_cb)(const char *, void *);
void		 eventlog_tap(eventlog_tap_cb, void *);
/* Workers: lock the log, feed the tap from the main thread's base. */
int		 eventlog_threads(struct event_base *);
void		 eventlog_threads_end(void);

/* conn.c / relay.c: the data path. */

enum side_state {
	SIDE_INIT = 0,
	SIDE_CONNECTING,
	SIDE_OPEN,
	SIDE_HALF,	/* read EOF seen, forwarded as shutdown(SHUT_WR) */
	SIDE_CLOSED
};

struct conn;
struct relay;
struct inspector;
struct pinhole;

/*
 * One half of a relayed connection. Bytes read from this side go to
 * cs_peer->cs_out; cs_out holds what still has to be written to this side.
 */
struct conn_side {
	struct conn		*cs_conn;
	struct conn_side	*cs_peer;
	const char		*cs_name;	/* "client" or "target" */
	int			 cs_fd;
	struct event		*cs_rev;	/* readable */
	struct event		*cs_wev;	/* writable (or connected) */
	struct evbuffer		*cs_out;	/* to be written to this side */
	struct evbuffer		*cs_in;		/* inspected input, or NULL */
	struct sockaddr_storage	 cs_addr;	/* the peer at this side */
	struct sockaddr_storage	 cs_local;	/* our end of the socket */
	uint64_t		 cs_bytes;	/* bytes read from this side */
	enum side_state		 cs_state;
	int			 cs_eof;	/* read EOF from this side */
	int			 cs_wshut;	/* we shut down writing to it */
	int			 cs_paused;	/* reading paused: peer full */
	uint64_t		 cs_fwd;	/* bytes passed on (stream offset) */
	int			 cs_hold;	/* inspector may hold bytes back */
	void			*cs_desc;	/* inspector state for this side */
	int			 cs_dir;	/* FAULT_UP: client->target */
	void			*cs_fault;	/* fault state (fault.c) */
	int			 cs_trig;	/* a triggered fault took the PDU */
};

#define CONN_DEAD	0x01
#define CONN_DROPPED	0x04	/* deny drop: silent until the client goes */
#define CONN_RESET	0x08	/* close with RST to both ends */
#define CONN_FLUSHCLOSE	0x10	/* close once queued output is written */
#define CONN_AWAIT	0x20	/* the target connect waits for the inspector */

struct conn {
	uint64_t		 c_id;
	unsigned int		 c_worker;	/* the worker it runs on */
	struct relay		*c_relay;
	struct relay_conf	*c_conf;	/* snapshot at accept (refcounted) */
	struct conn_side	 c_client;
	struct conn_side	 c_target;
	struct sockaddr_storage	 c_dst;		/* what the client reached */
	struct timeval		 c_start;
	struct event		*c_timer;	/* connect, idle, drain */
	struct event		*c_await;	/* bounds CONN_AWAIT */
	struct timeval		 c_last;	/* last byte moved */
	int			 c_flags;
	const struct inspector	*c_insp;
	void			*c_insp_state;
	const char		*c_closed_by;
	char			 c_reason[128];
	void			*c_pinhole;	/* pinhole this conn came through */
	void			*c_faults;	/* fault.c state, or NULL */
	struct cap_conn		*c_cap;		/* capture.c, or NULL: off */
	TAILQ_ENTRY(conn)	 c_entry;
};
TAILQ_HEAD(conn_list, conn);

/*
 * A protocol inspector (relayd's struct protocol). input() sees every byte
 * read from a side exactly once, in order. It returns how many of the
 * side's bytes not yet passed on (those it held before, then these) may go
 * now, or -1 to close the connection (a strict violation; the reason is set
 * with conn_set_reason()). While cs_hold is 0 it must let everything pass;
 * with cs_hold set, held bytes wait in cs_in, where inspect_rewrite() may
 * change them before they are released.
 */
struct inspector {
	const char	*name;
	int		 (*init)(struct conn *);
	ssize_t		 (*input)(struct conn_side *, const uint8_t *, size_t);
	void		 (*free)(struct conn *);	/* with the conn, deferred */
	json_t		*(*state)(struct conn *);	/* for the control API */
	/* The side sent its FIN: -1 closes (strict: a truncated PDU). */
	int		 (*eof)(struct conn_side *);
	/*
	 * Non-zero: the target is not connected until input() lets the
	 * caller's held bytes pass (the CR judged by tsap_allow), so a
	 * refused caller never reaches it. NULL: connect at once.
	 */
	int		 (*await)(const struct relay_conf *);
};

struct relay_listener {
	struct relay		*rls_relay;
	struct evconnlistener	*rls_lev;
	struct sockaddr_storage	 rls_addr;
	int			 rls_port;
	TAILQ_ENTRY(relay_listener) rls_entry;
};
TAILQ_HEAD(relay_listener_list, relay_listener);

struct relay_stats {
	uint64_t	 accepted;
	uint64_t	 allowed;
	uint64_t	 denied;
	uint64_t	 connected;
	uint64_t	 connect_failed;
	uint64_t	 closed;
	uint64_t	 limited;
	uint64_t	 bytes_from_client;
	uint64_t	 bytes_from_target;
};

struct relay {
	char			 rl_name[FWRELAY_NAME_MAX];
	struct relay_conf	*rl_conf;	/* owned */
	struct relay_listener_list rl_listeners;
	struct conn_list	 rl_conns;
	unsigned int		 rl_nconns;
	struct relay_stats	 rl_stats;
	int			 rl_removed;	/* gone from the config: drains */
	void			*rl_faults;	/* fault.c: faults added at run time */
	void			*rl_pinhole;	/* pinhole.c: the one it serves */
	struct capture		*rl_cap;	/* capture.c, or NULL: off */
	struct relay_share	*rl_share;	/* worker.c: max_connections */
	TAILQ_ENTRY(relay)	 rl_entry;
};
TAILQ_HEAD(relay_list, relay);

/* The one daemon context. */
struct fwrelay {
	struct event_base	*sc_base;
	struct fwrelay_conf	*sc_conf;
	struct relay_list	 sc_relays;
	uint64_t		 sc_nextid;
	unsigned int		 sc_nconns;
	int			 sc_stopping;
	int			 sc_accept_paused;
	struct event		*sc_accept_retry;
	const char		*sc_conffile;
	int			 sc_verbose;	/* -v given */
	unsigned long		 sc_fd_limit;	/* RLIMIT_NOFILE at start */
	void			*sc_control;	/* control.c */
	unsigned int		 sc_worker;	/* 0: the main thread's */
	struct event		*sc_hold;	/* worker.c: the pause */
	TAILQ_HEAD(pinhole_list, pinhole) sc_pinholes;	/* pinhole.c */
};
/* The worker the calling thread acts on (worker.c). */
extern _Thread_local struct fwrelay *env;

/* worker.c: workers = N event loops, one thread each. */
extern unsigned int	 fw_nworkers;
extern struct fwrelay	*fw_workers[WORKERS_MAX];
#define WORKERS_FOREACH(sc, k)						\
	for ((k) = 0; (k) < fw_nworkers; (k)++)				\
		if (((sc) = fw_workers[(k)]) != NULL)
struct relay_share;
int		 worker_setup(unsigned int);
struct fwrelay	*worker_new(struct fwrelay *, unsigned int);
int		 workers_start(void);
void		 workers_pause(void);
void		 workers_resume(void);
struct fwrelay	*worker_enter(struct fwrelay *);
void		 worker_drained(struct fwrelay *);
void		 workers_join(void);
uint64_t	 worker_next_id(void);
void		 worker_fds(long);
long		 worker_fds_used(void);
struct relay_share *relay_share_new(void);
void		 relay_share_unref(struct relay_share *);
void		 relay_share_join(struct relay *, struct relay *);
int		 relay_admit(struct relay *);
void		 relay_leave(struct relay *);
unsigned int	 relay_share_conns(const struct relay *);
struct relay	*worker_relay(struct fwrelay *, const struct relay *);

/* pcapng.c: blocks and synthesised TCP/IP headers. */
#define PCAPNG_LINKTYPE_RAW	101	/* raw IPv4 or IPv6 */
#define PCAPNG_EPB_TAIL_MAX	(3 + 4 + 300 + 4 + 4)	/* comment <= 300 */
#define TCP_SEG_FIN		0x01
#define TCP_SEG_SYN		0x02
#define TCP_SEG_RST		0x04
#define TCP_SEG_PSH		0x08
#define TCP_SEG_ACK		0x10
struct tcp_seg {
	uint32_t	 seq;
	uint32_t	 ack;
	uint16_t	 window;
	uint16_t	 ipid;
	uint8_t		 flags;
};
size_t		 pcapng_shb(uint8_t *, size_t, const char *);
size_t		 pcapng_idb(uint8_t *, size_t, const char *, const char *);
size_t		 pcapng_epb_size(size_t, const char *);
size_t		 pcapng_epb_head(uint8_t *, uint32_t, uint64_t, size_t,
		    const char *);
size_t		 pcapng_epb_tail(uint8_t *, size_t, const char *);
uint64_t	 inet_sum(uint64_t, const void *, size_t);
uint16_t	 inet_fold(uint64_t);
size_t		 tcpip_header(uint8_t *, const struct sockaddr *,
		    const struct sockaddr *, const struct tcp_seg *,
		    const uint8_t *, size_t);

/* capture.c: pcapng files of what a relay's connections carried. */
struct capture;
struct cap_conn;
void		 capture_relay_sync(struct relay *, int);
void		 capture_relay_move(struct relay *, struct relay *);
void		 capture_relay_free(struct relay *);
void		 capture_conn_start(struct conn *);
void		 capture_data(struct conn_side *, int, const void *, size_t);
void		 capture_fin(struct conn_side *, int);
void		 capture_reset(struct conn_side *, int);
void		 capture_connect(struct conn_side *);
void		 capture_connected(struct conn_side *, int);
void		 capture_side_close(struct conn_side *, int);
int		 capture_write(struct conn_side *);
void		 capture_conn_end(struct conn *);
void		 capture_shutdown(struct fwrelay *);
json_t		*capture_json(const struct relay *);
const char	*capture_dir_error(const struct relay_conf *, char *, size_t);
const char	*capture_mode_name(enum capture_mode);

/* relay.c */
int		 relay_init(struct fwrelay *);
/* Apply a checked configuration: add, keep or remove relays. */
int		 relay_apply(struct fwrelay *, struct fwrelay_conf *,
		    struct config_errors *, json_t *);
int		 relay_apply_all(struct fwrelay_conf *, struct config_errors *,
		    json_t *);
struct relay	*relay_find(struct fwrelay *, const char *);
int		 relay_check_conf(struct fwrelay_conf *, struct config_errors *);
int		 relay_reload(struct fwrelay *, json_t **);
void		 relay_stop_accepting(struct fwrelay *);
void		 relay_close_all(struct fwrelay *, const char *);
struct relay	*relay_new(struct relay_conf *);
void		 relay_free(struct relay *);
void		 relay_conf_ref(struct relay_conf *);
void		 relay_conf_unref(struct relay_conf *);
/* Start moving bytes on a connected conn. */
int		 relay_start(struct conn *);
void		 relay_read(int, short, void *);
/*
 * Pass bytes read from cs on towards its peer: through the inspector when
 * there is one, then queued or written. 0, or -1 when the conn was closed.
 */
int		 relay_forward(struct conn_side *, const uint8_t *, size_t);
/* Stop or resume reading from cs (flow control held by someone else). */
void		 relay_pause(struct conn_side *);
void		 relay_resume(struct conn_side *);
void		 relay_write(int, short, void *);
/* Forward what the inspector released; used after a held PDU completes. */
void		 relay_flush(struct conn_side *);
/* Queue bytes towards a side (an inspector's own answer, e.g. a DR). */
int		 relay_send(struct conn_side *, const void *, size_t);

/* listener.c */
int		 listener_open(struct relay *, char **);
void		 listener_close(struct relay *);
void		 listener_resume_all(struct fwrelay *);
void		 listener_set_enabled(struct relay *, int);
/* Are enough descriptors left to accept and connect one more? */
int		 listener_fd_room(struct fwrelay *, unsigned int);

/* conn.c */
struct conn	*conn_new(struct relay *, int, const struct sockaddr *,
		    socklen_t, const struct sockaddr *);
const struct sockaddr *conn_side_local(struct conn_side *);
void		 conn_start(struct conn *);
void		 conn_await_done(struct conn *);
void		 conn_abort(struct conn *, const char *);
void		 conn_close(struct conn *, const char *, const char *);
void		 conn_set_reason(struct conn *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
void		 conn_touch(struct conn *);
json_t		*conn_event(struct conn *, const char *);
json_t		*conn_event_level(struct conn *, enum log_level, const char *);
const char	*side_state_name(enum side_state);
struct conn	*conn_find(struct fwrelay *, uint64_t);

/* source.c: the outbound socket for each source mode. */
/*
 * Create a non-blocking socket towards dst, bound as the relay's source mode
 * says, and start connecting. Returns the fd, or -1 with *errstr and errno.
 */
int		 source_connect(const struct relay_conf *,
		    const struct sockaddr *, const struct sockaddr *,
		    struct sockaddr_storage *, const char **);
/* Check at start and on -t what each mode needs; plain-words warnings. */
const char	*source_host_error(const struct relay_conf *, char *, size_t);
const char	*relay_host_error(const struct relay_conf *, char *, size_t);
int		 source_check(const struct relay_conf *, struct config_errors *,
		    const char *, int);
/*
 * Listens and connects on loopback only: replies to its clients come back
 * without policy routing (kernel.c installs it for the others).
 */
int		 source_loopback_only(const struct relay_conf *);

/* fault.c: faults act on bytes between reading and forwarding. */
/* Choose the faults for a new connection. -1: out of memory. */
int		 fault_conn_init(struct conn *);
/*
 * Bytes read from cs. Returns 0: pass them on unchanged; 1: the fault
 * took them (it forwards later with relay_forward(), or never); -1: the
 * connection was closed.
 */
int		 fault_data(struct conn_side *, const uint8_t *, size_t);
void		 fault_conn_stop(struct conn *);
void		 fault_conn_free(struct conn *);

/*
 * nft.c: the instance's nftables table: static denies of intercept relays
 * (nft_rules) and, with mark != 0, the turnkey interception rules. The
 * text replaces the table in one transaction; caller frees. NULL: none.
 */
char		*nft_ruleset(const struct fwrelay_conf *, const char *, int,
		    int *);
/* Run nft -f - on the script: 0, or -1 with what nft said. */
int		 nft_run(const char *, char *, size_t);

/* kernel.c: turnkey interception (nft table, policy routing). */
int		 kernel_apply(struct fwrelay *, int);
void		 kernel_remove(void);
int		 kernel_need(struct fwrelay *, const struct relay_conf *);
void		 kernel_print(const struct fwrelay_conf *, FILE *);

/* inspect.c */
const struct inspector *inspector_lookup(enum protocol);
/* Emit an inspector event; triggered faults look at it first. */
void		 inspect_emit(struct conn *, json_t *);
/* Overwrite held bytes of cs at stream offset off. -1 if not held. */
int		 inspect_rewrite(struct conn_side *, uint64_t, const void *,
		    size_t);
/* Answer the side with our own bytes, then close (a COTP DR, say). */
void		 inspect_refuse(struct conn_side *, const void *, size_t,
		    const char *);
extern const struct inspector inspector_rfc1006;
extern const struct inspector inspector_dcerpc;
extern const struct inspector inspector_epm;

/* pinhole.c: temporary listeners opened by what an inspector learned. */
/*
 * Open (or refresh) a pinhole on laddr (port = wanted; the next free port
 * is taken when it is busy) relaying to taddr with the parent relay's
 * source mode; only the client address may use it when client != NULL.
 * Returns the port opened, or -1.
 */
int		 pinhole_open(struct conn *, const char *,
		    const struct sockaddr *, const struct sockaddr *,
		    const struct sockaddr *, const char *);
/* A connection came through rl's pinhole (rl->rl_pinhole set). */
void		 pinhole_used(struct relay *, struct conn *);
void		 pinhole_shutdown(void);
/* Around reading a pinhole relay's rules: 1 when it locked. */
int		 pinhole_lock(const struct relay *);
void		 pinhole_unlock(int);
json_t		*pinhole_list(void);

/* util */
const char	*errno_name(int);
double		 tv_to_double(const struct timeval *);
struct timeval	 double_to_tv(double);

#endif /* FWRELAY_H */
