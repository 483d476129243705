/*
 * Small helpers shared by every part: symbolic errno names for the event
 * log (a lab compares "ECONNREFUSED" with "ETIMEDOUT", not localised
 * strerror text) and timeval <-> seconds conversions.
 */

#include <sys/time.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>

#include "fwrelay.h"

struct errno_entry {
	int		 num;
	const char	*name;
};

/* The errors a relay meets on sockets, files and privileges. */
static const struct errno_entry errno_table[] = {
	{ EPERM,		"EPERM" },
	{ ENOENT,		"ENOENT" },
	{ ESRCH,		"ESRCH" },
	{ EINTR,		"EINTR" },
	{ EIO,			"EIO" },
	{ ENXIO,		"ENXIO" },
	{ E2BIG,		"E2BIG" },
	{ EBADF,		"EBADF" },
	{ ECHILD,		"ECHILD" },
	{ EAGAIN,		"EAGAIN" },
	{ ENOMEM,		"ENOMEM" },
	{ EACCES,		"EACCES" },
	{ EFAULT,		"EFAULT" },
	{ EBUSY,		"EBUSY" },
	{ EEXIST,		"EEXIST" },
	{ ENODEV,		"ENODEV" },
	{ ENOTDIR,		"ENOTDIR" },
	{ EISDIR,		"EISDIR" },
	{ EINVAL,		"EINVAL" },
	{ ENFILE,		"ENFILE" },
	{ EMFILE,		"EMFILE" },
	{ ENOSPC,		"ENOSPC" },
	{ EROFS,		"EROFS" },
	{ EPIPE,		"EPIPE" },
	{ ERANGE,		"ERANGE" },
	{ ENAMETOOLONG,		"ENAMETOOLONG" },
	{ ENOSYS,		"ENOSYS" },
	{ ENOTSOCK,		"ENOTSOCK" },
	{ EDESTADDRREQ,		"EDESTADDRREQ" },
	{ EMSGSIZE,		"EMSGSIZE" },
	{ EPROTOTYPE,		"EPROTOTYPE" },
	{ ENOPROTOOPT,		"ENOPROTOOPT" },
	{ EPROTONOSUPPORT,	"EPROTONOSUPPORT" },
	{ EOPNOTSUPP,		"EOPNOTSUPP" },
	{ EAFNOSUPPORT,		"EAFNOSUPPORT" },
	{ EADDRINUSE,		"EADDRINUSE" },
	{ EADDRNOTAVAIL,	"EADDRNOTAVAIL" },
	{ ENETDOWN,		"ENETDOWN" },
	{ ENETUNREACH,		"ENETUNREACH" },
	{ ENETRESET,		"ENETRESET" },
	{ ECONNABORTED,		"ECONNABORTED" },
	{ ECONNRESET,		"ECONNRESET" },
	{ ENOBUFS,		"ENOBUFS" },
	{ EISCONN,		"EISCONN" },
	{ ENOTCONN,		"ENOTCONN" },
	{ ESHUTDOWN,		"ESHUTDOWN" },
	{ ETIMEDOUT,		"ETIMEDOUT" },
	{ ECONNREFUSED,		"ECONNREFUSED" },
	{ EHOSTDOWN,		"EHOSTDOWN" },
	{ EHOSTUNREACH,		"EHOSTUNREACH" },
	{ EALREADY,		"EALREADY" },
	{ EINPROGRESS,		"EINPROGRESS" },
	{ EPROTO,		"EPROTO" },
	{ EOVERFLOW,		"EOVERFLOW" },
	{ ECANCELED,		"ECANCELED" },
};

/*
 * Symbolic name of an errno value ("ECONNREFUSED"), or "E<number>" for one
 * outside the table. EWOULDBLOCK and ENOTSUP alias EAGAIN and EOPNOTSUPP on
 * Linux and print as those. The fallback lives in a per-thread buffer that
 * the next unknown value overwrites.
 */
const char *
errno_name(int num)
{
	static _Thread_local char	buf[24];
	size_t				i;

	for (i = 0; i < sizeof(errno_table) / sizeof(errno_table[0]); i++)
		if (errno_table[i].num == num)
			return (errno_table[i].name);
	snprintf(buf, sizeof(buf), "E%d", num);
	return (buf);
}

double
tv_to_double(const struct timeval *tv)
{
	return ((double)tv->tv_sec + (double)tv->tv_usec / 1000000.0);
}

/* Rounded to the microsecond; tv_usec always lands in 0..999999. */
struct timeval
double_to_tv(double d)
{
	struct timeval	tv;
	double		sec;
	long		usec;

	sec = floor(d);
	usec = lround((d - sec) * 1000000.0);
	if (usec >= 1000000) {
		sec += 1;
		usec -= 1000000;
	}
	tv.tv_sec = (time_t)sec;
	tv.tv_usec = (suseconds_t)usec;
	return (tv);
}
