/* Included by every Check test file: SUITE(name) defines the `name_suite` function that the
 * generated runner calls (tests/DIR/test_NAME.c must use SUITE(NAME)). */
#ifndef MAXDASH_TESTING_H
#define MAXDASH_TESTING_H

#include <check.h>

#define SUITE(name)               \
    Suite *name##_suite(void);    \
    Suite *name##_suite(void)

#endif
