/*
 * mtasim: an Exchange 5.5 message transfer agent simulator for the KB lab.
 * One process is one MTA: X.400 connectors over RFC 1006 (TPKT/COTP), an
 * RPC site connector over DCE/RPC (endpoint mapper, MtaBind with a bindback
 * string binding, the bindback connection), the connector rules of the KB
 * articles, and the MSExchangeMTA event IDs they quote. Shared structures
 * and prototypes, grouped by the file that owns them.
 */
#ifndef MTASIM_H
#define MTASIM_H

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>

#include <netinet/in.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "fwutil.h"

struct event_base;
struct event;
struct bufferevent;
struct strbind;

#define MTA_NAME_MAX		64
#define MTA_HOST_MAX		256
#define MTA_TSEL_MAX		32
#define MTA_SUBJECT_MAX		128
#define MTA_ID_MAX		96
#define MTA_LISTEN_MAX		8
#define MTA_MAIL_SIZE_MAX	16384	/* body bytes of one message */
#define MTA_ERR_MAX		512

/* Defaults, set when the configuration object is created. */
#define MTA_X400_PORT		102
#define MTA_EPM_PORT		135
#define MTA_CONNECT_TIMEOUT	5.0
#define MTA_RESPONSE_TIMEOUT	5.0
#define MTA_RETRY_INTERVAL	1.0
/* 2048-byte TPDUs, as Exchange offers */
#define MTA_TPDU_SIZE_CODE	0x0b

/*
 * The lab's own opnums of the MTA interface 9e8ee830-4459-11ce-979b-
 * 00aa005ffebe v2.0. The real ones are unknown (PROTOCOLS.md section 5):
 * these are the lab's choice, documented in mtasim(8).
 */
#define MTA_OP_BIND		0	/* MtaBind: name, bindback binding */
#define MTA_OP_BINDBACK		1	/* MtaBindBack: name */
#define MTA_OP_TRANSFER		2	/* one message */
#define MTA_OP_UNBIND		3	/* end of the association */

/* Windows error for "the RPC server is unavailable" (9318, 9322). */
#define MTA_RPC_S_SERVER_UNAVAILABLE	1722

/* conf.c */

enum connector_type {
	CONNECTOR_X400 = 0,
	CONNECTOR_RPC		/* site connector */
};

enum connector_schedule {
	SCHEDULE_ALWAYS = 0,
	SCHEDULE_REMOTE		/* remote-initiated: accept only, never call */
};

enum bindback_mode {
	BINDBACK_GIVEN = 0,	/* 5.5 SP2+: the port in the string binding */
	/* before SP2: ask the caller's endpoint mapper */
	BINDBACK_EPM
};

struct connector {
	char			 name[MTA_NAME_MAX];
	char			 peer[MTA_NAME_MAX];	/* remote MTA */
	enum connector_type	 type;
	char			 address[MTA_HOST_MAX];	/* IP or FQDN */
	int			 is_ip;
	struct in_addr		 ip;			/* if is_ip */
	int			 port;	/* X.400 port, or the peer's EPM */
	uint8_t			 local_tsel[MTA_TSEL_MAX];
	size_t			 local_tsel_len;
	uint8_t			 remote_tsel[MTA_TSEL_MAX];
	size_t			 remote_tsel_len;
	enum connector_schedule	 schedule;
	int			 two_way;	/* two-way alternate */
	int			 cost;
	int			 line;
};

/* hosts file and DNS: forward records and PTR records. */
struct host_entry {
	char			 name[MTA_HOST_MAX];
	struct in_addr		 addr;
};

/* Mail to queue when a phase starts. */
struct mail_conf {
	int			 phase;
	char			 peer[MTA_NAME_MAX];
	int			 count;
	size_t			 size;
	char			 subject[MTA_SUBJECT_MAX];
	int			 line;
};

