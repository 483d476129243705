/*
 * check_main.c: main() of every unit test. It runs the file's suite with
 * Check's normal output (CK_VERBOSITY and CK_RUN_CASE work as Check
 * documents) and exits 0 only if every test passed.
 */
#include <stdlib.h>

#include "check_main.h"

int
main(void)
{
	SRunner	*sr;
	int	 failed;

	if (check_unit.cu_setup != NULL)
		check_unit.cu_setup();
	sr = srunner_create(check_unit.cu_suite());
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	if (check_unit.cu_teardown != NULL)
		check_unit.cu_teardown();
	return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
