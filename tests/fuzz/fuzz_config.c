/*
 * libFuzzer target for the configuration loader (src/config.c through
 * config_load_string()): any text must either load or fail with at least
 * one "fuzz:line: ..." message, and free cleanly.
 */

#include <sys/types.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fwrelay.h"

int	 LLVMFuzzerTestOneInput(const uint8_t *, size_t);
const char *__lsan_default_suppressions(void);

/*
 * libconfig 1.5's scanner leaks its string buffer when it hits an error
 * inside a string literal (reproduced with libconfig alone, no fwrelay
 * code); that is not ours to fix, so LeakSanitizer ignores libconfig.
 */
const char *
__lsan_default_suppressions(void)
{
	return ("leak:libconfig.so\n");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config_errors	 errs;
	struct fwrelay_conf	*conf;
	char			*text;
	size_t			 i;

	if ((text = malloc(size + 1)) == NULL)
		return (0);
	memcpy(text, data, size);
	text[size] = '\0';
	/*
	 * libconfig's @include opens files named in the input: that would
	 * fuzz the file system (and block on a fifo), not the parser.
	 */
	for (i = 0; i + 1 < size; i++)
		if (text[i] == '@' && (text[i + 1] == 'i' ||
		    text[i + 1] == 'I')) {
			free(text);
			return (0);
		}
	memset(&errs, 0, sizeof(errs));
	conf = config_load_string(text, "fuzz", &errs);
	if (conf == NULL) {
		if (errs.n == 0)
			abort();
		for (i = 0; i < errs.n; i++)
			if (strncmp(errs.msgs[i], "fuzz:", 5) != 0)
				abort();
	}
	config_free(conf);
	config_errors_clear(&errs);
	free(text);
	return (0);
}