struct mta_conf {
	char			*file;
	char			 name[MTA_NAME_MAX];
	char			 org[MTA_NAME_MAX];
	char			 site[MTA_NAME_MAX];
	char			*event_log;	/* NULL: none; "-": stdout */
	char			*text_log;	/* NULL or "-": stderr */
	char			*status_file;	/* NULL: none */

	struct in_addr		 node;
	int			 has_cluster;
	struct in_addr		 cluster;
	/* outgoing from the cluster IP */
	int			 source_cluster;
	struct in_addr		 listen[MTA_LISTEN_MAX];
	size_t			 nlisten;

	int			 x400_port;	/* 0: no X.400 listener */
	/* expected called TSAP */
	uint8_t			 tsel[MTA_TSEL_MAX];
	size_t			 tsel_len;	/* 0: accept any */

	int			 rpc;		/* rpc = { } given */
	/* own endpoint mapper, 0: none */
	int			 epm_port;
	int			 rpc_port;	/* 0: dynamic */
	enum bindback_mode	 bindback;
	char			 bindback_host[MTA_HOST_MAX];

	int			 has_proxy;
	struct sockaddr_in	 proxy;
	int			 proxy_disable;

	struct connector	*connectors;
	size_t			 nconnectors;
	struct host_entry	*hosts;
	size_t			 nhosts;
	struct host_entry	*ptrs;
	size_t			 nptrs;
	struct mail_conf	*mail;
	size_t			 nmail;

	double			 connect_timeout;
	double			 response_timeout;
	int			 retries;
	double			 retry_interval;
};

/* Errors collected while loading: struct config_errors (fwutil.h). */

struct mta_conf	*conf_load(const char *, struct config_errors *);
struct mta_conf	*conf_load_string(const char *, const char *,
		    struct config_errors *);
void		 conf_free(struct mta_conf *);
/* The address outgoing connections bind to (node or cluster). */
struct in_addr	 conf_source(const struct mta_conf *);
/*
 * Any libconfig file (a lab scenario) as JSON: groups become objects,
 * lists and arrays become arrays. Returns a new reference or NULL with
 * *err set to "file:line: message".
 */
json_t		*conf_file_json(const char *, char *, size_t);
const char	*schedule_name(enum connector_schedule);
const char	*bindback_name(enum bindback_mode);

/* connector.c: the connector rules (pure, unit-tested). */

enum match_how {
	MATCH_NONE = 0,
	MATCH_IP,		/* the caller's IP is a connector's address */
	/* its PTR name is an FQDN connector's address */
	MATCH_PTR
};

struct match {
	int			 connector;	/* index, or -1 */
	enum match_how		 how;
	int			 ptr_found;
	char			 ptr_name[MTA_HOST_MAX];
};

/*
 * Find the connector of type type for an inbound association from peer
 * (the TCP peer address): first by IP against every IP connector, then by
 * the reverse lookup of peer against every FQDN connector. Lowest cost wins
 * among several, then configuration order. Returns the index or -1.
 */
int		 connector_match(const struct mta_conf *, enum connector_type,
		    struct in_addr, struct match *);
/* Connector of type type serving peer that may call out, lowest cost. */
int		 connector_for_peer(const struct mta_conf *,
		    enum connector_type, const char *);
/* Any connector of type type for this remote MTA name. */
int		 connector_by_peer(const struct mta_conf *, enum connector_type,
		    const char *);
/* Reverse lookup in the PTR records; NULL if there is none. */
const char	*connector_ptr(const struct mta_conf *, struct in_addr);
/* An IPv4 literal, or a hosts-map name (case-insensitive). 0 or -1. */
int		 connector_resolve(const struct mta_conf *, const char *,
		    struct in_addr *);
/* The raw address bytes in upper-case hex, as 9301 shows: "7F010002". */
char		*connector_hex_addr(struct in_addr, char *, size_t);
/* Text as lower-case hex of its bytes, as the second 9301 shows it. */
char		*connector_hex_text(const void *, size_t, char *, size_t);

