/*
 * check_main.h: the one Check runner every unit test links
 * (tests/unit/check_main.c). A test file defines its suite and names it in
 * check_unit; the runner does the rest.
 */
#ifndef CHECK_MAIN_H
#define CHECK_MAIN_H

#include <check.h>

struct check_unit {
	Suite	*(*cu_suite)(void);	/* the module's <module>_suite() */
	void	 (*cu_setup)(void);	/* before the run, or NULL */
	void	 (*cu_teardown)(void);	/* after the run, or NULL */
};

/* Defined once by each unit test file. */
extern const struct check_unit check_unit;

#endif
