/*
 * The host test harness: each TEST() registers one test, named for the
 * behaviour it checks. The runner forks a child per test, so a crash, a hang
 * (caught by an alarm) or a sanitizer report fails that test alone, and ends
 * with the line "N passed, N failed, N skipped".
 */
#ifndef TENON_TESTS_HARNESS_H
#define TENON_TESTS_HARNESS_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

struct test_case {
	const char *name;
	void (*fn)(void);
	struct test_case *next;
};

void test_register(struct test_case *tc);
void test_fail(const char *file, int line, const char *fmt, ...)
    __attribute__((noreturn, format(printf, 3, 4)));
/*
 * Ends the running test as skipped, saying why (the machine lacks what the
 * test needs). Only from the test's own body, before it starts threads.
 */
void test_skip(const char *fmt, ...)
    __attribute__((noreturn, format(printf, 1, 2)));

/* TEST(sched_fifo_order) registers a test named "sched-fifo-order". */
#define TEST(ident)                                                      \
	static void test_fn_##ident(void);                               \
	static struct test_case test_case_##ident = {                    \
	    .name = #ident,                                              \
	    .fn = test_fn_##ident,                                       \
	    .next = NULL,                                                \
	};                                                               \
	__attribute__((constructor)) static void test_ctor_##ident(void) \
	{                                                                \
		test_register(&test_case_##ident);                       \
	}                                                                \
	static void test_fn_##ident(void)

#define EXPECT(cond)                                                         \
	do {                                                                 \
		if (!(cond))                                                 \
			test_fail(__FILE__, __LINE__, "expected %s", #cond); \
	} while (0)

#define EXPECT_EQ(a, b)                                                       \
	do {                                                                  \
		long long va_ = (long long)(a), vb_ = (long long)(b);         \
		if (va_ != vb_)                                               \
			test_fail(__FILE__, __LINE__,                         \
				  "expected %s == %s, got %lld and %lld", #a, \
				  #b, va_, vb_);                              \
	} while (0)

#define EXPECT_STREQ(a, b)                                                    \
	do {                                                                  \
		const char *sa_ = (a), *sb_ = (b);                            \
		if (strcmp(sa_, sb_) != 0)                                    \
			test_fail(__FILE__, __LINE__,                         \
				  "expected %s == %s, got \"%s\" and \"%s\"", \
				  #a, #b, sa_, sb_);                          \
	} while (0)

#ifdef __cplusplus
}
#endif

#endif