/* mtabind.c: the lab's MTA interface stubs (NDR, little-endian). */

/*
 * MtaBind request stub: u32 version 1, then two [unique, string] wchar_t
 * pointers: the caller's MTA name and its bindback string binding
 * "ncacn_ip_tcp:HOST[PORT]" (UTF-16LE, NUL-terminated, NDR conformant
 * varying strings). Returns the length or -1.
 */
ssize_t		 mtabind_build_bind(uint8_t *, size_t, const char *,
		    const char *, uint16_t);
/*
 * Decode it: the name into name (namesz), the binding found with
 * strbind_next() over the string's UTF-16LE bytes into sb (offsets
 * relative to the stub). 0, or -1 with *errstr.
 */
int		 mtabind_parse_bind(const uint8_t *, size_t, char *, size_t,
		    struct strbind *, const char **);
/* MtaBindBack request: u32 version 1, [unique, string] MTA name. */
ssize_t		 mtabind_build_bindback(uint8_t *, size_t, const char *);
int		 mtabind_parse_bindback(const uint8_t *, size_t, char *,
		    size_t, const char **);
/* MtaTransfer request: u32 length, conformant byte array. */
ssize_t		 mtabind_build_transfer(uint8_t *, size_t, const uint8_t *,
		    size_t);
int		 mtabind_parse_transfer(const uint8_t *, size_t,
		    const uint8_t **, size_t *, const char **);
/* Responses and MtaUnbind: one u32 status. */
ssize_t		 mtabind_build_status(uint8_t *, size_t, uint32_t);
int		 mtabind_parse_status(const uint8_t *, size_t, uint32_t *);
/* NDR [string] wchar_t: max, offset, actual, UTF-16LE with NUL, pad. */
ssize_t		 mtabind_put_wstring(uint8_t *, size_t, size_t, const char *);

/* evlog.c: Exchange-style events, JSON lines and readable text. */
int		 evlog_open(const char *, const char *, const char *);
void		 evlog_close(void);
/* New JSON event with ts, mta and event; emit writes and frees it. */
json_t		*evlog_new(const char *);
void		 evlog_emit(json_t *);
/*
 * An MSExchangeMTA event: id, the connector or entity (may be NULL), the
 * TCP peer (may be NULL), extra JSON members (stolen; may be NULL) and the
 * text. Written as JSON and as one readable line.
 */
void		 evlog_mta(int, const char *, const struct sockaddr *,
		    json_t *, const char *, ...)
		    __attribute__((format(printf, 5, 6)));
/* "1.2.3.4:5". */
const char	*evlog_addr(const struct sockaddr *, char *, size_t);
/* The DN the KB texts show for a connector. */
const char	*evlog_dn(const char *, char *, size_t);
/* The text log only (the simulator's own health). */
void		 evlog_text(const char *, ...)
		    __attribute__((format(printf, 1, 2)));

/* queue.c: messages queued per remote MTA, counters, the status. */

struct message {
	char			 m_id[MTA_ID_MAX];
	char			 m_from[MTA_NAME_MAX];
	char			 m_to[MTA_NAME_MAX];
	char			 m_subject[MTA_SUBJECT_MAX];
	size_t			 m_size;
	int			 m_phase;
	int			 m_inflight;	/* taken by an association */
	TAILQ_ENTRY(message)	 m_entry;
};
TAILQ_HEAD(message_list, message);

struct peer {
	char			 p_name[MTA_NAME_MAX];
	struct message_list	 p_queue;
	unsigned int		 p_queued;	/* now in the queue */
	unsigned int		 p_queued_total;
	unsigned int		 p_transferred;
	unsigned int		 p_delivered;	/* received from this MTA */
	unsigned int		 p_attempts;
	unsigned int		 p_failures;
	int			 p_retries_left;
	struct event		*p_retry;
	int			 p_active;	/* associations carrying mail */
	TAILQ_ENTRY(peer)	 p_entry;
};
TAILQ_HEAD(peer_list, peer);

struct peer	*queue_peer(const char *);
/* Queue count messages for peer; message_queued each. */
int		 queue_add(const char *, int, int, size_t, const char *);
/* Next message for peer no association has taken, marked in flight. */
struct message	*queue_take(struct peer *);
/* Put an in-flight message back (the association failed). */
void		 queue_untake(struct message *);
/* The peer acknowledged it: message_transferred, dequeued, freed. */
void		 queue_done(struct peer *, struct message *, const char *);
/* A message arrived: message_delivered. */
void		 queue_delivered(const char *, const char *, const char *,
		    size_t, const char *, const char *);
/* Build "MSG id from to size subject\n" + body for message m. */
uint8_t		*queue_encode(const struct message *, size_t *);
/* Parse it; pointers into buf; 0 or -1. */
int		 queue_decode(const uint8_t *, size_t, char *, char *, char *,
		    size_t *, char *);
/* Mail now due for peer: start an association if none carries it. */
void		 queue_kick(const char *);
/* An association attempt for peer ended; ok 0 schedules a retry. */
void		 queue_attempt_done(const char *, int);
void		 queue_set_phase(int);
/* Status as JSON (new reference); written to the status file on change. */
json_t		*queue_status(void);
void		 queue_status_changed(void);
void		 queue_status_write(void);
void		 queue_free_all(void);

/* The running simulator. */
struct mtasim {
	struct event_base	*ms_base;
	struct mta_conf		*ms_conf;
	int			 ms_phase;
	unsigned int		 ms_conns;	/* open connections */
	unsigned int		 ms_nextref;	/* COTP refs, LTAB indexes */
	uint64_t		 ms_nextid;
	int			 ms_rpc_port;	/* the port actually bound */
	int			 ms_stopping;
	struct event		*ms_status_ev;
};
extern struct mtasim *ms;

/* main.c */
/* Start an association for peer over connector index ci. */
int		 mtasim_call(int, const char *);

/* net.c: sockets. */
struct evconnlistener;
typedef void	(*net_accept_cb)(int, struct sockaddr_in *, void *);
/*
 * Listen on addr:port (0: the OS picks); the listener, with the port bound
 * in *bound, or NULL with err filled.
 */
struct evconnlistener *net_listen(struct in_addr, int, net_accept_cb,
		    void *, int *, char *, size_t);
void		 net_close_listeners(void);
/* Non-blocking connect from src (port 0) to dst; bufferevent or NULL. */
struct bufferevent *net_connect(struct in_addr, const struct sockaddr_in *,
		    char *, size_t);
/* The socket error after BEV_EVENT_ERROR, an errno. */
int		 net_error(struct bufferevent *);
/* Winsock's number for an errno, as the MTA events show (10061 ...). */
int		 net_wsa(int);
void		 net_sin(struct sockaddr_in *, struct in_addr, int);
/* Count open connections: the lab's "busy". */
void		 net_conn_opened(void);
void		 net_conn_closed(void);
struct event	*net_timer(void (*)(int, short, void *), void *);
void		 net_timer_arm(struct event *, double);

/* x400.c */
int		 x400_init(void);
/* Call connector ci for peer: TCP, CR, mail, two-way alternate, release. */
int		 x400_call(int, const char *);
/* An inbound association for peer that could take our mail now. */
int		 x400_take_turn(const char *);
void		 x400_shutdown(void);

/* rpc.c */
int		 rpc_init(void);
/* Call site connector ci: EPM, bind, MtaBind, wait for the bindback. */
int		 rpc_call(int, const char *);
/* An RPC association carries mail for peer: send it now. */
int		 rpc_kick(const char *);
void		 rpc_shutdown(void);

#endif /* MTASIM_H */
